package console_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

func TestHelpdesk(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	b := e.signIn(t, mockserver.OperatorEmail)
	pc := e.sdk(t, mockserver.AdminEmail)
	p := b.get("helpdesk?q=acme")
	if p.status != 200 || !strings.Contains(p.body, "Acme") || !strings.Contains(p.body, `id="customers"`) {
		t.Fatalf("search acme: %d\n%s", p.status, p.body)
	}
	if p = b.get("helpdesk?q=zzzz-nobody"); !strings.Contains(p.body, `id="no-customers"`) {
		t.Error("a search that finds nobody does not say so")
	}
	p = b.get("helpdesk?q=acme")
	href := between(p.body, `<a class="card customer" href="/`, `"`)
	p = b.get(href)
	if p.status != 200 || !strings.Contains(p.body, `id="customer-agents"`) || !strings.Contains(p.body, "Restart Agent") || !strings.Contains(p.body, "INC-001") {
		t.Fatalf("overview %s: %d\n%s", href, p.status, p.body)
	}
	p = b.get(href + "?diagnose=1")
	if !strings.Contains(p.body, `id="root-cause"`) || !strings.Contains(p.body, `data-action="restart-agent"`) {
		t.Fatalf("diagnose:\n%s", p.body)
	}
	// Restart Agent from the overview: starting at once, online 30 s later.
	p = b.post("helpdesk/actions/restart-agent", url.Values{"target_id": {"agent-003"}, "back": {"/" + href}})
	if !strings.HasSuffix(p.url, "/"+href) || !strings.Contains(p.body, "flash-ok") {
		t.Errorf("restart: at %s\n%s", p.url, p.body)
	}
	if a, _ := pc.Agents.Get(context.Background(), "agent-003"); a.Status != platform.AgentStarting {
		t.Errorf("after Restart Agent agent-003 is %s", a.Status)
	}
	e.mock.Advance(time.Minute)
	if a, _ := pc.Agents.Get(context.Background(), "agent-003"); a.Status != platform.AgentOnline {
		t.Errorf("a minute after Restart Agent agent-003 is %s", a.Status)
	}
	// Bad input: an unknown action, no target, an unknown agent.
	if p = b.post("helpdesk/actions/format-disk", url.Values{"target_id": {"agent-003"}}); p.status != 404 {
		t.Errorf("unknown action: %d", p.status)
	}
	if p = b.post("helpdesk/actions/restart-agent", url.Values{"target_id": {""}}); !strings.Contains(p.body, "say which agent") {
		t.Errorf("no target:\n%s", p.body)
	}
	if p = b.post("helpdesk/actions/restart-agent", url.Values{"target_id": {"agent-nope"}}); !strings.Contains(p.body, "flash-error") {
		t.Errorf("unknown agent:\n%s", p.body)
	}
	// Playbooks and their search.
	p = b.get("helpdesk?pq=timeout")
	if n := strings.Count(p.body, "data-playbook-id="); n == 0 || n >= strings.Count(b.get("helpdesk").body, "data-playbook-id=") {
		t.Errorf("playbook search timeout: %d playbooks", n)
	}
	if p = b.get("helpdesk/playbooks/pb-agent-error"); p.status != 200 || !strings.Contains(p.body, "Agent in error") {
		t.Errorf("playbook: %d", p.status)
	}
	// The viewer reads but is not offered diagnose or quick actions.
	vb := e.signIn(t, mockserver.ViewerEmail)
	if p = vb.get(href); strings.Contains(p.body, `id="diagnose"`) || strings.Contains(p.body, "Restart Agent") {
		t.Error("the viewer is offered operator actions")
	}
	if p = vb.get(href + "?diagnose=1"); p.status != 403 {
		t.Errorf("the viewer's diagnose: %d", p.status)
	}
}

