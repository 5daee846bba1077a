package server

import (
	"math"
	"net/http"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/workflows"
)

func (s *Server) dashboardRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Pattern: "/api/platform/metrics", Role: httpapi.RoleViewer, Handle: s.metrics},
		{Method: "GET", Pattern: "/api/platform/health", Role: httpapi.RoleViewer, Handle: s.health},
	}
}

// metrics derives the dashboard's cards from state: deterministic for a
// seed and a clock.
func (s *Server) metrics(rc *httpapi.Request) (int, any, *core.Error) {
	st := s.world()
	m := platform.Metrics{GeneratedAt: rc.Now}
	var errWeighted float64
	for _, a := range st.Agents.states(rc.Now) {
		m.TotalAgents++
		if a.Status != platform.AgentOnline {
			continue
		}
		m.ActiveAgents++
		m.RequestsPerMinute += a.rpm
		m.TasksPerMinute += a.tpm
		errWeighted += a.errRate * float64(a.rpm)
		m.P95LatencyMS = max(m.P95LatencyMS, a.p95MS)
	}
	m.RunningWorkflows = st.Workflows.statusCounts(rc.Now)[workflows.StatusRunning]
	m.MessagesPending = messagesPending(st.Queues.views(rc.Now))
	if m.RequestsPerMinute > 0 {
		m.ErrorRate = math.Round(errWeighted/float64(m.RequestsPerMinute)*1e4) / 1e4
	}
	return http.StatusOK, m, nil
}

// health derives the platform's health from its components.
func (s *Server) health(rc *httpapi.Request) (int, any, *core.Error) {
	st := s.world()
	agents := platform.HealthHealthy
	for _, a := range st.Agents.states(rc.Now) {
		if a.Status == platform.AgentError || a.Health == platform.AgentUnhealthy {
			agents = platform.HealthDegraded
		}
	}
	h := platform.Health{
		Components: map[string]platform.HealthStatus{"api": platform.HealthHealthy, "agents": agents},
		CheckedAt:  rc.Now,
	}
	h.Components["workflows"] = workflowHealth(st.Workflows.statusCounts(rc.Now))
	h.Components["queues"] = queueHealth(st.Queues.views(rc.Now))
	h.Status = platform.HealthHealthy
	for _, c := range h.Components {
		if c == platform.HealthUnhealthy {
			h.Status = platform.HealthUnhealthy
			break
		}
		if c == platform.HealthDegraded {
			h.Status = platform.HealthDegraded
		}
	}
	return http.StatusOK, h, nil
}
