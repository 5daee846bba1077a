package factory

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/platform"
)

// Wizard builds a Request step by step, as the portal's factory wizard
// does: ChooseTemplate, Configure, SetResources, then Review and Deploy.
// Each step checks the request so far locally (template.Check over the
// client's template source, no network) and returns the problems of its own
// fields, so a form can show them next to the fields it just asked for.
// Steps may be repeated, in any order after ChooseTemplate; Review reports
// everything.
//
// A Wizard is not safe for concurrent use.
type Wizard struct {
	c    *Client
	req  Request
	desc *Description // nil until a known template is chosen
}

// Configuration is what the configure step sets.
type Configuration struct {
	// AgentName is required: 3-63 letters, digits, '-' and '_', unique on
	// the platform.
	AgentName string
	// Description is optional, at most 200 characters.
	Description string
	// Capabilities empty means the template's required ones; otherwise it is
	// the whole list and must include them.
	Capabilities []string
	// Config holds the template's config fields that differ from its
	// default config (a JSON object); nil keeps the default.
	Config json.RawMessage
}

// Review is the whole request, checked and priced: what the review step
// shows before Deploy.
type Review struct {
	// Template is the chosen template.
	Template Description
	// Request is what Deploy sends.
	Request Request
	// Resolved is Request with every default applied.
	Resolved Resolved
	// Result lists every problem of the request; Deploy refuses it unless
	// Result.Valid.
	Result Result
	// Cost is the monthly estimate of Resolved's resources and plan,
	// computed locally with the platform's prices (template.EstimateCost).
	Cost Cost
}

// NewWizard starts a wizard whose requests are checked against the
// client's template source and created through the client.
func (c *Client) NewWizard() *Wizard { return &Wizard{c: c} }

// ready is the error a step returns before it does anything: no client,
// or a client with an invalid option.
func (w *Wizard) ready() error {
	if w == nil {
		return errNoClient
	}
	return w.c.ok(false)
}

// errNoTemplate is returned by the steps after ChooseTemplate until a known
// template has been chosen.
var errNoTemplate = errors.New("factory: wizard: choose a known template first (ChooseTemplate)")

// wizard steps, by the fields each one owns.
type wizardStep int

const (
	stepTemplate wizardStep = iota
	stepConfigure
	stepResources
	stepOther
)

// stepOf names the step that owns a field of a Request.
func stepOf(field string) wizardStep {
	root, _, _ := strings.Cut(field, ".")
	root, _, _ = strings.Cut(root, "[")
	switch root {
	case "template_id":
		return stepTemplate
	case "agent_name", "description", "capabilities", "config":
		return stepConfigure
	case "resources", "plan":
		return stepResources
	}
	return stepOther
}

// ChooseTemplate is the first step: it picks the template by id from the
// client's template source. An unknown id is reported in the Result (field
// template_id) and leaves no template chosen. Choosing another template
// than the current one clears what belonged to the old one: capabilities,
// config and resources. The error is non-nil only when the source failed.
func (w *Wizard) ChooseTemplate(ctx context.Context, id string) (Result, error) {
	if err := w.ready(); err != nil {
		return Result{}, err
	}
	if id != w.req.TemplateID || w.desc == nil {
		w.req.TemplateID = id
		w.req.Capabilities, w.req.Config, w.req.Resources = nil, nil, nil
		w.desc = nil
		if id != "" {
			t, err := w.c.src.Get(ctx, id)
			switch {
			case errors.Is(err, template.ErrNotFound):
			case err != nil:
				return Result{}, fmt.Errorf("factory: wizard: template %s: %w", id, err)
			case t != nil:
				d, err := t.Describe(ctx)
				if err != nil {
					return Result{}, fmt.Errorf("factory: wizard: describe %s: %w", id, err)
				}
				w.desc = &d
			}
		}
	}
	return w.check(ctx, stepTemplate)
}

// Template is the chosen template, if a known one has been chosen.
func (w *Wizard) Template() (Description, bool) {
	if w.desc == nil {
		return Description{}, false
	}
	return cloneDescription(*w.desc), true
}

