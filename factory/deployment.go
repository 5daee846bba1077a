package factory

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
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

// Create asks the platform to create the agent req describes and returns
// the Operation that follows its deployment. Needs the admin role.
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
	return &Operation{c: c, id: cr.DeploymentID, agentID: cr.AgentID}, nil
}

// Deployment reads deployment id once and returns an Operation that follows
// it. An unknown id gives an error matching platform.ErrNotFound.
func (c *Client) Deployment(ctx context.Context, id string) (*Operation, error) {
	if err := c.ok(true); err != nil {
		return nil, err
	}
	op := &Operation{c: c, id: id}
	if _, err := op.Refresh(ctx); err != nil {
		return nil, err
	}
	return op, nil
}

// Operation follows one deployment: Refresh reads it, Watch yields each
// reading until it ends, Wait returns once it has completed. It is safe for
// concurrent use.
type Operation struct {
	c       *Client
	id      string
	mu      sync.Mutex
	agentID string
	last    *Deployment
}

// ID is the deployment's id.
func (o *Operation) ID() string { return o.id }

// AgentID is the id of the agent being deployed.
func (o *Operation) AgentID() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.agentID
}

// Last is the latest reading of the deployment, nil before the first one
// (an Operation from Create has read nothing yet).
func (o *Operation) Last() *Deployment {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.last == nil {
		return nil
	}
	d := *o.last
	return &d
}

// Progress is the latest reading's progress, 0-100 (0 before the first).
func (o *Operation) Progress() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.last == nil {
		return 0
	}
	return o.last.Progress
}

// Done reports whether the latest reading shows the deployment ended
// (completed or failed).
func (o *Operation) Done() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last != nil && o.last.Status.Terminal()
}

// Refresh reads the deployment now and keeps the reading (see Last).
func (o *Operation) Refresh(ctx context.Context) (*Deployment, error) {
	if o == nil {
		return nil, errNoClient
	}
	if err := o.c.ok(true); err != nil {
		return nil, err
	}
	p, err := platform.Path(deploymentPath, o.id)
	if err != nil {
		return nil, fmt.Errorf("factory: deployment: %w", err)
	}
	var d Deployment
	if err := o.c.pc.Do(ctx, "GET", p, nil, nil, &d); err != nil {
		return nil, err
	}
	o.mu.Lock()
	o.last = &d
	if d.AgentID != "" {
		o.agentID = d.AgentID
	}
	o.mu.Unlock()
	return &d, nil
}

// Watch reads the deployment at once and then every poll interval (see
// WithPollInterval), yielding each reading, until it yields one that has
// ended (completed or failed). It also ends after yielding an error (from
// Refresh, or ctx's error once ctx is done: waits end at once) or when the
// loop stops early. Use it to show progress:
//
//	for d, err := range op.Watch(ctx) {
//		if err != nil {
//			return err
//		}
//		fmt.Printf("%3d%% %s\n", d.Progress, d.Status)
//	}
func (o *Operation) Watch(ctx context.Context) iter.Seq2[Deployment, error] {
	return func(yield func(Deployment, error) bool) {
		read := func(ctx context.Context) (Deployment, error) {
			d, err := o.Refresh(ctx)
			if err != nil {
				return Deployment{}, err
			}
			return *d, nil
		}
		done := func(d Deployment) bool { return d.Status.Terminal() }
		for d, err := range platform.Poll(ctx, o.interval(), read, done) {
			if err != nil && errors.Is(err, ctx.Err()) { // the wait ended: say which
				err = fmt.Errorf("factory: watch deployment %s: %w", o.id, err)
			}
			if !yield(d, err) {
				return
			}
		}
	}
}

// interval is how long Watch waits between two readings; a nil Operation
// (whose Refresh fails at once) never waits.
func (o *Operation) interval() time.Duration {
	if o == nil || o.c == nil {
		return 0
	}
	return o.c.poll
}

// Wait reads the deployment until it has ended and returns the last
// reading: with a nil error when it completed (the agent is then online),
// with an error matching ErrDeploymentFailed when it failed. It gives up
// with ctx's error when ctx is done (waits end at once) and with Refresh's
// error when a read fails.
func (o *Operation) Wait(ctx context.Context) (*Deployment, error) {
	var last *Deployment
	for d, err := range o.Watch(ctx) {
		if err != nil {
			return last, err
		}
		last = &d
	}
	if last == nil {
		return nil, fmt.Errorf("factory: wait for deployment %s: stopped", o.id)
	}
	if last.Status == DeploymentFailed {
		why := last.Error
		if why == "" {
			why = "no reason given"
		}
		return last, fmt.Errorf("factory: deployment %s of agent %s: %s: %w", o.id, last.AgentID, why, ErrDeploymentFailed)
	}
	return last, nil
}
