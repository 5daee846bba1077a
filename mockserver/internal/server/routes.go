package server

import (
	"github.com/waooaw/waooaw-go/mockserver/internal/area/agents"
	"github.com/waooaw/waooaw-go/mockserver/internal/area/alerts"
	"github.com/waooaw/waooaw-go/mockserver/internal/area/dashboard"
	"github.com/waooaw/waooaw-go/mockserver/internal/area/factory"
	"github.com/waooaw/waooaw-go/mockserver/internal/area/helpdesk"
	"github.com/waooaw/waooaw-go/mockserver/internal/area/logs"
	"github.com/waooaw/waooaw-go/mockserver/internal/area/queues"
	"github.com/waooaw/waooaw-go/mockserver/internal/area/servicing"
	"github.com/waooaw/waooaw-go/mockserver/internal/area/workflows"
)

// routes builds the route table: every route the server serves, each
// documented in api/openapi.yaml or api/mock.yaml.
func (s *Server) routes() {
	s.router.Add(s.controlRoutes()...)
	s.router.Add(s.sandboxRoutes()...)
	s.router.Add(s.auth.Routes()...)
	s.router.Add(s.auth.ControlRoutes()...)
	s.router.Add(s.seedRoutes()...)
	s.router.Add(dashboard.Routes(s.env)...)
	s.router.Add(agents.Routes(s.env)...)
	s.router.Add(queues.Routes(s.env)...)
	s.router.Add(workflows.Routes(s.env)...)
	s.router.Add(factory.Routes(s.env)...)
	s.router.Add(servicing.Routes(s.env)...)
	s.router.Add(helpdesk.Routes(s.env)...)
	s.router.Add(logs.Routes(s.env)...)
	s.router.Add(alerts.Routes(s.env)...)
	s.router.Add(s.eventRoutes()...)
	s.markCached()
}

// Routes lists the server's routes as "METHOD /pattern", for contract tests.
func (s *Server) Routes() []string {
	out := make([]string, 0, len(s.router.Routes()))
	for _, r := range s.router.Routes() {
		out = append(out, r.Method+" "+r.Pattern)
	}
	return out
}
