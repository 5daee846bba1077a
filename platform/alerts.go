package platform

import (
	"context"
	"iter"
	"net/url"
	"time"
)

// AlertSeverity is how urgent an alert is.
type AlertSeverity string

// Alert severities. Unknown values from newer servers decode as they are.
const (
	AlertCritical AlertSeverity = "critical"
	AlertWarning  AlertSeverity = "warning"
	AlertInfo     AlertSeverity = "info"
)

// Valid reports whether s is one of the severities above.
func (s AlertSeverity) Valid() bool {
	switch s {
	case AlertCritical, AlertWarning, AlertInfo:
		return true
	}
	return false
}

// AlertStatus is where an alert is in its life: active, then acknowledged
// (someone is on it), then resolved.
type AlertStatus string

// Alert statuses. Unknown values from newer servers decode as they are.
const (
	AlertActive       AlertStatus = "active"
	AlertAcknowledged AlertStatus = "acknowledged"
	AlertResolved     AlertStatus = "resolved"
)

// Valid reports whether s is one of the statuses above.
func (s AlertStatus) Valid() bool {
	switch s {
	case AlertActive, AlertAcknowledged, AlertResolved:
		return true
	}
	return false
}

// Alert is something on the platform that needs an operator's attention.
type Alert struct {
	AlertID  string        `json:"alert_id"`
	Severity AlertSeverity `json:"severity"`
	Title    string        `json:"title"`
	Message  string        `json:"message"`
	// AgentID is the agent the alert is about; "" for the platform.
	AgentID   string      `json:"agent_id,omitempty"`
	Status    AlertStatus `json:"status"`
	CreatedAt time.Time   `json:"created_at"`
	// AcknowledgedAt and AcknowledgedBy (an email) are set once the alert
	// is acknowledged; a resolved alert keeps them if it was.
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	AcknowledgedBy string     `json:"acknowledged_by,omitempty"`
	// ResolvedAt and ResolvedBy are set once the alert is resolved.
	ResolvedAt *time.Time `json:"resolved_at"`
	ResolvedBy string     `json:"resolved_by,omitempty"`
}

// AlertListOptions filter and page the alerts, newest first. Empty filters
// match all.
type AlertListOptions struct {
	Severity AlertSeverity
	Status   AlertStatus
	ListOptions
}

func (o AlertListOptions) query() url.Values {
	q := url.Values{}
	if o.Severity != "" {
		q.Set("severity", string(o.Severity))
	}
	if o.Status != "" {
		q.Set("status", string(o.Status))
	}
	return q
}

// AlertService is the platform's alerts. Get it from Client.Alerts.
type AlertService struct{ c *Client }

// ListPage fetches one page of alerts, newest first.
func (s *AlertService) ListPage(ctx context.Context, opts AlertListOptions) (Page[Alert], error) {
	return GetPage[Alert](ctx, s.c, "/api/platform/alerts", "alerts", opts.query(), opts.ListOptions)
}

// List iterates over every alert matching opts, newest first, fetching
// pages as needed, from opts.PageToken's page (the first when empty).
func (s *AlertService) List(ctx context.Context, opts AlertListOptions) iter.Seq2[Alert, error] {
	return All(ctx, func(ctx context.Context, token string) (Page[Alert], error) {
		o := opts
		if token != "" {
			o.PageToken = token
		}
		return s.ListPage(ctx, o)
	})
}

// Acknowledge marks an active alert as being handled by the caller and
// returns it. An alert that is not active (already acknowledged, or
// resolved) is a conflict (ErrConflict) whose message names its status.
// Needs the operator role.
func (s *AlertService) Acknowledge(ctx context.Context, id string) (*Alert, error) {
	return s.do(ctx, "/api/platform/alerts/{}/acknowledge", id)
}

// Resolve closes an active or acknowledged alert and returns it; resolving
// a resolved alert is a conflict (ErrConflict). Needs the operator role.
func (s *AlertService) Resolve(ctx context.Context, id string) (*Alert, error) {
	return s.do(ctx, "/api/platform/alerts/{}/resolve", id)
}

func (s *AlertService) do(ctx context.Context, pattern, id string) (*Alert, error) {
	p, err := Path(pattern, id)
	if err != nil {
		return nil, err
	}
	var a Alert
	if err := s.c.Do(ctx, "POST", p, nil, nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}
