package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/platform"
)

// Deployment timing on the clock.
const (
	// deployQueueDelay is how long a deployment is pending before its
	// first step starts.
	deployQueueDelay = 5 * time.Second
)

// Figures of an agent made by the factory once it is online, for the
// dashboard.
const (
	factoryAgentRPM     = 12
	factoryAgentTPM     = 5
	factoryAgentErrRate = 0.005
	factoryAgentP95MS   = 150
)

// deployment is a factory deployment. It is never changed after it is
// made: its status, steps and progress are derived from the clock when read.
type deployment struct {
	id, agentID, templateID string
	created                 time.Time
	steps                   []template.Step
	tl                      Timeline // from created + deployQueueDelay, a step each
}

// newDeployment plans the deployment of spec from now: the spec's steps in
// order, each of its duration (template.CheckSpec has kept it within
// template.MinStepDuration-MaxStepDuration: a template cannot make a
// deployment instant or endless).
func newDeployment(templateID string, spec template.Spec, now time.Time) *deployment {
	d := &deployment{templateID: templateID, created: now, tl: Timeline{Start: now.Add(deployQueueDelay)}}
	for _, s := range spec.Steps {
		d.steps = append(d.steps, template.Step{Name: s.Name, DurationMS: s.DurationMS})
		d.tl.Durs = append(d.tl.Durs, time.Duration(s.DurationMS)*time.Millisecond)
	}
	return d
}

// end is when the last step completes: the agent is online from then on.
func (d *deployment) end() time.Time { return d.tl.End() }

// due is when the deployment's status next changes after t (zero: never
// again).
func (d *deployment) due(t time.Time) time.Time {
	switch {
	case t.Before(d.tl.Start):
		return d.tl.Start
	case t.Before(d.end()):
		return d.end()
	}
	return time.Time{}
}

// status is the deployment's status as of now: view's, without the rest.
func (d *deployment) status(now time.Time) factory.DeploymentStatus {
	switch {
	case now.Before(d.tl.Start):
		return factory.DeploymentPending
	case !now.Before(d.end()):
		return factory.DeploymentCompleted
	}
	return factory.DeploymentRunning
}

// view is the deployment as of now.
func (d *deployment) view(now time.Time) factory.Deployment {
	ptr := func(t time.Time) *time.Time { return &t }
	out := factory.Deployment{
		DeploymentID: d.id,
		AgentID:      d.agentID,
		TemplateID:   d.templateID,
		CreatedAt:    d.created,
		Steps:        make([]factory.Step, len(d.steps)),
	}
	for i, s := range d.steps {
		st := factory.Step{Name: s.Name, Status: factory.StepPending, EstimatedDurationMS: s.DurationMS}
		switch state, from, to := d.tl.Step(i, now); state {
		case StepRunning:
			st.Status, st.StartedAt = factory.StepRunning, ptr(from)
		case StepDone:
			st.Status, st.StartedAt, st.CompletedAt = factory.StepCompleted, ptr(from), ptr(to)
		}
		out.Steps[i] = st
	}
	switch out.Status = d.status(now); out.Status {
	case factory.DeploymentCompleted:
		out.Progress, out.CompletedAt = 100, ptr(d.end())
	case factory.DeploymentRunning:
		out.Progress = min(d.tl.Percent(now), 99)
	}
	return out
}

// factoryStore holds the deployments.
type factoryStore struct {
	mu    *sync.Mutex // the World's one lock (World.share)
	byID  map[string]*deployment
	order []*deployment // in id order (ids grow with seq)
	seq   int
}

func newFactoryStore() *factoryStore {
	return &factoryStore{mu: new(sync.Mutex), byID: map[string]*deployment{}}
}

// add stores d under the next deployment id and returns it; st.mu is
// held.
func (st *factoryStore) add(d *deployment) string {
	st.seq++
	d.id = fmt.Sprintf("dep-%04d", st.seq)
	st.byID[d.id] = d
	st.order = append(st.order, d)
	return d.id
}

// Get returns deployment id as of now.
func (st *factoryStore) Get(id string, now time.Time) (factory.Deployment, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	d, ok := st.byID[id]
	if !ok {
		return factory.Deployment{}, false
	}
	return d.view(now), true
}

