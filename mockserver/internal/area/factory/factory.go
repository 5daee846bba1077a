package factory

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/mockserver/internal/area"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

// Routes are the factory routes, served over env.
func Routes(env *area.Env) []*httpapi.Route { return (&handlers{env}).routes() }

// handlers are the handlers of the factory routes.
type handlers struct{ *area.Env }

func (h *handlers) routes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Pattern: "/api/platform/factory/templates", Role: core.RoleViewer, Handle: h.listTemplates},
		{Method: "GET", Pattern: "/api/platform/factory/templates/{id}", Role: core.RoleViewer, Handle: h.getTemplate},
		{Method: "POST", Pattern: "/api/platform/factory/validate", Role: core.RoleViewer, Handle: h.validateRequest},
		{Method: "POST", Pattern: "/api/platform/factory/estimate-cost", Role: core.RoleViewer, Handle: h.estimateCost},
		{Method: "POST", Pattern: "/api/platform/factory/agents", Role: core.RoleAdmin, Handle: h.createAgent},
		{Method: "GET", Pattern: "/api/platform/factory/deployments/{id}", Role: core.RoleViewer, Handle: h.getDeployment},
	}
}

func (h *handlers) listTemplates(rc *httpapi.Request) (int, any, *core.Error) {
	list, err := h.Templates.List(rc.R.Context())
	if err != nil {
		return 0, nil, core.TemplateFailureOf("", err)
	}
	p, e := core.Paginate(rc.R.URL.Query(), "factory.templates", list)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, httpapi.ListBody("templates", p), nil
}

func (h *handlers) getTemplate(rc *httpapi.Request) (int, any, *core.Error) {
	id := rc.Param("id")
	t, err := h.Templates.Get(rc.R.Context(), id)
	switch {
	case errors.Is(err, template.ErrNotFound):
		return 0, nil, core.NotFound("template %q not found", id)
	case err != nil:
		return 0, nil, core.TemplateFailureOf(id, err)
	case t == nil:
		return 0, nil, core.TemplateFailureOf(id, fmt.Errorf("the source returned no template for %q", id))
	}
	d, err := t.Describe(rc.R.Context())
	if err != nil {
		return 0, nil, core.TemplateFailureOf(id, err)
	}
	return http.StatusOK, d, nil
}

// checkRequest decodes the body as a template.Request and runs the
// factory's rules over it (template.Check, as the SDK does locally).
func (h *handlers) checkRequest(rc *httpapi.Request) (template.Resolved, template.Result, *core.Error) {
	var req template.Request
	if e := rc.Decode(&req); e != nil {
		return template.Resolved{}, template.Result{}, e
	}
	area.MaskJournal(rc, h.SchemaOf(rc.R.Context(), req.TemplateID))
	resolved, res, err := template.Check(rc.R.Context(), h.Templates, req)
	if err != nil {
		return template.Resolved{}, template.Result{}, core.TemplateFailureOf(req.TemplateID, err)
	}
	return resolved, res, nil
}

func (h *handlers) validateRequest(rc *httpapi.Request) (int, any, *core.Error) {
	_, res, e := h.checkRequest(rc)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, res, nil
}

func (h *handlers) estimateCost(rc *httpapi.Request) (int, any, *core.Error) {
	resolved, res, e := h.checkRequest(rc)
	if e != nil {
		return 0, nil, e
	}
	if !res.Valid {
		return 0, nil, core.InvalidRequest(res.Errors)
	}
	return http.StatusOK, template.EstimateCost(resolved.Resources, resolved.Plan), nil
}

// createAgent checks the request, renders it, then adds the agent
// (provisioning) and its deployment; the agent is online when the
// deployment completes. Nothing is stored unless every check passed.
func (h *handlers) createAgent(rc *httpapi.Request) (int, any, *core.Error) {
	resolved, res, e := h.checkRequest(rc)
	if e != nil {
		return 0, nil, e
	}
	if !res.Valid {
		return 0, nil, core.InvalidRequest(res.Errors)
	}
	ctx := rc.R.Context()
	t, err := h.Templates.Get(ctx, resolved.TemplateID)
	if err == nil && t == nil {
		err = fmt.Errorf("the source returned no template for %q", resolved.TemplateID)
	}
	id := resolved.TemplateID
	if err != nil {
		return 0, nil, core.TemplateFailureOf(id, err)
	}
	desc, err := t.Describe(ctx)
	if err != nil {
		return 0, nil, core.TemplateFailureOf(id, err)
	}
	rreq := resolved.RenderRequest()
	spec, err := t.Render(ctx, rreq)
	if err == nil {
		err = template.CheckSpec(desc, rreq, spec) // whatever the source: the built-ins' rules
	}
	if err != nil {
		return 0, nil, core.TemplateFailureOf(id, err)
	}
	created, e := h.World().CreateAgent(resolved, desc.Version, spec, rc.Actor(""), rc.Now)
	if e != nil {
		return 0, nil, e
	}
	rc.Header = http.Header{"Location": {"/api/platform/factory/deployments/" + created.DeploymentID}}
	return http.StatusAccepted, created, nil
}

func (h *handlers) getDeployment(rc *httpapi.Request) (int, any, *core.Error) {
	d, ok := h.World().Factory.Get(rc.Param("id"), rc.Now)
	if !ok {
		return 0, nil, core.NotFound("deployment %q not found", rc.Param("id"))
	}
	return http.StatusOK, d, nil
}
