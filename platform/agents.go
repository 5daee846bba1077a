package platform

import (
	"context"
	"iter"
	"net/url"
	"time"
)

// Tier is an agent's tier.
type Tier string

// Tiers.
const (
	TierPlatformCoE Tier = "Platform CoE"
	TierBusiness    Tier = "Business"
)

// AgentStatus is an agent's run state.
type AgentStatus string

// Agent statuses. Unknown values from newer servers decode as they are.
const (
	AgentOnline       AgentStatus = "online"
	AgentOffline      AgentStatus = "offline"
	AgentStarting     AgentStatus = "starting"
	AgentStopping     AgentStatus = "stopping"
	AgentError        AgentStatus = "error"
	AgentProvisioning AgentStatus = "provisioning"
)

// AgentHealth is an agent's health.
type AgentHealth string

// Agent health values.
const (
	AgentHealthy   AgentHealth = "healthy"
	AgentDegraded  AgentHealth = "degraded"
	AgentUnhealthy AgentHealth = "unhealthy"
)

// Agent is one agent run by the platform.
type Agent struct {
	AgentID      string      `json:"agent_id"`
	Name         string      `json:"name"`
	Description  string      `json:"description,omitempty"`
	Tier         Tier        `json:"tier"`
	Status       AgentStatus `json:"status"`
	Health       AgentHealth `json:"health"`
	Version      string      `json:"version,omitempty"`
	Capabilities []string    `json:"capabilities"`
	// LastActive is nil when the agent has never been active.
	LastActive *time.Time `json:"last_active"`
	CustomerID string     `json:"customer_id,omitempty"`
	TemplateID string     `json:"template_id,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
}

// AgentListOptions filter and page the agent list. Empty filters match all.
type AgentListOptions struct {
	Status AgentStatus
	Tier   Tier
	// Q matches agent names and ids, case-insensitively.
	Q string
	ListOptions
}

func (o AgentListOptions) query() url.Values {
	q := url.Values{}
	if o.Status != "" {
		q.Set("status", string(o.Status))
	}
	if o.Tier != "" {
		q.Set("tier", string(o.Tier))
	}
	if o.Q != "" {
		q.Set("q", o.Q)
	}
	return q
}

// AgentService is the dashboard's agents. Get it from Client.Agents.
type AgentService struct{ c *Client }

// ListPage fetches one page of agents.
func (s *AgentService) ListPage(ctx context.Context, opts AgentListOptions) (Page[Agent], error) {
	return GetPage[Agent](ctx, s.c, "/api/platform/agents", "agents", opts.query(), opts.ListOptions)
}

// List iterates over every agent matching opts, fetching pages as needed,
// from opts.PageToken's page (the first when empty).
func (s *AgentService) List(ctx context.Context, opts AgentListOptions) iter.Seq2[Agent, error] {
	return All(ctx, func(ctx context.Context, token string) (Page[Agent], error) {
		o := opts
		if token != "" {
			o.PageToken = token
		}
		return s.ListPage(ctx, o)
	})
}

// Get fetches one agent.
func (s *AgentService) Get(ctx context.Context, id string) (*Agent, error) {
	return s.do(ctx, "GET", "/api/platform/agents/{}", id)
}

// Restart restarts an agent: it is starting at once and online 30 s later.
// Needs the operator role.
func (s *AgentService) Restart(ctx context.Context, id string) (*Agent, error) {
	return s.do(ctx, "POST", "/api/platform/agents/{}/restart", id)
}

// Start starts an offline agent; starting an online one is a conflict
// (ErrConflict). Needs the operator role.
func (s *AgentService) Start(ctx context.Context, id string) (*Agent, error) {
	return s.do(ctx, "POST", "/api/platform/agents/{}/start", id)
}

// Stop stops an agent: it is offline at once; stopping an offline one is a
// conflict (ErrConflict). Needs the operator role.
func (s *AgentService) Stop(ctx context.Context, id string) (*Agent, error) {
	return s.do(ctx, "POST", "/api/platform/agents/{}/stop", id)
}

func (s *AgentService) do(ctx context.Context, method, pattern, id string) (*Agent, error) {
	p, err := Path(pattern, id)
	if err != nil {
		return nil, err
	}
	var a Agent
	if err := s.c.Do(ctx, method, p, nil, nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}
