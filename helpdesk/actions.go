package helpdesk

import (
	"context"
	"fmt"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// Action is a quick action of the help desk. Values this package does not
// know decode without error; Valid reports false for them.
type Action string

// Quick actions.
const (
	// ActionRestartAgent restarts an agent: starting at once, online 30 s
	// later on the platform's clock.
	ActionRestartAgent Action = "restart-agent"
	// ActionClearCache clears an agent's cache; nothing else about the
	// agent changes.
	ActionClearCache Action = "clear-cache"
	// ActionRetryWorkflow retries the failed task of a failed workflow.
	ActionRetryWorkflow Action = "retry-workflow"
)

// Valid reports whether a is one of the actions this package knows.
func (a Action) Valid() bool {
	return a == ActionRestartAgent || a == ActionClearCache || a == ActionRetryWorkflow
}

// ActionStatus is the outcome of a quick action. Values this package does
// not know decode without error.
type ActionStatus string

// Action statuses.
const (
	// ActionDone: the platform has done what the action asks (a restarted
	// agent is starting, a retried workflow running).
	ActionDone ActionStatus = "done"
)

// AgentActionRequest is the body of the restart-agent and clear-cache
// actions.
type AgentActionRequest struct {
	// AgentID is required.
	AgentID string `json:"agent_id"`
}

// RetryWorkflowRequest is the body of the retry-workflow action.
type RetryWorkflowRequest struct {
	// WorkflowID is required.
	WorkflowID string `json:"workflow_id"`
	// TaskID is the failed task to retry; when empty, the workflow's only
	// failed task (a workflow with several needs it).
	TaskID string `json:"task_id,omitempty"`
}

// ActionResult is what a quick action did.
type ActionResult struct {
	Action Action `json:"action"`
	// TargetID is the agent_id or workflow_id acted on.
	TargetID string `json:"target_id"`
	// TaskID is the task retried, for retry-workflow.
	TaskID  string       `json:"task_id,omitempty"`
	Status  ActionStatus `json:"status"`
	Message string       `json:"message"`
	// Agent is the agent after restart-agent or clear-cache.
	Agent *platform.Agent `json:"agent,omitempty"`
	// CacheClearedAt is when clear-cache cleared the cache, on the
	// platform's clock.
	CacheClearedAt *time.Time `json:"cache_cleared_at,omitempty"`
	// Workflow is the workflow after retry-workflow.
	Workflow *WorkflowSummary `json:"workflow,omitempty"`
}

// RestartAgent restarts agent agentID through its state machine: it is
// starting at once and online (and healthy) 30 s later on the platform's
// clock. An online, offline, error or starting agent can be restarted; a
// stopping or provisioning one gives platform.ErrConflict naming its
// status, and an unknown agent platform.ErrNotFound. Needs the operator
// role.
func (c *Client) RestartAgent(ctx context.Context, agentID string) (*ActionResult, error) {
	return c.act(ctx, ActionRestartAgent, agentID, AgentActionRequest{AgentID: agentID})
}

// ClearCache clears agent agentID's cache and returns when it was cleared
// (ActionResult.CacheClearedAt). Nothing else about the agent changes, and
// clearing again is harmless. A degraded agent whose cache was cleared
// passes Diagnose's agent check. An unknown agent gives
// platform.ErrNotFound. Needs the operator role.
func (c *Client) ClearCache(ctx context.Context, agentID string) (*ActionResult, error) {
	return c.act(ctx, ActionClearCache, agentID, AgentActionRequest{AgentID: agentID})
}

// RetryWorkflow retries failed task taskID of failed workflow workflowID
// (taskID "" for the workflow's only failed task): the task runs again and
// the workflow is running. A workflow with several failed tasks and no
// taskID gives platform.ErrInvalidArgument naming them; a workflow that has
// not failed, or a task that has not, gives platform.ErrConflict naming the
// status; an unknown workflow or task platform.ErrNotFound. Needs the
// operator role.
func (c *Client) RetryWorkflow(ctx context.Context, workflowID, taskID string) (*ActionResult, error) {
	return c.act(ctx, ActionRetryWorkflow, workflowID, RetryWorkflowRequest{WorkflowID: workflowID, TaskID: taskID})
}

// Run runs the quick action rec recommends (from Diagnose). An action this
// package does not know gives an error matching platform.ErrInvalidArgument,
// with no request sent.
func (c *Client) Run(ctx context.Context, rec Recommendation) (*ActionResult, error) {
	switch rec.Action {
	case ActionRestartAgent:
		return c.RestartAgent(ctx, rec.TargetID)
	case ActionClearCache:
		return c.ClearCache(ctx, rec.TargetID)
	case ActionRetryWorkflow:
		return c.RetryWorkflow(ctx, rec.TargetID, rec.TaskID)
	}
	return nil, fmt.Errorf("helpdesk: run %q on %s: unknown action (this client runs %s, %s and %s): %w",
		rec.Action, rec.TargetID, ActionRestartAgent, ActionClearCache, ActionRetryWorkflow, platform.ErrInvalidArgument)
}

func (c *Client) act(ctx context.Context, a Action, target string, body any) (*ActionResult, error) {
	if target == "" {
		what := "agent"
		if a == ActionRetryWorkflow {
			what = "workflow"
		}
		return nil, fmt.Errorf("helpdesk: %s: no %s id given: %w", a, what, platform.ErrInvalidArgument)
	}
	var res ActionResult
	if err := c.call(ctx, "POST", actionsPath+string(a), body, &res); err != nil {
		return nil, fmt.Errorf("helpdesk: %s %s: %w", a, target, err)
	}
	return &res, nil
}
