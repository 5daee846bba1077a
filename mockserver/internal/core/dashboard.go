package core

import (
	"math"
	"time"

	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/workflows"
)

// Metrics derives the dashboard's cards from the state at now:
// deterministic for a seed and a clock.
func (w *World) Metrics(now time.Time) platform.Metrics {
	m := platform.Metrics{GeneratedAt: now}
	var errWeighted float64
	for _, a := range w.Agents.States(now) {
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
	m.RunningWorkflows = w.Workflows.statusCounts(now)[workflows.StatusRunning]
	m.MessagesPending = messagesPending(w.Queues.Views(now))
	if m.RequestsPerMinute > 0 {
		m.ErrorRate = math.Round(errWeighted/float64(m.RequestsPerMinute)*1e4) / 1e4
	}
	return m
}

// Health derives the platform's health from its components at now.
func (w *World) Health(now time.Time) platform.Health {
	agents := platform.HealthHealthy
	for _, a := range w.Agents.States(now) {
		if a.Status == platform.AgentError || a.Health == platform.AgentUnhealthy {
			agents = platform.HealthDegraded
		}
	}
	h := platform.Health{
		Components: map[string]platform.HealthStatus{"api": platform.HealthHealthy, "agents": agents},
		CheckedAt:  now,
	}
	h.Components["workflows"] = workflowHealth(w.Workflows.statusCounts(now))
	h.Components["queues"] = queueHealth(w.Queues.Views(now))
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
	return h
}
