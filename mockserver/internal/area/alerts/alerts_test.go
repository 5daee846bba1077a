package alerts_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
	"github.com/waooaw/waooaw-go/platform"
)

func alertIDs(t *testing.T, pc *platform.Client, opts platform.AlertListOptions) []string {
	t.Helper()
	var out []string
	for a, err := range pc.Alerts.List(context.Background(), opts) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a.AlertID)
	}
	return out
}

func TestAlertsSeeded(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	pc := ts.Client(mockserver.ViewerEmail)
	tests := []struct {
		opts platform.AlertListOptions
		want string
	}{
		{platform.AlertListOptions{}, "alert-4 alert-1 alert-2 alert-5 alert-3"},
		{platform.AlertListOptions{Severity: platform.AlertInfo}, "alert-2 alert-3"},
		{platform.AlertListOptions{Severity: platform.AlertWarning}, "alert-1 alert-5"},
		{platform.AlertListOptions{Status: platform.AlertActive}, "alert-4 alert-1 alert-2"},
		{platform.AlertListOptions{Status: platform.AlertResolved}, "alert-5"},
		{platform.AlertListOptions{Severity: platform.AlertCritical, Status: platform.AlertActive}, "alert-4"},
		{platform.AlertListOptions{Severity: platform.AlertCritical, Status: platform.AlertResolved}, ""},
		{platform.AlertListOptions{ListOptions: platform.ListOptions{PageSize: 2}}, "alert-4 alert-1 alert-2 alert-5 alert-3"},
	}
	for _, tt := range tests {
		if got := strings.Join(alertIDs(t, pc, tt.opts), " "); got != tt.want {
			t.Errorf("%+v: %s, want %s", tt.opts, got, tt.want)
		}
	}
	p, err := pc.Alerts.ListPage(context.Background(), platform.AlertListOptions{Severity: platform.AlertCritical})
	if err != nil {
		t.Fatal(err)
	}
	a := p.Items[0]
	if a.AgentID != "wow-search" || a.CreatedAt != mockserver.Epoch().Add(-47*time.Minute) || a.AcknowledgedAt != nil || a.ResolvedAt != nil {
		t.Errorf("alert-4: %+v", a)
	}
	for _, q := range []string{"severity=high", "status=open", "severity=Critical", "page_size=501"} {
		mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/alerts?" + q, Token: mocktest.Token(t, ts, mockserver.ViewerEmail, "")}, 400, "invalid_argument")
	}
}

// TestAlertStateMachine walks acknowledge and resolve through every status.
func TestAlertStateMachine(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ops := mocktest.Token(t, ts, mockserver.OperatorEmail, "")
	steps := []struct {
		path    string
		status  int
		want    string // the alert's status after, or the message's words
		byField string
	}{
		{"/api/platform/alerts/alert-1/acknowledge", 200, "acknowledged", "acknowledged_by"},
		{"/api/platform/alerts/alert-1/acknowledge", 409, "it is acknowledged", ""},
		{"/api/platform/alerts/alert-1/resolve", 200, "resolved", "resolved_by"},
		{"/api/platform/alerts/alert-1/resolve", 409, "already resolved", ""},
		{"/api/platform/alerts/alert-1/acknowledge", 409, "it is resolved", ""},
		{"/api/platform/alerts/alert-2/resolve", 200, "resolved", "resolved_by"}, // active → resolved at once
		{"/api/platform/alerts/alert-3/acknowledge", 409, "it is acknowledged", ""},
		{"/api/platform/alerts/alert-5/resolve", 409, "already resolved", ""},
	}
	for i, s := range steps {
		a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: s.path, Token: ops})
		if a.Status != s.status {
			t.Fatalf("step %d %s: %d %s", i, s.path, a.Status, a.Raw)
		}
		m := a.JSON(t)
		if s.status == 200 {
			if m["status"] != s.want || m[s.byField] != mockserver.OperatorEmail {
				t.Errorf("step %d %s: %s", i, s.path, a.Raw)
			}
			continue
		}
		if a.ErrCode(t) != "conflict" || !strings.Contains(m["error"].(map[string]any)["message"].(string), s.want) {
			t.Errorf("step %d %s: %s, want a conflict saying %q", i, s.path, a.Raw, s.want)
		}
	}
	// A resolved alert keeps who acknowledged it.
	pc := ts.Client(mockserver.ViewerEmail)
	for a, err := range pc.Alerts.List(context.Background(), platform.AlertListOptions{Status: platform.AlertResolved}) {
		if err != nil {
			t.Fatal(err)
		}
		if a.AlertID == "alert-1" && (a.AcknowledgedAt == nil || a.ResolvedAt == nil || *a.ResolvedAt != ts.Now()) {
			t.Errorf("alert-1: %+v", a)
		}
	}
}

