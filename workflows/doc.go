// Package workflows is the client for the platform's orchestration workflows:
// the workflow and task wire types with their typed statuses, timelines
// (planned and actual task times and the critical path, computed from task
// dependencies and estimates) and Gantt rendering for terminals and reports.
//
// The types are the JSON format of /api/platform/orchestration/workflows;
// the mock server reuses them, so the format has one definition. Timelines
// and renderers are pure functions of a Workflow and a clock reading: they do
// no I/O other than writing to the io.Writer they are given.
package workflows
