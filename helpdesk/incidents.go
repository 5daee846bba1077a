package helpdesk

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// Severity is how bad an incident is; it sets the incident's SLA. Values
// this package does not know decode without error; Valid reports false for
// them.
type Severity string

// Incident severities, worst first.
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
)

// Valid reports whether s is one of the severities this package knows.
func (s Severity) Valid() bool { return s.SLA() > 0 }

// SLA is the time the platform has to resolve an incident of severity s,
// from its creation: critical 1 h, high 4 h, medium 8 h, low 24 h; 0 for a
// severity this package does not know.
func (s Severity) SLA() time.Duration {
	switch s {
	case SeverityCritical:
		return time.Hour
	case SeverityHigh:
		return 4 * time.Hour
	case SeverityMedium:
		return 8 * time.Hour
	case SeverityLow:
		return 24 * time.Hour
	}
	return 0
}

// IncidentStatus is where an incident stands. Values this package does not
// know decode without error; Valid reports false for them.
type IncidentStatus string

// Incident statuses: open, investigating and in_progress are open (the SLA
// clock runs); resolved and closed are not.
const (
	IncidentOpen          IncidentStatus = "open"
	IncidentInvestigating IncidentStatus = "investigating"
	IncidentInProgress    IncidentStatus = "in_progress"
	IncidentResolved      IncidentStatus = "resolved"
	IncidentClosed        IncidentStatus = "closed"
)

// Valid reports whether s is one of the statuses this package knows.
func (s IncidentStatus) Valid() bool { return s.Open() || s == IncidentResolved || s == IncidentClosed }

// Open reports whether an incident in status s still needs work: open,
// investigating or in progress.
func (s IncidentStatus) Open() bool {
	return s == IncidentOpen || s == IncidentInvestigating || s == IncidentInProgress
}

// Category is the kind of problem an incident or a playbook is about.
// Values this package does not know decode without error; Valid reports
// false for them.
type Category string

// Categories.
const (
	CategoryPerformance   Category = "performance"
	CategoryAvailability  Category = "availability"
	CategoryError         Category = "error"
	CategorySecurity      Category = "security"
	CategoryConfiguration Category = "configuration"
)

// Valid reports whether c is one of the categories this package knows.
func (c Category) Valid() bool {
	switch c {
	case CategoryPerformance, CategoryAvailability, CategoryError, CategorySecurity, CategoryConfiguration:
		return true
	}
	return false
}

// SLAStatus says whether an incident will be resolved within its SLA.
// Values this package does not know decode without error; Valid reports
// false for them.
type SLAStatus string

// SLA statuses.
const (
	// SLAOnTrack: more than a quarter of the SLA window is left, or the
	// incident is resolved or closed.
	SLAOnTrack SLAStatus = "on_track"
	// SLAAtRisk: the incident is open in the last quarter of its window.
	SLAAtRisk SLAStatus = "at_risk"
	// SLABreached: the incident is open after its deadline.
	SLABreached SLAStatus = "breached"
)

// Valid reports whether s is one of the SLA statuses this package knows.
func (s SLAStatus) Valid() bool { return s == SLAOnTrack || s == SLAAtRisk || s == SLABreached }

// Incident is a customer's problem that support is working on, or has
// worked on.
type Incident struct {
	// IncidentID is e.g. "INC-001".
	IncidentID string         `json:"incident_id"`
	Title      string         `json:"title"`
	Severity   Severity       `json:"severity"`
	Status     IncidentStatus `json:"status"`
	Category   Category       `json:"category"`
	CustomerID string         `json:"customer_id"`
	// AffectedAgent is the agent_id of the agent the incident is about; ""
	// when none.
	AffectedAgent string    `json:"affected_agent,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	// SLADeadline is CreatedAt plus the severity's SLA.
	SLADeadline time.Time `json:"sla_deadline"`
	// SLAStatus is SLAAt the platform's clock when the incident was read.
	SLAStatus SLAStatus `json:"sla_status"`
}

// SLAAt is the incident's SLA status at now: on track while more than a
// quarter of the window from CreatedAt to SLADeadline is left, at risk in
// the last quarter, breached after the deadline. A resolved or closed
// incident is on track, whatever the time.
func (i Incident) SLAAt(now time.Time) SLAStatus {
	if !i.Status.Open() {
		return SLAOnTrack
	}
	window := i.SLADeadline.Sub(i.CreatedAt)
	switch {
	case now.After(i.SLADeadline):
		return SLABreached
	case !now.Before(i.SLADeadline.Add(-window / 4)):
		return SLAAtRisk
	}
	return SLAOnTrack
}

// IncidentOptions filter and page the incident list. Empty filters match
// all; set filters combine with AND. A status, severity or SLA status the
// platform does not know is refused with platform.ErrInvalidArgument.
type IncidentOptions struct {
	Status   IncidentStatus
	Severity Severity
	// SLAStatus keeps the incidents in this SLA status at the platform's
	// clock.
	SLAStatus SLAStatus
	// CustomerID keeps one customer's incidents, e.g. "cust-002".
	CustomerID string
	platform.ListOptions
}

func (o IncidentOptions) query() url.Values {
	q := url.Values{}
	if o.Status != "" {
		q.Set("status", string(o.Status))
	}
	if o.Severity != "" {
		q.Set("severity", string(o.Severity))
	}
	if o.SLAStatus != "" {
		q.Set("sla_status", string(o.SLAStatus))
	}
	if o.CustomerID != "" {
		q.Set("customer_id", o.CustomerID)
	}
	return q
}

// IncidentsPage fetches one page of the incidents matching opts, newest
// first, for callers who keep the page token themselves.
func (c *Client) IncidentsPage(ctx context.Context, opts IncidentOptions) (platform.Page[Incident], error) {
	p, err := page[Incident](ctx, c, incidentsPath, "incidents", opts.query(), opts.ListOptions)
	if err != nil {
		return p, fmt.Errorf("helpdesk: incidents: %w", err)
	}
	return p, nil
}

// Incidents iterates over the incidents matching opts, newest first,
// fetching pages as needed (from opts.PageToken's page, the first when
// empty). An error is yielded once and ends the iteration.
func (c *Client) Incidents(ctx context.Context, opts IncidentOptions) iter.Seq2[Incident, error] {
	return all(ctx, opts.PageToken, func(ctx context.Context, token string) (platform.Page[Incident], error) {
		o := opts
		o.PageToken = token
		return c.IncidentsPage(ctx, o)
	})
}
