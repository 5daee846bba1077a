package platform

import (
	"context"
	"time"
)

// Metrics are the dashboard's cards, derived by the platform from its state.
type Metrics struct {
	// ActiveAgents counts the agents online.
	ActiveAgents      int     `json:"active_agents"`
	TotalAgents       int     `json:"total_agents"`
	RequestsPerMinute int     `json:"requests_per_minute"`
	TasksPerMinute    int     `json:"tasks_per_minute"`
	ErrorRate         float64 `json:"error_rate"` // a fraction, 0-1
	P95LatencyMS      int64   `json:"p95_latency_ms"`
	MessagesPending   int     `json:"messages_pending"`
	RunningWorkflows  int     `json:"running_workflows"`
	// GeneratedAt is when the platform computed the figures.
	GeneratedAt time.Time `json:"generated_at"`
}

// HealthStatus is the health of the platform or of one of its components.
type HealthStatus string

// Health statuses. Unknown values from newer servers decode as they are.
const (
	HealthHealthy   HealthStatus = "healthy"
	HealthDegraded  HealthStatus = "degraded"
	HealthUnhealthy HealthStatus = "unhealthy"
	HealthUnknown   HealthStatus = "unknown"
)

// Health is the platform's health and its components'.
type Health struct {
	Status     HealthStatus            `json:"status"`
	Components map[string]HealthStatus `json:"components"`
	CheckedAt  time.Time               `json:"checked_at"`
}

// Metrics fetches the dashboard's metric cards.
func (c *Client) Metrics(ctx context.Context) (*Metrics, error) {
	var m Metrics
	if err := c.Do(ctx, "GET", "/api/platform/metrics", nil, nil, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Health fetches the platform's health.
func (c *Client) Health(ctx context.Context) (*Health, error) {
	var h Health
	if err := c.Do(ctx, "GET", "/api/platform/health", nil, nil, &h); err != nil {
		return nil, err
	}
	return &h, nil
}
