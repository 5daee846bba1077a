package helpdesk

import (
	"context"
	"fmt"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// CheckStatus is the outcome of one diagnostic check. Values this package
// does not know decode without error; Valid reports false for them.
type CheckStatus string

// Check statuses, best first.
const (
	CheckPass CheckStatus = "pass"
	CheckWarn CheckStatus = "warn"
	CheckFail CheckStatus = "fail"
)

// Valid reports whether s is one of the check statuses this package knows.
func (s CheckStatus) Valid() bool { return s == CheckPass || s == CheckWarn || s == CheckFail }

// Names of the checks Diagnose runs. Agents and workflows are checked one
// by one (AgentCheck, WorkflowCheck).
const (
	// CheckDeadLetters counts the dead letters, in every queue, whose
	// payload names the customer: warn above 0, fail above 10.
	CheckDeadLetters = "dead_letters"
	// CheckIncidentSLA looks at the customer's open incidents: fail when
	// one has breached its SLA, warn when one is at risk.
	CheckIncidentSLA = "incident_sla"
)

// AgentCheck is the name of the check of agent agentID ("agent:wow-search"):
// fail when the agent is in error or unhealthy (restart-agent), warn when
// it is degraded (clear-cache; it passes once the cache was cleared),
// offline, starting, stopping or provisioning.
func AgentCheck(agentID string) string { return "agent:" + agentID }

// WorkflowCheck is the name of the check of workflow workflowID
// ("workflow:wf-003"): fail when the workflow has failed (retry-workflow),
// pass otherwise.
func WorkflowCheck(workflowID string) string { return "workflow:" + workflowID }

// Check is one diagnostic check and its outcome.
type Check struct {
	// CheckName is AgentCheck(id), WorkflowCheck(id), CheckDeadLetters or
	// CheckIncidentSLA.
	CheckName string      `json:"check_name"`
	Status    CheckStatus `json:"status"`
	// Message says what was found, for people.
	Message string       `json:"message"`
	Details CheckDetails `json:"details"`
	// Recommendation is the quick action that fixes what the check found;
	// nil when it passed or no quick action applies.
	Recommendation *Recommendation `json:"recommendation,omitempty"`
	// PlaybookID is the playbook for what the check found, when there is
	// one (Client.Playbook).
	PlaybookID string `json:"playbook_id,omitempty"`
}

// CheckDetails are the figures behind a check. Each check sets the fields
// of its kind: agent checks the Agent fields, workflow checks the Workflow
// and task fields, the dead-letter check DeadLetters and ByQueue, the SLA
// check the incident lists.
type CheckDetails struct {
	AgentID     string               `json:"agent_id,omitempty"`
	AgentName   string               `json:"agent_name,omitempty"`
	AgentStatus platform.AgentStatus `json:"agent_status,omitempty"`
	AgentHealth platform.AgentHealth `json:"agent_health,omitempty"`
	// CacheClearedAt is the agent's last cache clear (ClearCache).
	CacheClearedAt *time.Time `json:"cache_cleared_at,omitempty"`

	WorkflowID     string         `json:"workflow_id,omitempty"`
	WorkflowName   string         `json:"workflow_name,omitempty"`
	WorkflowStatus WorkflowStatus `json:"workflow_status,omitempty"`
	// FailedTaskID and TaskError are the first failed task of a failed
	// workflow and why it failed.
	FailedTaskID string `json:"failed_task_id,omitempty"`
	TaskError    string `json:"task_error,omitempty"`

	// DeadLetters counts the customer's dead letters (nil on other checks).
	DeadLetters *int `json:"dead_letters,omitempty"`
	// ByQueue counts them by queue name.
	ByQueue map[string]int `json:"by_queue,omitempty"`

	// OpenIncidents, Breached and AtRisk are incident ids.
	OpenIncidents []string `json:"open_incidents,omitempty"`
	Breached      []string `json:"breached,omitempty"`
	AtRisk        []string `json:"at_risk,omitempty"`
}

// Recommendation is a quick action Diagnose recommends. Client.Run runs it.
type Recommendation struct {
	Action Action `json:"action"`
	// TargetID is the agent_id or workflow_id to act on.
	TargetID string `json:"target_id"`
	// TaskID is the failed task to retry, for retry-workflow.
	TaskID string `json:"task_id,omitempty"`
	// Reason says why, for people.
	Reason string `json:"reason"`
}

// Diagnosis is what Diagnose found about a customer.
type Diagnosis struct {
	CustomerID string `json:"customer_id"`
	// CheckedAt is the platform's clock when the checks ran.
	CheckedAt time.Time `json:"checked_at"`
	// Checks are in a fixed order: the agents (the customer's, then those
	// its open incidents name), the workflows, dead letters, incident SLAs.
	Checks []Check `json:"checks"`
	// RootCause is the message of the most severe check that did not pass
	// (fail before warn; at equal status, the first in Checks order, which
	// puts causes before their effects); "" when every check passed.
	RootCause string `json:"root_cause"`
	// Recommendations are the checks' recommendations, in Checks order.
	Recommendations []Recommendation `json:"recommendations"`
}

// Check returns the check named name (see AgentCheck, WorkflowCheck).
func (d *Diagnosis) Check(name string) (Check, bool) {
	for _, c := range d.Checks {
		if c.CheckName == name {
			return c, true
		}
	}
	return Check{}, false
}

// Healthy reports whether every check passed.
func (d *Diagnosis) Healthy() bool {
	for _, c := range d.Checks {
		if c.Status != CheckPass {
			return false
		}
	}
	return true
}

// Diagnose runs the platform's checks over customer customerID's agents
// (its own and those its open incidents name), workflows, dead letters and
// open incidents, and returns their outcomes with the root cause and the
// recommended quick actions (run them with Run). The checks are
// deterministic for the platform's state and clock. An unknown customer
// gives platform.ErrNotFound. Needs the operator role.
func (c *Client) Diagnose(ctx context.Context, customerID string) (*Diagnosis, error) {
	var d Diagnosis
	if err := c.call(ctx, "POST", diagnosePath, nil, &d, customerID); err != nil {
		return nil, fmt.Errorf("helpdesk: diagnose %s: %w", customerID, err)
	}
	return &d, nil
}
