package server

import (
	"net/http"

	"github.com/waooaw/waooaw-go/mockserver/internal/area"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

// dashboardArea are the handlers of the dashboard routes.
type dashboardArea struct{ *area.Env }

func (h *dashboardArea) dashboardRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Pattern: "/api/platform/metrics", Role: core.RoleViewer, Handle: h.metrics},
		{Method: "GET", Pattern: "/api/platform/health", Role: core.RoleViewer, Handle: h.health},
	}
}

func (h *dashboardArea) metrics(rc *httpapi.Request) (int, any, *core.Error) {
	return http.StatusOK, h.World().Metrics(rc.Now), nil
}

func (h *dashboardArea) health(rc *httpapi.Request) (int, any, *core.Error) {
	return http.StatusOK, h.World().Health(rc.Now), nil
}