// cloneDescription copies d's slices, so a caller's changes stay its own.
func cloneDescription(d Description) Description {
	d.ConfigSchema = bytes.Clone(d.ConfigSchema)
	d.DefaultConfig = bytes.Clone(d.DefaultConfig)
	d.RequiredCapabilities = slices.Clip(slices.Clone(d.RequiredCapabilities))
	d.OptionalCapabilities = slices.Clip(slices.Clone(d.OptionalCapabilities))
	return d
}

// Configure is the second step: the agent's name, description,
// capabilities and config. The Result holds the problems of those fields
// only. It fails when no known template has been chosen.
func (w *Wizard) Configure(ctx context.Context, cfg Configuration) (Result, error) {
	if err := w.ready(); err != nil {
		return Result{}, err
	}
	if w.desc == nil {
		return Result{}, errNoTemplate
	}
	w.req.AgentName = cfg.AgentName
	w.req.Description = cfg.Description
	w.req.Capabilities = slices.Clone(cfg.Capabilities)
	w.req.Config = bytes.Clone(cfg.Config)
	return w.check(ctx, stepConfigure)
}

// SetResources is the third step: the resources (a zero field takes the
// template's default) and the plan ("" is professional). The Result holds
// the problems of those fields only, and warnings for resources below the
// template's defaults. It fails when no known template has been chosen.
func (w *Wizard) SetResources(ctx context.Context, r Resources, plan Plan) (Result, error) {
	if err := w.ready(); err != nil {
		return Result{}, err
	}
	if w.desc == nil {
		return Result{}, errNoTemplate
	}
	w.req.Resources = &r
	w.req.Plan = plan
	return w.check(ctx, stepResources)
}

// Request is the request built so far.
func (w *Wizard) Request() Request {
	r := w.req
	r.Capabilities = slices.Clone(r.Capabilities)
	r.Config = bytes.Clone(r.Config)
	if r.Resources != nil {
		res := *r.Resources
		r.Resources = &res
	}
	return r
}

// Review checks the whole request locally and prices it. It fails when no
// known template has been chosen or the check could not run.
func (w *Wizard) Review(ctx context.Context) (*Review, error) {
	if err := w.ready(); err != nil {
		return nil, err
	}
	if w.desc == nil {
		return nil, errNoTemplate
	}
	req := w.Request()
	resolved, res, err := template.Check(ctx, w.c.src, req)
	if err != nil {
		return nil, fmt.Errorf("factory: wizard: review: %w", err)
	}
	return &Review{
		Template: cloneDescription(*w.desc),
		Request:  req,
		Resolved: resolved,
		Result:   res,
		Cost:     template.EstimateCost(resolved.Resources, resolved.Plan),
	}, nil
}

// Deploy reviews the request and, when it is valid, creates the agent
// (Client.Create; needs the admin role). An invalid request is not sent: the
// error matches platform.ErrInvalidArgument and names every problem.
func (w *Wizard) Deploy(ctx context.Context) (*Operation, error) {
	rv, err := w.Review(ctx)
	if err != nil {
		return nil, err
	}
	if !rv.Result.Valid {
		parts := make([]string, len(rv.Result.Errors))
		for i, e := range rv.Result.Errors {
			parts[i] = e.Field + ": " + e.Issue
		}
		return nil, fmt.Errorf("factory: wizard: the request is not valid (%s): %w",
			strings.Join(parts, "; "), platform.ErrInvalidArgument)
	}
	return w.c.Create(ctx, rv.Request)
}

// check runs the rules over the request so far and keeps the issues of
// one step.
func (w *Wizard) check(ctx context.Context, step wizardStep) (Result, error) {
	_, res, err := template.Check(ctx, w.c.src, w.req)
	if err != nil {
		return Result{}, fmt.Errorf("factory: wizard: %w", err)
	}
	keep := func(is []Issue) []Issue {
		out := []Issue{}
		for _, i := range is {
			if stepOf(i.Field) == step {
				out = append(out, i)
			}
		}
		return out
	}
	out := Result{Errors: keep(res.Errors), Warnings: keep(res.Warnings)}
	out.Valid = len(out.Errors) == 0
	return out, nil
}