func TestLogsAndAlerts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	b := e.signIn(t, mockserver.OperatorEmail)
	all := b.get("logs")
	errs := b.get("logs?level=ERROR")
	if errs.status != 200 || strings.Count(errs.body, "data-log-id=") == 0 || strings.Count(errs.body, `data-level="ERROR"`) != strings.Count(errs.body, "data-log-id=") {
		t.Errorf("level ERROR: %d lines, %d ERROR", strings.Count(errs.body, "data-log-id="), strings.Count(errs.body, `data-level="ERROR"`))
	}
	if strings.Count(errs.body, "data-log-id=") >= strings.Count(all.body, "data-log-id=") {
		t.Error("the level filter keeps every line")
	}
	if !strings.Contains(errs.body, `data-live="logs"`) {
		t.Error("the log does not follow the live tail")
	}
	if p := b.get("logs?level=ERROR&paused=1"); strings.Contains(p.body, `data-live=`) || !strings.Contains(p.body, "Resume") {
		t.Error("a paused tail still follows")
	}
	for _, bad := range []string{"logs?level=LOUD", "logs?window=forever"} {
		if p := b.get(bad); p.status != 400 || !strings.Contains(p.body, "flash-error") {
			t.Errorf("%s: %d", bad, p.status)
		}
	}
	// Alerts: filter, acknowledge, resolve; a second resolve is refused in words.
	p := b.get("alerts?status=active")
	id := between(p.body, `data-alert-id="`, `"`)
	if id == "" || !strings.Contains(p.body, "sev-") {
		t.Fatalf("no active alert:\n%s", p.body)
	}
	p = b.post("alerts/"+id+"/acknowledge", url.Values{"back": {"/alerts?status=acknowledged"}})
	if !strings.Contains(p.body, `data-alert-id="`+id+`" data-status="acknowledged"`) {
		t.Errorf("after acknowledge:\n%s", p.body)
	}
	p = b.post("alerts/"+id+"/resolve", url.Values{"back": {"/alerts?status=resolved"}})
	if !strings.Contains(p.body, `data-alert-id="`+id+`" data-status="resolved"`) {
		t.Errorf("after resolve:\n%s", p.body)
	}
	if p = b.post("alerts/"+id+"/resolve", nil); !strings.Contains(p.body, "flash-error") {
		t.Error("resolving twice is not refused")
	}
	if p = b.get("alerts?status=sleeping"); p.status != 400 {
		t.Errorf("bad status filter: %d", p.status)
	}
	if p = b.post("alerts/"+id+"/snooze", nil); p.status != 404 {
		t.Errorf("unknown action: %d", p.status)
	}
}

// A platform that does not answer gives each part-2 page a page that says
// so and retries; an action it cannot take changes nothing and says why.
func TestPart2PlatformDown(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	b := e.signIn(t, mockserver.AdminEmail)
	for _, c := range []struct{ page, api string }{
		{"factory", "/api/platform/factory/templates"},
		{"servicing/wow-memory", "/api/platform/agents/*/versions"},
		{"helpdesk?q=acme", "/api/platform/helpdesk/customers/search"},
		{"helpdesk/customers/cust-001", "/api/platform/helpdesk/customers/*/overview"},
		{"logs", "/api/platform/logs"},
		{"alerts", "/api/platform/alerts"},
	} {
		_, err := e.mock.AddFault(mockserver.Fault{Method: "GET", Path: c.api, Status: 500})
		if err != nil {
			t.Fatal(err)
		}
		if p := b.get(c.page); p.status != 502 || !strings.Contains(p.body, "not answering") || !strings.Contains(p.body, `http-equiv="refresh"`) {
			t.Errorf("/%s with %s down: %d", c.page, c.api, p.status)
		}
		e.mock.ClearFaults()
	}
	if _, err := e.mock.AddFault(mockserver.Fault{Method: "PATCH", Path: "/api/platform/agents/*/config", Status: 503}); err != nil {
		t.Fatal(err)
	}
	if p := b.post("servicing/wow-memory/config", url.Values{"patch": {`{"rate_limit": 200}`}, "nav": {"apply"}}); p.status != 502 {
		t.Errorf("config patch with the platform down: %d", p.status)
	}
}
