package workflows

import (
	"encoding/json"
	"time"
)

// Status is the state of a workflow.
//
// Workflows move pending → running → completed | failed; running ⇄ paused;
// pending, running or paused → cancelled; failed → running only when a
// failed task is retried. Values this package does not know decode without
// error (the platform may add states); Valid reports false for them.
type Status string

// Workflow statuses.
const (
	StatusPending   Status = "pending"
	StatusRunning   Status = "running"
	StatusPaused    Status = "paused"
	StatusCompleted Status = "completed"
	StatusFailed    Status = "failed"
	StatusCancelled Status = "cancelled"
)

// Valid reports whether s is one of the statuses this package knows.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusRunning, StatusPaused, StatusCompleted, StatusFailed, StatusCancelled:
		return true
	}
	return false
}

// Terminal reports whether a workflow in status s has stopped moving on its
// own: completed, failed or cancelled. A failed workflow runs again only if
// an operator retries a failed task, so waiting for a terminal status is the
// way to follow a workflow to its end.
func (s Status) Terminal() bool {
	switch s {
	case StatusCompleted, StatusFailed, StatusCancelled:
		return true
	}
	return false
}

// TaskStatus is the state of one task in a workflow. Values this package does
// not know decode without error; Valid reports false for them.
type TaskStatus string

// Task statuses.
const (
	TaskPending   TaskStatus = "pending"
	TaskRunning   TaskStatus = "running"
	TaskCompleted TaskStatus = "completed"
	TaskFailed    TaskStatus = "failed"
	TaskCancelled TaskStatus = "cancelled"
)

// Valid reports whether s is one of the task statuses this package knows.
func (s TaskStatus) Valid() bool {
	switch s {
	case TaskPending, TaskRunning, TaskCompleted, TaskFailed, TaskCancelled:
		return true
	}
	return false
}

// Workflow is an orchestration workflow: tasks run by agents for a customer,
// ordered by their dependencies. Progress and the task counts are computed by
// the platform from the tasks.
type Workflow struct {
	WorkflowID   string `json:"workflow_id"`
	WorkflowName string `json:"workflow_name"`
	CustomerID   string `json:"customer_id"`
	CustomerName string `json:"customer_name"`
	Status       Status `json:"status"`
	// Progress is the share of tasks completed, an integer percentage 0-100.
	Progress       int `json:"progress"`
	TotalTasks     int `json:"total_tasks"`
	CompletedTasks int `json:"completed_tasks"`
	FailedTasks    int `json:"failed_tasks"`
	// CreatedAt is when the workflow was created.
	CreatedAt time.Time `json:"created_at"`
	// StartedAt is when the workflow first ran; nil (JSON null) while pending.
	StartedAt *time.Time `json:"started_at"`
	// CompletedAt is when the workflow reached completed, failed or
	// cancelled; nil (JSON null) until then.
	CompletedAt *time.Time `json:"completed_at"`
	// Tasks are the workflow's tasks in the platform's order. Always present
	// in JSON, [] when there are none.
	Tasks []Task `json:"tasks"`
}

// Task returns the task with the given id, and false when w has none.
func (w Workflow) Task(id string) (Task, bool) {
	for _, t := range w.Tasks {
		if t.TaskID == id {
			return t, true
		}
	}
	return Task{}, false
}

// MarshalJSON encodes w with tasks as [] rather than null when there are none.
func (w Workflow) MarshalJSON() ([]byte, error) {
	type workflow Workflow // no methods: avoids recursion
	if w.Tasks == nil {
		w.Tasks = []Task{}
	}
	return json.Marshal(workflow(w))
}

// Task is one step of a workflow, run by one agent once every task it
// depends on has completed.
type Task struct {
	TaskID   string     `json:"task_id"`
	TaskName string     `json:"task_name"`
	Status   TaskStatus `json:"status"`
	// AgentID is the agent that runs the task.
	AgentID string `json:"agent_id"`
	// Dependencies are the ids of the tasks that must complete before this
	// one starts. Always present in JSON, [] when there are none.
	Dependencies []string `json:"dependencies"`
	// EstimatedDurationMS is how long the task is planned to take, in
	// milliseconds.
	EstimatedDurationMS int64 `json:"estimated_duration_ms"`
	// DurationMS is how long the task ran, in milliseconds: the final figure
	// once it has ended, the time so far while it runs. Nil (omitted) until
	// the task starts.
	DurationMS *int64 `json:"duration_ms,omitempty"`
	// StartedAt is when the task last started; nil (JSON null) until then.
	StartedAt *time.Time `json:"started_at"`
	// CompletedAt is when the task last ended (completed, failed or
	// cancelled); nil (JSON null) until then.
	CompletedAt *time.Time `json:"completed_at"`
	// Error says why the task failed; empty (omitted) unless it failed.
	Error string `json:"error,omitzero"`
	// RetryCount is how many times the task has been retried; omitted when 0.
	RetryCount int `json:"retry_count,omitzero"`
}

// MarshalJSON encodes t with dependencies as [] rather than null when there
// are none.
func (t Task) MarshalJSON() ([]byte, error) {
	type task Task // no methods: avoids recursion
	if t.Dependencies == nil {
		t.Dependencies = []string{}
	}
	return json.Marshal(task(t))
}
