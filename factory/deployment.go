package factory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/platform"
)

// DeploymentStatus is where a deployment is.
type DeploymentStatus string

// Deployment statuses: pending → running → completed or failed. Unknown
// values from newer servers decode as they are.
const (
	DeploymentPending   DeploymentStatus = "pending"
	DeploymentRunning   DeploymentStatus = "running"
	DeploymentCompleted DeploymentStatus = "completed"
	DeploymentFailed    DeploymentStatus = "failed"
)

// Terminal reports whether the deployment has ended (completed or failed):
// it will not change any more.
func (s DeploymentStatus) Terminal() bool {
	return s == DeploymentCompleted || s == DeploymentFailed
}

// StepStatus is where one step of a deployment is.
type StepStatus string

// Step statuses.
const (
	StepPending   StepStatus = "pending"
	StepRunning   StepStatus = "running"
	StepCompleted StepStatus = "completed"
	StepFailed    StepStatus = "failed"
)

// Names of the steps of a deployment of a built-in template, in order.
// Plugin templates may name other steps.
const (
	StepValidate    = template.StepValidate
	StepAllocate    = template.StepAllocate
	StepProvision   = template.StepProvision
	StepConfigure   = template.StepConfigure
	StepHealthCheck = template.StepHealthCheck
	StepOnline      = template.StepOnline
)

// Created is the platform's answer to Create: the new agent (listed at
// once, status provisioning) and the deployment bringing it online.
type Created struct {
	AgentID      string               `json:"agent_id"`
	DeploymentID string               `json:"deployment_id"`
	Status       platform.AgentStatus `json:"status"`
}

// Deployment is the progress of an agent's creation: GET
// /api/platform/factory/deployments/{id}.
type Deployment struct {
	DeploymentID string           `json:"deployment_id"`
	AgentID      string           `json:"agent_id"`
	TemplateID   string           `json:"template_id"`
	Status       DeploymentStatus `json:"status"`
	// Progress is 0-100, by the expected time of the steps done.
	Progress int    `json:"progress"`
	Steps    []Step `json:"steps"`
	// Error says why a failed deployment failed.
	Error     string    `json:"error,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// CompletedAt is nil until the deployment has completed.
	CompletedAt *time.Time `json:"completed_at"`
}

// Clone returns a copy of d whose steps are its own: changing one does
// not change the other.
func (d Deployment) Clone() Deployment {
	d.Steps = slices.Clone(d.Steps)
	return d
}

// CurrentStep is the step running now, or nil when none is (the deployment
// is pending or has ended).
func (d Deployment) CurrentStep() *Step {
	for i := range d.Steps {
		if d.Steps[i].Status == StepRunning {
			return &d.Steps[i]
		}
	}
	return nil
}

// Step is one step of a deployment.
type Step struct {
	Name   string     `json:"name"`
	Status StepStatus `json:"status"`
	// EstimatedDurationMS is how long the step is expected to take.
	EstimatedDurationMS int64 `json:"estimated_duration_ms"`
	// StartedAt is nil until the step starts; CompletedAt until it ends.
	StartedAt   *time.Time `json:"started_at"`
	CompletedAt *time.Time `json:"completed_at"`
}

// ErrDeploymentFailed is matched (errors.Is) by the error of Wait when the
// deployment failed; the deployment it returns says why (Error).
var ErrDeploymentFailed = errors.New("factory: the deployment failed")

// Operation follows one deployment: see platform.Operation (Refresh, Watch,
// Wait, Done, Progress, Last). Wait's error matches ErrDeploymentFailed
// when the deployment failed.
type Operation = platform.Operation[Deployment]

// Create asks the platform to create the agent req describes and returns
// the Operation that follows its deployment (its Last is the deployment as
// Create's answer knows it: ids and status pending; AgentID names the new
// agent). Needs the admin role.
//
// The call carries an Idempotency-Key, made once and reused on every
// retry, so a retried Create never makes two agents; pass your own with
// platform.WithIdempotencyKey to make a Create safe to repeat across
// processes (the same key and request give the first answer again; the same
// key with another request gives platform.ErrConflict).
//
// An invalid request gives an error matching platform.ErrInvalidArgument
// whose Details name the problems (ValidateLocal finds them without the
// network); an agent name already in use, by any agent, gives
// platform.ErrConflict.
func (c *Client) Create(ctx context.Context, req Request) (*Operation, error) {
	if err := c.ok(true); err != nil {
		return nil, err
	}
	var cr Created
	if err := c.pc.Do(ctx, "POST", agentsPath, nil, req, &cr); err != nil {
		return nil, err
	}
	if cr.DeploymentID == "" {
		return nil, fmt.Errorf("factory: create %s: the platform answered no deployment_id", req.AgentName)
	}
	first := Deployment{DeploymentID: cr.DeploymentID, AgentID: cr.AgentID, TemplateID: req.TemplateID, Status: DeploymentPending}
	return c.operation(first), nil
}

// Deployment reads deployment id once and returns an Operation that follows
// it. An unknown id gives an error matching platform.ErrNotFound.
func (c *Client) Deployment(ctx context.Context, id string) (*Operation, error) {
	if err := c.ok(true); err != nil {
		return nil, err
	}
	d, err := c.readDeployment(ctx, id)
	if err != nil {
		return nil, err
	}
	return c.operation(*d), nil
}

func (c *Client) operation(first Deployment) *Operation {
	return platform.NewOperation(c.pc, "factory: deployment", first.DeploymentID, first, c.readDeployment, judgeDeployment)
}

func (c *Client) readDeployment(ctx context.Context, id string) (*Deployment, error) {
	p, err := platform.Path(deploymentPath, id)
	if err != nil {
		return nil, fmt.Errorf("factory: deployment: %w", err)
	}
	var d Deployment
	if err := c.pc.Do(ctx, "GET", p, nil, nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// judgeDeployment: done when completed or failed; a failure is Wait's error.
func judgeDeployment(d Deployment) platform.OperationState {
	st := platform.OperationState{Done: d.Status.Terminal(), Progress: d.Progress}
	if d.Status == DeploymentFailed {
		why := d.Error
		if why == "" {
			why = "no reason given"
		}
		st.Err = fmt.Errorf("factory: deployment %s of agent %s: %s: %w", d.DeploymentID, d.AgentID, why, ErrDeploymentFailed)
	}
	return st
}