// TemplateFailureOf is the answer when template id (or the source, for "")
// could not be used:
//   - 500 template_failed: the template's own error or panic; the same
//     call fails the same way, so retrying does not help;
//   - 502 template_refused: the template answered something that breaks
//     the rules every template follows (the message names the rule);
//   - 504 template_timeout: it did not answer in time;
//   - 503 unavailable: it could not serve (a plugin that crashed, is
//     backing off after crashes, or is gone); retrying may help.
func TemplateFailureOf(id string, err error) *Error {
	who := "a template"
	if id != "" {
		who = fmt.Sprintf("template %q", id)
	}
	switch {
	case errors.Is(err, template.ErrFailed):
		return Errorf(http.StatusInternalServerError, "template_failed", "%s failed: %v; retrying will not help: fix the template or use another", who, err)
	case errors.Is(err, template.ErrRefused):
		return Errorf(http.StatusBadGateway, "template_refused", "%s gave an answer the factory refuses: %v; fix the template", who, err)
	case errors.Is(err, context.DeadlineExceeded):
		return Errorf(http.StatusGatewayTimeout, "template_timeout", "%s did not answer in time: %v", who, err)
	}
	return Errorf(http.StatusServiceUnavailable, "unavailable", "%s could not be used: %v; try again later", who, err)
}

// InvalidRequest is the 400 of a creation request that breaks the rules,
// with every problem in details.
func InvalidRequest(issues []template.Issue) *Error {
	details := make([]platform.FieldIssue, len(issues))
	for i, is := range issues {
		details[i] = platform.FieldIssue{Field: is.Field, Issue: is.Issue}
	}
	msg := "the request is not valid"
	if len(issues) > 0 {
		msg = fmt.Sprintf("the request is not valid: %s: %s", issues[0].Field, issues[0].Issue)
		if len(issues) > 1 {
			msg += fmt.Sprintf(" (and %d more problems, see details)", len(issues)-1)
		}
	}
	e := Invalid("%s", msg)
	e.Details = details
	return e
}

// CreateAgent adds the agent a checked factory request made (provisioning,
// version of its template, the config it was made with) and its
// deployment of spec, for by, and tells of both; the agent is online when
// the deployment completes. 409 when the agent's name is taken: then
// nothing is added.
func (w *World) CreateAgent(resolved template.Resolved, version string, spec template.Spec, by Actor, now time.Time) (factory.Created, *Error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	dep := newDeployment(resolved.TemplateID, spec, now)
	a := &agentState{
		Agent: platform.Agent{
			Name:         resolved.AgentName,
			Description:  resolved.Description,
			Tier:         platform.TierBusiness,
			Status:       platform.AgentProvisioning,
			Health:       platform.AgentHealthy,
			Version:      version,
			Capabilities: resolved.Capabilities,
			TemplateID:   resolved.TemplateID,
			CreatedAt:    now,
		},
		readyAt: dep.end(),
		rpm:     factoryAgentRPM,
		tpm:     factoryAgentTPM,
		errRate: factoryAgentErrRate,
		p95MS:   factoryAgentP95MS,
	}
	id, ok := w.Agents.add(a)
	if !ok {
		e := Errorf(http.StatusConflict, "already_exists",
			"an agent named %q already exists (%s): choose another agent_name", resolved.AgentName, id)
		e.Details = []platform.FieldIssue{{Field: "agent_name", Issue: "is already in use by agent " + id}}
		return factory.Created{}, e
	}
	dep.agentID = id
	// The agent's config is the one it was created with (servicing serves
	// it, its sensitive fields masked: sensitive.go).
	if cfg, err := template.DecodeObject(resolved.Config); err == nil {
		w.Servicing.createdConfig(id, AgentConfig{Version: 1, Config: cfg, Updated: now})
	}
	depID := w.Factory.add(dep)
	w.requested(now, by, id, fmt.Sprintf("Factory create of agent %s requested by %s (deployment %s)", id, by.name(), depID),
		map[string]any{"deployment_id": depID, "action": "create", "by": by.name()})
	w.tell(now, subject{kindAgent, id})
	w.tell(now, subject{kindDeployment, depID})
	return factory.Created{AgentID: id, DeploymentID: depID, Status: platform.AgentProvisioning}, nil
}

// TemplateFailure is TemplateFailureOf for a template the caller does not
// name (the error does).
func TemplateFailure(err error) *Error { return TemplateFailureOf("", err) }
