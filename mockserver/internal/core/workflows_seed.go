package core

import (
	"time"

	"github.com/waooaw/waooaw-go/workflows"
)

// seedWorkflow is a seeded workflow in wire form and, for a pending one,
// when it starts on its own.
type seedWorkflow struct {
	w       workflows.Workflow
	startAt time.Time
}

// seedWorkflows are the default workflows at now: "Customer Onboarding" for
// Acme Corp running with 3 of 5 tasks done, one completed, one failed on a
// task that timed out after 3 retries, and one pending that starts 45
// minutes in. Every task takes 1-10 minutes of clock time; the running and
// pending workflows have finished within an hour of now.
func seedWorkflows(now time.Time) []seedWorkflow {
	at := func(d time.Duration) *time.Time { return tp(now.Add(d)) }
	m := time.Minute
	// task builds a task; est is its estimated duration.
	task := func(id, name, agent string, est time.Duration, deps ...string) workflows.Task {
		return workflows.Task{TaskID: id, TaskName: name, AgentID: agent, Dependencies: deps,
			Status: workflows.TaskPending, EstimatedDurationMS: est.Milliseconds()}
	}
	// ran marks t as started at start and ended in status after running for
	// d; a running task has run d so far.
	ran := func(t workflows.Task, status workflows.TaskStatus, start, d time.Duration) workflows.Task {
		ms := d.Milliseconds()
		t.Status, t.StartedAt, t.DurationMS = status, at(start), &ms
		if status != workflows.TaskRunning {
			t.CompletedAt = at(start + d)
		}
		return t
	}
	done, running, failed := workflows.TaskCompleted, workflows.TaskRunning, workflows.TaskFailed

	// Running for Acme: started 15 minutes ago, the fourth task 3 minutes in.
	onboarding := workflows.Workflow{
		WorkflowID: "wf-001", WorkflowName: "Customer Onboarding",
		CustomerID: custAcme, CustomerName: custAcmeName,
		Status: workflows.StatusRunning, CreatedAt: now.Add(-20 * m), StartedAt: at(-15 * m),
		Tasks: []workflows.Task{
			ran(task("task-001", "Verify Account", "wow-security", 5*m), done, -15*m, 4*m),
			ran(task("task-002", "Provision Memory", "wow-memory", 8*m, "task-001"), done, -11*m, 8*m),
			ran(task("task-003", "Connect CRM Integration", "wow-integration", 6*m, "task-001"), done, -11*m, 5*m),
			ran(task("task-004", "Configure Onboarding Concierge", "agent-005", 10*m, "task-002", "task-003"), running, -3*m, 3*m),
			task("task-005", "Send Welcome Pack", "wow-communication", 3*m, "task-004"),
		},
	}

	// Completed for Initech yesterday.
	t0 := -26 * time.Hour
	support := workflows.Workflow{
		WorkflowID: "wf-002", WorkflowName: "Support Desk Setup",
		CustomerID: custInitech, CustomerName: custInitechName,
		Status: workflows.StatusCompleted, CreatedAt: now.Add(t0 - time.Hour), StartedAt: at(t0),
		CompletedAt: at(t0 + 17*m + 10*time.Second),
		Tasks: []workflows.Task{
			ran(task("task-001", "Import Ticket History", "wow-integration", 9*m), done, t0, 8*m+30*time.Second),
			ran(task("task-002", "Build Knowledge Index", "wow-memory", 7*m, "task-001"), done, t0+8*m+30*time.Second, 7*m),
			ran(task("task-003", "Train Triage Rules", "agent-004", 6*m, "task-001"), done, t0+8*m+30*time.Second, 6*m+20*time.Second),
			ran(task("task-004", "Enable Alerts", "wow-notification", 2*m, "task-002", "task-003"), done, t0+15*m+30*time.Second, 1*m+40*time.Second),
		},
	}

	// Failed for Globex two and a half hours ago: the CRM sync timed out
	// after 3 retries; the schema check beside it finished, the rest never
	// started.
	t0 = -150 * m
	sync := ran(task("task-101", "Sync CRM Records", "wow-integration", 8*m, "task-100"), failed, t0+5*m, 2*m)
	sync.Error, sync.RetryCount = "API timeout after 30s", 3
	migration := workflows.Workflow{
		WorkflowID: "wf-003", WorkflowName: "Data Migration",
		CustomerID: custGlobex, CustomerName: custGlobexName,
		Status: workflows.StatusFailed, CreatedAt: now.Add(t0 - 30*m), StartedAt: at(t0),
		CompletedAt: at(t0 + 9*m),
		Tasks: []workflows.Task{
			ran(task("task-100", "Export Legacy Records", "wow-integration", 6*m), done, t0, 5*m),
			sync,
			ran(task("task-102", "Validate Schema", "wow-analytics", 4*m, "task-100"), done, t0+5*m, 4*m),
			task("task-103", "Rebuild Search Index", "wow-memory", 7*m, "task-101", "task-102"),
			task("task-104", "Notify Account Team", "wow-notification", 2*m, "task-103"),
		},
	}

	// Pending for Acme: scheduled 45 minutes from now.
	review := workflows.Workflow{
		WorkflowID: "wf-004", WorkflowName: "Quarterly Business Review",
		CustomerID: custAcme, CustomerName: custAcmeName,
		Status: workflows.StatusPending, CreatedAt: now.Add(-5 * m),
		Tasks: []workflows.Task{
			task("task-001", "Collect Usage Metrics", "wow-analytics", 5*m),
			task("task-002", "Summarise Support Tickets", "wow-support", 4*m),
			task("task-003", "Draft Review Deck", "agent-001", 10*m, "task-001", "task-002"),
		},
	}

	return []seedWorkflow{{w: onboarding}, {w: support}, {w: migration}, {w: review, startAt: now.Add(45 * m)}}
}