func TestAlertActionRefusals(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	viewer := mocktest.Token(t, ts, mockserver.ViewerEmail, "")
	ops := mocktest.Token(t, ts, mockserver.OperatorEmail, "")
	for _, action := range []string{"acknowledge", "resolve"} {
		base := "/api/platform/alerts/"
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: base + "alert-1/" + action}, 401, "unauthenticated")
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: base + "alert-1/" + action, Token: viewer}, 403, "permission_denied")
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: base + "alert-99/" + action, Token: ops}, 404, "not_found")
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: base + "alert-1/" + action, Token: ops, Body: `{"note":"x"}`}, 400, "invalid_argument")
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: base + "alert-1/" + action, Token: ops, Body: `{}`,
			Header: map[string]string{"Content-Type": "text/plain"}}, 415, "unsupported_media_type")
	}
	// Nothing refused changed anything.
	if got := strings.Join(alertIDs(t, ts.Client(mockserver.ViewerEmail), platform.AlertListOptions{Status: platform.AlertActive}), " "); got != "alert-4 alert-1 alert-2" {
		t.Errorf("active alerts after refusals: %s", got)
	}
	// The SDK's typed errors.
	pc := ts.Client(mockserver.ViewerEmail)
	if _, err := pc.Alerts.Acknowledge(context.Background(), "alert-1"); !errors.Is(err, platform.ErrPermissionDenied) {
		t.Errorf("viewer Acknowledge: %v", err)
	}
	opc := ts.Client(mockserver.OperatorEmail)
	if _, err := opc.Alerts.Resolve(context.Background(), "alert-5"); !errors.Is(err, platform.ErrConflict) {
		t.Errorf("Resolve resolved: %v", err)
	}
	if _, err := opc.Alerts.Acknowledge(context.Background(), "nope"); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("Acknowledge unknown: %v", err)
	}
}

// TestAlertRaisedForAgentInError: an agent seen going into error (here:
// seeded in error) raises a critical alert at once.
func TestAlertRaisedForAgentInError(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	if _, err := ts.Seed(mockserver.Seed{Agents: []platform.Agent{{Name: "Broken Bot", Status: platform.AgentError}}}); err != nil {
		t.Fatal(err)
	}
	pc := ts.Client(mockserver.ViewerEmail)
	p, err := pc.Alerts.ListPage(context.Background(), platform.AlertListOptions{Status: platform.AlertActive, Severity: platform.AlertCritical})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 2 || p.Items[0].AlertID != "alert-6" || p.Items[0].Title != "Broken Bot is in error" || p.Items[0].CreatedAt != ts.Now() {
		t.Errorf("critical alerts: %+v", p.Items)
	}
}

// An unknown alert is 404 before the body is read: a text/plain, oversized
// or malformed body does not turn it into a 415, 413 or 400.
func TestAlertUnknownPathBeforeBody(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	operator := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	mocktest.CheckUnknownBeforeBody(t, ts, operator, []mocktest.UnknownPath{
		{Name: "acknowledge", Method: "POST", Path: "/api/platform/alerts/nope/acknowledge"},
		{Name: "resolve", Method: "POST", Path: "/api/platform/alerts/nope/resolve"},
	}, []string{`alert "nope"`, `alert "nope"`})
}
