// Package workflows is the client for the platform's orchestration
// workflows: tasks run by agents for a customer, ordered by their
// dependencies. It lists and reads workflows, pauses, resumes and cancels
// them, retries a failed task, and follows a workflow while it runs (Watch,
// WaitFor); it also lays a workflow out in time (planned and actual task
// times and the critical path) and draws Gantt charts for terminals and
// reports.
//
// Build a client from a platform client:
//
//	wf := workflows.New(pc)
//	for w, err := range wf.List(ctx, workflows.ListOptions{Status: workflows.StatusRunning}) {
//		...
//	}
//
// The types are the JSON format of /api/platform/orchestration/workflows;
// the mock server reuses them, so the format has one definition. Timelines
// and renderers are pure functions of a Workflow and a clock reading: they do
// no I/O other than writing to the io.Writer they are given. Pass
// Workflow.AsOf as the clock reading to draw at the platform's time.
package workflows
