package console

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

var (
	alertStatuses   = []platform.AlertStatus{platform.AlertActive, platform.AlertAcknowledged, platform.AlertResolved}
	alertSeverities = []platform.AlertSeverity{platform.AlertCritical, platform.AlertWarning, platform.AlertInfo}
)

type alertsPage struct {
	Status, Severity string
	Statuses         []platform.AlertStatus
	Severities       []platform.AlertSeverity
	Alerts           []platform.Alert
	Now              time.Time
	Back             string
	Problem          string
}

func (c *Console) alertsPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	cl := client(s)
	q := r.URL.Query()
	p := alertsPage{Status: q.Get("status"), Severity: q.Get("severity"), Statuses: alertStatuses, Severities: alertSeverities, Back: "/alerts"}
	status := http.StatusOK
	if p.Status != "" && !platform.AlertStatus(p.Status).Valid() {
		p.Problem, p.Status, status = fmt.Sprintf("Status “%s” is not one of active, acknowledged or resolved.", p.Status), "", http.StatusBadRequest
	}
	if p.Severity != "" && !platform.AlertSeverity(p.Severity).Valid() {
		p.Problem, p.Severity, status = fmt.Sprintf("Severity “%s” is not one of critical, warning or info.", p.Severity), "", http.StatusBadRequest
	}
	if r.URL.RawQuery != "" && status == http.StatusOK {
		p.Back = "/alerts?" + r.URL.RawQuery
	}
	for a, err := range cl.Alerts.List(ctx, platform.AlertListOptions{Status: platform.AlertStatus(p.Status), Severity: platform.AlertSeverity(p.Severity)}) {
		if err != nil {
			c.platformError(w, r, s, "the alerts", err)
			return
		}
		p.Alerts = append(p.Alerts, a)
	}
	m, err := cl.Platform.Metrics(ctx)
	if err != nil {
		c.platformError(w, r, s, "the platform's clock", err)
		return
	}
	p.Now = m.GeneratedAt
	v := c.view(r, s, "alerts", "Alerts")
	v.Live, v.PollSeconds, v.Page = "alerts", 30, p
	c.render(w, r, status, "alerts", v)
}

func (c *Console) alertAction(w http.ResponseWriter, r *http.Request, s *session) {
	id, action := r.PathValue("id"), r.PathValue("action")
	cl := client(s)
	calls := map[string]func(context.Context, string) (*platform.Alert, error){
		"acknowledge": cl.Alerts.Acknowledge, "resolve": cl.Alerts.Resolve,
	}
	call, ok := calls[action]
	if !ok {
		c.notFound(w, r)
		return
	}
	c.act(w, r, s, act{may: action + " alerts", from: "/alerts", what: action + " alert " + id,
		do: func(ctx context.Context) (string, error) {
			a, err := call(ctx, id)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("Alert “%s” is %s.", a.Title, a.Status), nil
		}})
}
