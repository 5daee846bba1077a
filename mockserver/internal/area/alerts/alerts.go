package alerts

import (
	"net/http"

	"github.com/waooaw/waooaw-go/mockserver/internal/area"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
	"github.com/waooaw/waooaw-go/platform"
)

// Routes are the alerts routes, served over env.
func Routes(env *area.Env) []*httpapi.Route { return (&handlers{env}).routes() }

// handlers are the handlers of the alerts routes.
type handlers struct{ *area.Env }

func (h *handlers) routes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Pattern: "/api/platform/alerts", Role: core.RoleViewer, Handle: h.listAlerts},
		{Method: "POST", Pattern: "/api/platform/alerts/{id}/acknowledge", Role: core.RoleOperator, Lookup: h.alertExists, Handle: h.alertAction(core.ActAcknowledge)},
		{Method: "POST", Pattern: "/api/platform/alerts/{id}/resolve", Role: core.RoleOperator, Lookup: h.alertExists, Handle: h.alertAction(core.ActResolve)},
	}
}

func (h *handlers) listAlerts(rc *httpapi.Request) (int, any, *core.Error) {
	q := rc.R.URL.Query()
	severity, status := platform.AlertSeverity(q.Get("severity")), platform.AlertStatus(q.Get("status"))
	if severity != "" && !severity.Valid() {
		return 0, nil, core.InvalidField("severity", "must be one of critical, warning, info")
	}
	if status != "" && !status.Valid() {
		return 0, nil, core.InvalidField("status", "must be one of active, acknowledged, resolved")
	}
	p, e := h.World().Alerts.Page(q, severity, status)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, httpapi.ListBody("alerts", p), nil
}

// alertExists is the 404 check of the {id} alert routes.
func (h *handlers) alertExists(rc *httpapi.Request) *core.Error {
	if _, ok := h.World().Alerts.Get(rc.Param("id")); !ok {
		return core.NotFound("alert %q not found", rc.Param("id"))
	}
	return nil
}

func (h *handlers) alertAction(act core.AlertAction) httpapi.Handler {
	return func(rc *httpapi.Request) (int, any, *core.Error) {
		if e := rc.DecodeOptional(&struct{}{}); e != nil {
			return 0, nil, e
		}
		a, e := h.World().ActAlert(rc.Param("id"), act, rc.Actor(""), rc.Now)
		if e != nil {
			return 0, nil, e
		}
		return http.StatusOK, a, nil
	}
}
