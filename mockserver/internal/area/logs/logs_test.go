package logs_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
	"github.com/waooaw/waooaw-go/platform"
)

func logLines(t *testing.T, pc *platform.Client, opts platform.LogListOptions) []platform.LogEntry {
	t.Helper()
	var out []platform.LogEntry
	for l, err := range pc.Logs.List(context.Background(), opts) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

func TestLogsSeeded(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	pc := ts.Client(mockserver.ViewerEmail)
	all := logLines(t, pc, platform.LogListOptions{ListOptions: platform.ListOptions{PageSize: 500}})
	if len(all) < 190 || len(all) > 250 {
		t.Errorf("%d seeded lines, want about 200", len(all))
	}
	agents := map[string]bool{"": true}
	for a, err := range pc.Agents.List(context.Background(), platform.AgentListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		agents[a.AgentID] = true
	}
	levels := map[platform.LogLevel]int{}
	for i, l := range all {
		if i > 0 && l.Timestamp.After(all[i-1].Timestamp) {
			t.Fatalf("line %d (%s) is newer than line %d: want newest first", i, l.LogID, i-1)
		}
		if !l.Timestamp.Before(mockserver.Epoch()) || l.Timestamp.Before(mockserver.Epoch().Add(-6*time.Hour)) {
			t.Errorf("%s at %v: want within the 6 hours before the seed clock", l.LogID, l.Timestamp)
		}
		if !agents[l.AgentID] || l.Message == "" || l.Metadata == nil {
			t.Errorf("line %+v", l)
		}
		levels[l.Level]++
	}
	for _, lv := range []platform.LogLevel{platform.LogDebug, platform.LogInfo, platform.LogWarn, platform.LogError} {
		if levels[lv] == 0 {
			t.Errorf("no %s line seeded", lv)
		}
	}
	// The same seed on another server, and after a reset.
	other := logLines(t, apitest.Start(t).Client(mockserver.ViewerEmail), platform.LogListOptions{ListOptions: platform.ListOptions{PageSize: 500}})
	if diff := cmp.Diff(all, other); diff != "" {
		t.Errorf("seeded logs differ between servers (-one +other):\n%s", diff)
	}
	// WowSearch went into error 47 minutes before the seed clock and has not
	// logged since.
	search := logLines(t, pc, platform.LogListOptions{AgentID: "wow-search"})
	if len(search) == 0 || search[0].Level != platform.LogError || search[0].Timestamp != mockserver.Epoch().Add(-47*time.Minute) {
		t.Errorf("wow-search's last line: %+v", search[0])
	}
}

func TestLogsFilters(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	pc := ts.Client(mockserver.ViewerEmail)
	hourAgo, halfHourAgo := mockserver.Epoch().Add(-time.Hour), mockserver.Epoch().Add(-30*time.Minute)
	tests := []struct {
		name string
		opts platform.LogListOptions
		ok   func(platform.LogEntry) bool
	}{
		{"level", platform.LogListOptions{Level: platform.LogWarn}, func(l platform.LogEntry) bool { return l.Level == platform.LogWarn }},
		{"agent", platform.LogListOptions{AgentID: "wow-memory"}, func(l platform.LogEntry) bool { return l.AgentID == "wow-memory" }},
		{"q, any case", platform.LogListOptions{Q: "HEALTH CHECK"}, func(l platform.LogEntry) bool {
			return strings.Contains(strings.ToLower(l.Message), "health check")
		}},
		{"since", platform.LogListOptions{Since: hourAgo}, func(l platform.LogEntry) bool { return !l.Timestamp.Before(hourAgo) }},
		{"until", platform.LogListOptions{Until: hourAgo}, func(l platform.LogEntry) bool { return l.Timestamp.Before(hourAgo) }},
		{"window and level", platform.LogListOptions{Since: hourAgo, Until: halfHourAgo, Level: platform.LogError},
			func(l platform.LogEntry) bool {
				return l.Level == platform.LogError && !l.Timestamp.Before(hourAgo) && l.Timestamp.Before(halfHourAgo)
			}},
	}
	all := logLines(t, pc, platform.LogListOptions{})
	for _, tt := range tests {
		got := logLines(t, pc, tt.opts)
		var want []string
		for _, l := range all {
			if tt.ok(l) {
				want = append(want, l.LogID)
			}
		}
		var ids []string
		for _, l := range got {
			ids = append(ids, l.LogID)
		}
		if len(want) == 0 || len(want) == len(all) {
			t.Errorf("%s: the filter picks %d of %d lines: a test that cannot fail", tt.name, len(want), len(all))
		}
		if diff := cmp.Diff(want, ids); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	viewer := mocktest.Token(t, ts, mockserver.ViewerEmail, "")
	for _, q := range []string{"level=info", "level=FATAL", "since=yesterday", "until=2026-01-02", "page_size=-1",
		"since=2026-01-02T10:00:00Z&until=2026-01-02T09:00:00Z"} {
		a := mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/logs?" + q, Token: viewer}, 400, "invalid_argument")
		if !strings.Contains(string(a.Raw), strings.SplitN(q, "=", 2)[0]) {
			t.Errorf("%s: the error does not name the parameter: %s", q, a.Raw)
		}
	}
	// A page token is bound to its filters.
	p, err := pc.Logs.ListPage(context.Background(), platform.LogListOptions{Level: platform.LogInfo, ListOptions: platform.ListOptions{PageSize: 5}})
	if err != nil || p.NextPageToken == "" {
		t.Fatalf("ListPage: %v %+v", err, p)
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/logs?level=WARN&page_token=" + url.QueryEscape(p.NextPageToken), Token: viewer}, 400, "invalid_argument")
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/logs"}, 401, "unauthenticated")
}

// TestLogsFromActions: actions add lines at the clock's time, newest first:
// who asked, and what came of it.
func TestLogsFromActions(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ctx := context.Background()
	ops := ts.Client(mockserver.OperatorEmail)
	ts.Advance(time.Minute)
	if _, err := ops.Agents.Restart(ctx, "wow-memory"); err != nil {
		t.Fatal(err)
	}
	ts.Advance(30 * time.Second)
	if _, err := ops.Alerts.Acknowledge(ctx, "alert-4"); err != nil {
		t.Fatal(err)
	}
	type line struct {
		At      time.Duration
		Level   platform.LogLevel
		AgentID string
		Message string
	}
	var got []line
	for _, l := range logLines(t, ops, platform.LogListOptions{Since: mockserver.Epoch()}) {
		got = append(got, line{l.Timestamp.Sub(mockserver.Epoch()), l.Level, l.AgentID, l.Message})
	}
	want := []line{
		{90 * time.Second, platform.LogInfo, "wow-search", "Alert alert-4 (WowSearch is in error) acknowledged by ops@waooaw.ai"},
		{90 * time.Second, platform.LogInfo, "wow-memory", "Agent WowMemory is now online (was starting)"},
		{60 * time.Second, platform.LogInfo, "wow-memory", "Agent WowMemory is now starting (was online)"},
		{60 * time.Second, platform.LogInfo, "wow-memory", "Restart requested by ops@waooaw.ai"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lines since the seed clock (-want +got):\n%s", diff)
	}
	// A refused action logs nothing.
	if _, err := ops.Agents.Start(ctx, "wow-memory"); err == nil {
		t.Fatal("starting an online agent: no error")
	}
	if n := len(logLines(t, ops, platform.LogListOptions{Since: mockserver.Epoch()})); n != len(want) {
		t.Errorf("%d lines after a refused action, want %d", n, len(want))
	}
}

func TestLogsEmptyStart(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t, mockserver.WithEmptyStart())
	pc := ts.Client(mockserver.ViewerEmail)
	if p, err := pc.Logs.ListPage(context.Background(), platform.LogListOptions{}); err != nil || p.Total != 0 {
		t.Errorf("logs of an empty start: %+v, %v", p, err)
	}
	if p, err := pc.Alerts.ListPage(context.Background(), platform.AlertListOptions{}); err != nil || p.Total != 0 {
		t.Errorf("alerts of an empty start: %+v, %v", p, err)
	}
}
