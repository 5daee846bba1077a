package workflows

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWorkflowJSON(t *testing.T) {
	t.Parallel()
	// A workflow as the platform sends it: unknown fields and an unknown
	// task status must decode (forward compatibility).
	const in = `{
  "workflow_id": "wf-001",
  "workflow_name": "Customer Onboarding",
  "customer_id": "cust-acme",
  "customer_name": "Acme Corp",
  "status": "running",
  "progress": 50,
  "total_tasks": 2,
  "completed_tasks": 1,
  "failed_tasks": 0,
  "created_at": "2026-01-02T09:30:00Z",
  "started_at": "2026-01-02T09:30:00Z",
  "completed_at": null,
  "sla_status": "on_track",
  "tasks": [
    {"task_id": "task-1", "task_name": "Provision Agent", "status": "completed", "agent_id": "wow-orchestrator",
     "dependencies": [], "estimated_duration_ms": 300000, "duration_ms": 240000,
     "started_at": "2026-01-02T09:30:00Z", "completed_at": "2026-01-02T09:34:00Z", "retry_count": 1},
    {"task_id": "task-2", "task_name": "Configure Memory", "status": "warming_up", "agent_id": "wow-memory",
     "dependencies": ["task-1"], "estimated_duration_ms": 480000, "started_at": null, "completed_at": null}
  ]
}`
	var got Workflow
	if err := json.Unmarshal([]byte(in), &got); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	t0 := time.Date(2026, 1, 2, 9, 30, 0, 0, time.UTC)
	want := Workflow{
		WorkflowID: "wf-001", WorkflowName: "Customer Onboarding", CustomerID: "cust-acme", CustomerName: "Acme Corp",
		Status: StatusRunning, Progress: 50, TotalTasks: 2, CompletedTasks: 1,
		CreatedAt: t0, StartedAt: &t0,
		Tasks: []Task{
			{
				TaskID: "task-1", TaskName: "Provision Agent", Status: TaskCompleted, AgentID: "wow-orchestrator",
				Dependencies: []string{}, EstimatedDurationMS: 300000, DurationMS: ptr(int64(240000)),
				StartedAt: &t0, CompletedAt: ptr(t0.Add(4 * time.Minute)), RetryCount: 1,
			},
			{
				TaskID: "task-2", TaskName: "Configure Memory", Status: "warming_up", AgentID: "wow-memory",
				Dependencies: []string{"task-1"}, EstimatedDurationMS: 480000,
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded workflow mismatch (-want +got):\n%s", diff)
	}
	if got.Tasks[1].Status.Valid() {
		t.Errorf("TaskStatus(%q).Valid() = true, want false", got.Tasks[1].Status)
	}
}

func TestWorkflowJSONEncoding(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 1, 2, 9, 30, 0, 0, time.UTC)
	w := Workflow{
		WorkflowID: "wf-9", WorkflowName: "Empty", CustomerID: "c", CustomerName: "C",
		Status: StatusPending, CreatedAt: created,
		Tasks: []Task{{TaskID: "t", TaskName: "T", Status: TaskPending, AgentID: "a", EstimatedDurationMS: 1000}},
	}
	got, err := json.Marshal(w)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	// Unset times are null, dependencies are [] not null, and unset optional
	// fields (duration_ms, error, retry_count) are omitted.
	want := `{"workflow_id":"wf-9","workflow_name":"Empty","customer_id":"c","customer_name":"C","status":"pending",` +
		`"progress":0,"total_tasks":0,"completed_tasks":0,"failed_tasks":0,"created_at":"2026-01-02T09:30:00Z",` +
		`"started_at":null,"completed_at":null,"tasks":[{"task_id":"t","task_name":"T","status":"pending",` +
		`"agent_id":"a","dependencies":[],"estimated_duration_ms":1000,"started_at":null,"completed_at":null}]}`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("Marshal mismatch (-want +got):\n%s", diff)
	}

	w.Tasks = nil
	got, err = json.Marshal(&w)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(got, &fields); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if string(fields["tasks"]) != "[]" {
		t.Errorf(`"tasks" = %s, want []`, fields["tasks"])
	}

	// A started task carries duration_ms even when it is 0, and its error.
	task := Task{TaskID: "t", Status: TaskFailed, DurationMS: ptr(int64(0)), StartedAt: &created, Error: "API timeout after 30s", RetryCount: 3}
	got, err = json.Marshal(task)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	fields = nil
	if err := json.Unmarshal(got, &fields); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	for key, want := range map[string]string{"duration_ms": "0", "error": `"API timeout after 30s"`, "retry_count": "3", "started_at": `"2026-01-02T09:30:00Z"`} {
		if string(fields[key]) != want {
			t.Errorf("%q = %s, want %s", key, fields[key], want)
		}
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s               Status
		valid, terminal bool
	}{
		{StatusPending, true, false},
		{StatusRunning, true, false},
		{StatusPaused, true, false},
		{StatusCompleted, true, true},
		{StatusFailed, true, true},
		{StatusCancelled, true, true},
		{"", false, false},
		{"archived", false, false},
		{"Running", false, false},
	}
	for _, tt := range tests {
		if got := tt.s.Valid(); got != tt.valid {
			t.Errorf("Status(%q).Valid() = %v, want %v", tt.s, got, tt.valid)
		}
		if got := tt.s.Terminal(); got != tt.terminal {
			t.Errorf("Status(%q).Terminal() = %v, want %v", tt.s, got, tt.terminal)
		}
	}
}

func TestTaskStatusValid(t *testing.T) {
	t.Parallel()
	for _, s := range []TaskStatus{TaskPending, TaskRunning, TaskCompleted, TaskFailed, TaskCancelled} {
		if !s.Valid() {
			t.Errorf("TaskStatus(%q).Valid() = false, want true", s)
		}
	}
	for _, s := range []TaskStatus{"", "paused", "COMPLETED"} {
		if s.Valid() {
			t.Errorf("TaskStatus(%q).Valid() = true, want false", s)
		}
	}
}

func TestWorkflowTask(t *testing.T) {
	t.Parallel()
	w := Workflow{Tasks: []Task{{TaskID: "a", TaskName: "A"}, {TaskID: "b", TaskName: "B"}}}
	if got, ok := w.Task("b"); !ok || got.TaskName != "B" {
		t.Errorf(`Task("b") = %+v, %v; want task B, true`, got, ok)
	}
	if got, ok := w.Task("c"); ok {
		t.Errorf(`Task("c") = %+v, true; want false`, got)
	}
}

func ptr[T any](v T) *T { return &v }
