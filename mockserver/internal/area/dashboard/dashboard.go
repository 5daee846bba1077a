package dashboard

import (
	"net/http"

	"github.com/waooaw/waooaw-go/mockserver/internal/area"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

// Routes are the dashboard routes, served over env.
func Routes(env *area.Env) []*httpapi.Route { return (&handlers{env}).routes() }

// handlers are the handlers of the dashboard routes.
type handlers struct{ *area.Env }

func (h *handlers) routes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Pattern: "/api/platform/metrics", Role: core.RoleViewer, Handle: h.metrics},
		{Method: "GET", Pattern: "/api/platform/health", Role: core.RoleViewer, Handle: h.health},
	}
}

func (h *handlers) metrics(rc *httpapi.Request) (int, any, *core.Error) {
	return http.StatusOK, h.World().Metrics(rc.Now), nil
}

func (h *handlers) health(rc *httpapi.Request) (int, any, *core.Error) {
	return http.StatusOK, h.World().Health(rc.Now), nil
}
