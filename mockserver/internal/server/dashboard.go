package server

import (
	"math"
	"net/http"

	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/workflows"
)

func (s *Server) dashboardRoutes() []*route {
	return []*route{
		{method: "GET", pattern: "/api/platform/metrics", role: roleViewer, handle: s.metrics},
		{method: "GET", pattern: "/api/platform/health", role: roleViewer, handle: s.health},
	}
}

// metrics derives the dashboard's cards from state: deterministic for a
// seed and a clock.
func (s *Server) metrics(rc *reqCtx) (int, any, *apiError) {
	st := s.store()
	m := platform.Metrics{GeneratedAt: rc.now}
	var errWeighted float64
	for _, a := range st.agents.states(rc.now) {
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
	m.RunningWorkflows = st.workflows.statusCounts(rc.now)[workflows.StatusRunning]
	m.MessagesPending = messagesPending(st.queues.views(rc.now))
	if m.RequestsPerMinute > 0 {
		m.ErrorRate = math.Round(errWeighted/float64(m.RequestsPerMinute)*1e4) / 1e4
	}
	return http.StatusOK, m, nil
}

// health derives the platform's health from its components.
func (s *Server) health(rc *reqCtx) (int, any, *apiError) {
	st := s.store()
	agents := platform.HealthHealthy
	for _, a := range st.agents.states(rc.now) {
		if a.Status == platform.AgentError || a.Health == platform.AgentUnhealthy {
			agents = platform.HealthDegraded
		}
	}
	h := platform.Health{
		Components: map[string]platform.HealthStatus{"api": platform.HealthHealthy, "agents": agents},
		CheckedAt:  rc.now,
	}
	h.Components["workflows"] = workflowHealth(st.workflows.statusCounts(rc.now))
	h.Components["queues"] = queueHealth(st.queues.views(rc.now))
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
