package platform_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/platform"
)

const alertJSON = `{"alert_id":"alert-4","severity":"critical","title":"WowSearch is in error","message":"m",
	"agent_id":"wow-search","status":"acknowledged","created_at":"2026-01-02T09:13:00Z",
	"acknowledged_at":"2026-01-02T10:00:00Z","acknowledged_by":"ops@waooaw.ai","resolved_at":null,"runbook":"pb-1"}`

func wantAlert(t *testing.T) *platform.Alert {
	ack := mustTime(t, "2026-01-02T10:00:00Z")
	return &platform.Alert{AlertID: "alert-4", Severity: platform.AlertCritical, Title: "WowSearch is in error", Message: "m",
		AgentID: "wow-search", Status: platform.AlertAcknowledged, CreatedAt: mustTime(t, "2026-01-02T09:13:00Z"),
		AcknowledgedAt: &ack, AcknowledgedBy: "ops@waooaw.ai"}
}

func TestAlertsListPage(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/api/platform/alerts", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		testCommonHeaders(t, r)
		testQuery(t, r, url.Values{"severity": {"critical"}, "status": {"acknowledged"}})
		writeJSON(w, 200, `{"alerts":[`+alertJSON+`],"next_page_token":"","total":1}`)
	})
	got, err := c.Alerts.ListPage(context.Background(), platform.AlertListOptions{Severity: platform.AlertCritical, Status: platform.AlertAcknowledged})
	if err != nil {
		t.Fatal(err)
	}
	want := platform.Page[platform.Alert]{Total: 1, Items: []platform.Alert{*wantAlert(t)}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListPage (-want +got):\n%s", diff)
	}
	n := 0
	for _, err := range c.Alerts.List(context.Background(), platform.AlertListOptions{Severity: platform.AlertCritical, Status: platform.AlertAcknowledged}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("List: %d alerts", n)
	}
}

func TestAlertActions(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		call func(*platform.Client, string) (*platform.Alert, error)
		path string
	}{
		{"acknowledge", func(c *platform.Client, id string) (*platform.Alert, error) {
			return c.Alerts.Acknowledge(context.Background(), id)
		}, "/api/platform/alerts/alert%2F4/acknowledge"},
		{"resolve", func(c *platform.Client, id string) (*platform.Alert, error) {
			return c.Alerts.Resolve(context.Background(), id)
		}, "/api/platform/alerts/alert%2F4/resolve"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			mux.HandleFunc("POST /api/platform/alerts/{id}/{action}", func(w http.ResponseWriter, r *http.Request) {
				if r.URL.EscapedPath() != tt.path {
					t.Errorf("path %s, want %s", r.URL.EscapedPath(), tt.path)
				}
				testCommonHeaders(t, r)
				testBody(t, r, "")
				if r.Header.Get("Idempotency-Key") == "" {
					t.Error("no Idempotency-Key")
				}
				writeJSON(w, 200, alertJSON)
			})
			got, err := tt.call(c, "alert/4")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantAlert(t), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if _, err := tt.call(c, ".."); !errors.Is(err, platform.ErrInvalidArgument) {
				t.Errorf("id ..: %v", err)
			}
		})
	}
}

func TestAlertActionConflict(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /api/platform/alerts/alert-5/resolve", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, 409, "conflict", `cannot resolve alert "alert-5": it is already resolved`)
	})
	_, err := c.Alerts.Resolve(context.Background(), "alert-5")
	var pe *platform.Error
	if !errors.Is(err, platform.ErrConflict) || !errors.As(err, &pe) || pe.Message == "" {
		t.Errorf("Resolve: %v", err)
	}
}

func TestAlertEnumsValid(t *testing.T) {
	t.Parallel()
	for _, s := range []platform.AlertSeverity{platform.AlertCritical, platform.AlertWarning, platform.AlertInfo} {
		if !s.Valid() {
			t.Errorf("%q not valid", s)
		}
	}
	for _, s := range []platform.AlertStatus{platform.AlertActive, platform.AlertAcknowledged, platform.AlertResolved} {
		if !s.Valid() {
			t.Errorf("%q not valid", s)
		}
	}
	if platform.AlertSeverity("high").Valid() || platform.AlertStatus("open").Valid() {
		t.Error("unknown values are valid")
	}
}
