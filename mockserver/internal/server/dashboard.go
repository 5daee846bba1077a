package server

import (
	"net/http"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

func (s *Server) dashboardRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Pattern: "/api/platform/metrics", Role: core.RoleViewer, Handle: s.metrics},
		{Method: "GET", Pattern: "/api/platform/health", Role: core.RoleViewer, Handle: s.health},
	}
}

func (s *Server) metrics(rc *httpapi.Request) (int, any, *core.Error) {
	return http.StatusOK, s.world().Metrics(rc.Now), nil
}

func (s *Server) health(rc *httpapi.Request) (int, any, *core.Error) {
	return http.StatusOK, s.world().Health(rc.Now), nil
}
