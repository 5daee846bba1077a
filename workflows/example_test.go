package workflows_test

import (
	"fmt"
	"os"
	"time"

	"github.com/waooaw/waooaw-go/workflows"
)

// A terminal Gantt chart of the seeded "Customer Onboarding" workflow for
// Acme Corp, read at 10:00: three tasks done, one running, one waiting.
func Example() {
	at := func(hhmmss string) *time.Time {
		t, _ := time.Parse(time.DateTime, "2026-01-02 "+hhmmss)
		return &t
	}
	ms := func(d time.Duration) *int64 { n := d.Milliseconds(); return &n }
	w := workflows.Workflow{
		WorkflowID:     "wf-001",
		WorkflowName:   "Customer Onboarding",
		CustomerID:     "cust-acme",
		CustomerName:   "Acme Corp",
		Status:         workflows.StatusRunning,
		Progress:       60,
		TotalTasks:     5,
		CompletedTasks: 3,
		CreatedAt:      *at("09:30:00"),
		StartedAt:      at("09:30:00"),
		Tasks: []workflows.Task{
			{TaskID: "task-1", TaskName: "Provision Agent", Status: workflows.TaskCompleted, AgentID: "wow-orchestrator",
				EstimatedDurationMS: 300_000, DurationMS: ms(4 * time.Minute), StartedAt: at("09:30:00"), CompletedAt: at("09:34:00")},
			{TaskID: "task-2", TaskName: "Configure Memory", Status: workflows.TaskCompleted, AgentID: "wow-memory",
				Dependencies: []string{"task-1"}, EstimatedDurationMS: 480_000, DurationMS: ms(9 * time.Minute),
				StartedAt: at("09:34:00"), CompletedAt: at("09:43:00")},
			{TaskID: "task-3", TaskName: "Import Customer Data", Status: workflows.TaskCompleted, AgentID: "wow-data",
				Dependencies: []string{"task-2"}, EstimatedDurationMS: 600_000, DurationMS: ms(9*time.Minute + 30*time.Second),
				StartedAt: at("09:43:00"), CompletedAt: at("09:52:30")},
			{TaskID: "task-4", TaskName: "Train Models", Status: workflows.TaskRunning, AgentID: "wow-ml",
				Dependencies: []string{"task-3"}, EstimatedDurationMS: 600_000, DurationMS: ms(7*time.Minute + 30*time.Second),
				StartedAt: at("09:52:30")},
			{TaskID: "task-5", TaskName: "Go-Live Check", Status: workflows.TaskPending, AgentID: "wow-monitor",
				Dependencies: []string{"task-4"}, EstimatedDurationMS: 180_000},
		},
	}

	// now is the platform's clock reading: running bars end there.
	tl, err := workflows.NewTimeline(w, *at("10:00:00"))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := tl.WriteText(os.Stdout, 36); err != nil {
		fmt.Println(err)
	}
	fmt.Println("critical path:", tl.CriticalPath)
	// Output:
	// Customer Onboarding (Acme Corp)
	// 2026-01-02T09:30:00Z → 2026-01-02T10:06:00Z (36m00s)
	//
	// Provision Agent      * |████                                | completed 4m00s
	// Configure Memory     * |    █████████                       | completed 9m00s
	// Import Customer Data * |             ██████████             | completed 9m30s
	// Train Models         * |                      ▓▓▓▓▓▓▓▓      | running   7m30s+
	// Go-Live Check        * |                                 ░░░| pending   ~3m00s
	//
	// legend: █ completed ▓ running ░ pending ✗ failed · cancelled ? other; * critical path, ~ estimated, + so far
	// critical path: [task-1 task-2 task-3 task-4 task-5]
}
