// Package logs serves the platform's log: filtered by level, agent, text
// and time, paged by a key that holds while lines are appended.
package logs
