package servicing_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/waooaw/waooaw-go/internal/sdktest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/servicing"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// setup returns a servicing client whose requests reach mux in memory
// (sdktest.Setup: no socket, safe inside a synctest bubble). The client does
// not retry, so each call is one request.
func setup(t *testing.T, opts ...platform.Option) (*servicing.Client, *http.ServeMux) {
	t.Helper()
	pc, mux := sdktest.Setup(t, opts...)
	return servicing.New(pc), mux
}

// testRequest asserts a request's method, query, auth and JSON body ("" for
// none), and that a request with a body other than a GET has an
// Idempotency-Key.
func testRequest(t *testing.T, r *http.Request, method string, query url.Values, body string) {
	t.Helper()
	sdktest.TestMethod(t, r, method)
	sdktest.TestAuth(t, r)
	sdktest.TestQuery(t, r, query)
	sdktest.TestJSONBody(t, r, body)
	if body != "" && method != "GET" && r.Header.Get("Idempotency-Key") == "" {
		t.Errorf("%s without an Idempotency-Key", method)
	}
}

func writeError(w http.ResponseWriter, status int, code, message, details string) {
	if details == "" {
		details = "[]"
	}
	sdktest.WriteJSON(w, status, fmt.Sprintf(`{"error":{"code":%q,"message":%q,"details":%s,"request_id":"req-1"}}`, code, message, details))
}

var t0 = time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)

// upgradeJSON is an upgrade as the platform sends it.
func upgradeJSON(status servicing.UpgradeStatus, progress int, extra string) string {
	return fmt.Sprintf(`{"upgrade_id":"upg-0007","agent_id":"wow-memory","kind":"upgrade","from_version":"0.4.2",
		"to_version":"0.4.3","strategy":"canary","status":%q,"progress":%d,"phases":[
		{"name":"canary_10","status":"completed","traffic_percent":10,"started_at":"2026-01-02T10:00:05Z","completed_at":"2026-01-02T10:05:05Z"},
		{"name":"canary_50","status":"in_progress","traffic_percent":50,"started_at":"2026-01-02T10:05:05Z","completed_at":null},
		{"name":"canary_100","status":"pending","traffic_percent":100,"started_at":null,"completed_at":null}],
		"auto_rollback":{"enabled":true,"error_rate_threshold":0.05,"latency_threshold_ms":1000},
		"performed_by":"admin@waooaw.ai","started_at":"2026-01-02T10:00:00Z","completed_at":null%s}`, status, progress, extra)
}

func TestVersions(t *testing.T) {
	t.Parallel()
	sc, mux := setup(t)
	mux.HandleFunc("/api/platform/agents/{id}/versions", func(w http.ResponseWriter, r *http.Request) {
		testRequest(t, r, "GET", nil, "")
		if id := r.PathValue("id"); id != "wow/memory" {
			t.Errorf("agent id %q, want the escaped wow/memory", id)
		}
		sdktest.WriteJSON(w, 200, `{"agent_id":"wow/memory","current_version":"0.4.2","changelog":"0.4.3 (2025-12-27): fixes",
			"available_versions":[
			{"version":"0.4.3","release_date":"2025-12-27T00:00:00Z","status":"available","changelog":"fixes","breaking_changes":[],"recommended":true,"size_mb":12},
			{"version":"0.4.2","release_date":"2025-12-03T00:00:00Z","status":"current","changelog":"c","breaking_changes":[],"recommended":false},
			{"version":"0.3.0","release_date":"2025-07-06T00:00:00Z","status":"retired","changelog":"old","breaking_changes":["x"],"recommended":false}]}`)
	})
	v, err := sc.Versions(t.Context(), "wow/memory")
	if err != nil {
		t.Fatal(err)
	}
	day := func(m time.Month, d int, y int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	want := &servicing.Versions{
		AgentID: "wow/memory", CurrentVersion: "0.4.2", Changelog: "0.4.3 (2025-12-27): fixes",
		AvailableVersions: []servicing.Version{
			{Version: "0.4.3", ReleaseDate: day(12, 27, 2025), Status: servicing.VersionAvailable, Changelog: "fixes", BreakingChanges: []string{}, Recommended: true},
			{Version: "0.4.2", ReleaseDate: day(12, 3, 2025), Status: servicing.VersionCurrent, Changelog: "c", BreakingChanges: []string{}},
			{Version: "0.3.0", ReleaseDate: day(7, 6, 2025), Status: "retired", Changelog: "old", BreakingChanges: []string{"x"}},
		},
	}
	if diff := cmp.Diff(want, v); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	if r := v.Recommended(); r == nil || r.Version != "0.4.3" {
		t.Errorf("Recommended() = %+v", r)
	}
	if v.Find("0.3.0") == nil || v.Find("9.9.9") != nil {
		t.Errorf("Find misses 0.3.0 or finds 9.9.9")
	}
	if r := (servicing.Versions{}).Recommended(); r != nil {
		t.Errorf("Recommended() of nothing = %+v", r)
	}
}

func TestUpgradeSendsTheRequest(t *testing.T) {
	t.Parallel()
	sc, mux := setup(t)
	mux.HandleFunc("/api/platform/agents/wow-memory/upgrade", func(w http.ResponseWriter, r *http.Request) {
		testRequest(t, r, "POST", nil, `{"target_version":"0.4.3","strategy":"canary",
			"auto_rollback":{"enabled":true,"error_rate_threshold":0.02},"reason":"monthly"}`)
		w.Header().Set("Location", "/api/platform/upgrades/upg-0007")
		sdktest.WriteJSON(w, 202, upgradeJSON(servicing.UpgradePending, 0, ""))
	})
	op, err := sc.Upgrade(t.Context(), "wow-memory", servicing.UpgradeRequest{
		TargetVersion: "0.4.3", Strategy: servicing.StrategyCanary, Reason: "monthly",
		AutoRollback: &servicing.AutoRollback{Enabled: true, ErrorRateThreshold: 0.02},
	})
	if err != nil {
		t.Fatal(err)
	}
	if op.ID() != "upg-0007" || op.Last().AgentID != "wow-memory" || op.Done() || op.Progress() != 0 {
		t.Errorf("operation %s %s done %v progress %d", op.ID(), op.Last().AgentID, op.Done(), op.Progress())
	}
	u := op.Last()
	ptr := func(t time.Time) *time.Time { return &t }
	pct := func(n int) *int { return &n }
	want := servicing.Upgrade{
		UpgradeID: "upg-0007", AgentID: "wow-memory", Kind: servicing.KindUpgrade, FromVersion: "0.4.2", ToVersion: "0.4.3",
		Strategy: servicing.StrategyCanary, Status: servicing.UpgradePending,
		Phases: []servicing.Phase{
			{Name: "canary_10", Status: servicing.PhaseCompleted, TrafficPercent: pct(10), StartedAt: ptr(t0.Add(5 * time.Second)), CompletedAt: ptr(t0.Add(5*time.Minute + 5*time.Second))},
			{Name: "canary_50", Status: servicing.PhaseInProgress, TrafficPercent: pct(50), StartedAt: ptr(t0.Add(5*time.Minute + 5*time.Second))},
			{Name: "canary_100", Status: servicing.PhasePending, TrafficPercent: pct(100)},
		},
		AutoRollback: &servicing.AutoRollback{Enabled: true, ErrorRateThreshold: 0.05, LatencyThresholdMS: 1000},
		PerformedBy:  "admin@waooaw.ai", StartedAt: t0,
	}
	if diff := cmp.Diff(want, u); diff != "" {
		t.Errorf("upgrade (-want +got):\n%s", diff)
	}
	if p := u.CurrentPhase(); p == nil || p.Name != servicing.PhaseCanary50 {
		t.Errorf("CurrentPhase() = %+v", p)
	}
	if s := u.String(); s != "upg-0007 wow-memory 0.4.2→0.4.3 canary pending 0% canary_50" {
		t.Errorf("String() = %q", s)
	}
	// Last is a copy.
	u.Phases[0].Name = "changed"
	if op.Last().Phases[0].Name != "canary_10" {
		t.Errorf("Last() shares its phases with the caller")
	}
}

func TestUpgradeAndRollbackErrors(t *testing.T) {
	t.Parallel()
	sc, mux := setup(t)
	mux.HandleFunc("/api/platform/agents/{id}/{action}", func(w http.ResponseWriter, r *http.Request) {
		switch r.PathValue("id") {
		case "busy":
			writeError(w, 409, "conflict", "cannot upgrade agent \"busy\": upgrade upg-0003 (0.1.0→0.2.0) is in_progress", "")
		case "viewer":
			writeError(w, 403, "permission_denied", "needs the admin role", "")
		case "bad":
			writeError(w, 400, "invalid_argument", "the request is not valid", `[{"field":"target_version","issue":"agent bad has no version \"9\""}]`)
		case "noid":
			sdktest.WriteJSON(w, 202, `{"agent_id":"noid"}`)
		default:
			writeError(w, 404, "not_found", "agent not found", "")
		}
	})
	ctx := t.Context()
	req := servicing.UpgradeRequest{TargetVersion: "9", Strategy: servicing.StrategyRolling}
	for _, c := range []struct {
		agent string
		is    error
	}{
		{"busy", platform.ErrConflict},
		{"viewer", platform.ErrPermissionDenied},
		{"bad", platform.ErrInvalidArgument},
		{"nobody", platform.ErrNotFound},
	} {
		_, err := sc.Upgrade(ctx, c.agent, req)
		if !errors.Is(err, c.is) {
			t.Errorf("Upgrade(%s): %v, want %v", c.agent, err, c.is)
		}
		_, err = sc.Rollback(ctx, c.agent, servicing.RollbackRequest{Reason: "r"})
		if !errors.Is(err, c.is) {
			t.Errorf("Rollback(%s): %v, want %v", c.agent, err, c.is)
		}
	}
	_, err := sc.Upgrade(ctx, "bad", req)
	var pe *platform.Error
	if !errors.As(err, &pe) || len(pe.Details) != 1 || pe.Details[0].Field != "target_version" {
		t.Errorf("Upgrade(bad): %v, want the field in Details", err)
	}
	if _, err := sc.Upgrade(ctx, "noid", req); err == nil || !strings.Contains(err.Error(), "upgrade_id") {
		t.Errorf("an answer without upgrade_id: %v", err)
	}
	for _, id := range []string{"", "..", "."} {
		if _, err := sc.Upgrade(ctx, id, req); err == nil {
			t.Errorf("Upgrade(%q) was sent", id)
		}
	}
}

func TestRollbackSendsTheRequest(t *testing.T) {
	t.Parallel()
	sc, mux := setup(t)
	mux.HandleFunc("/api/platform/agents/wow-memory/rollback", func(w http.ResponseWriter, r *http.Request) {
		testRequest(t, r, "POST", nil, `{"reason":"errors after the upgrade"}`)
		sdktest.WriteJSON(w, 202, strings.Replace(upgradeJSON(servicing.UpgradePending, 0, ""), `"kind":"upgrade"`, `"kind":"rollback"`, 1))
	})
	op, err := sc.Rollback(t.Context(), "wow-memory", servicing.RollbackRequest{Reason: "errors after the upgrade"})
	if err != nil {
		t.Fatal(err)
	}
	if op.Last().Kind != servicing.KindRollback {
		t.Errorf("kind %s", op.Last().Kind)
	}
}

func TestGetUpgradeAndOperation(t *testing.T) {
	t.Parallel()
	sc, mux := setup(t)
	mux.HandleFunc("/api/platform/upgrades/{id}", func(w http.ResponseWriter, r *http.Request) {
		testRequest(t, r, "GET", nil, "")
		if r.PathValue("id") != "upg-0007" {
			writeError(w, 404, "not_found", "upgrade not found", "")
			return
		}
		sdktest.WriteJSON(w, 200, upgradeJSON(servicing.UpgradeInProgress, 40, ""))
	})
	u, err := sc.GetUpgrade(t.Context(), "upg-0007")
	if err != nil || u.Progress != 40 || u.Status != servicing.UpgradeInProgress {
		t.Fatalf("GetUpgrade: %+v %v", u, err)
	}
	op, err := sc.Operation(t.Context(), "upg-0007")
	if err != nil || op.Progress() != 40 || op.Last().AgentID != "wow-memory" {
		t.Fatalf("Operation: %v", err)
	}
	if _, err := sc.GetUpgrade(t.Context(), "upg-1"); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("unknown upgrade: %v", err)
	}
	if _, err := sc.Operation(t.Context(), "upg-1"); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("unknown operation: %v", err)
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	sc, mux := setup(t)
	mux.HandleFunc("GET /api/platform/agents/agent-001/config", func(w http.ResponseWriter, r *http.Request) {
		testRequest(t, r, "GET", nil, "")
		sdktest.WriteJSON(w, 200, `{"agent_id":"agent-001","config_version":3,"config":{"rate_limit":200,"env":{"A":"1"}},"updated_at":"2026-01-02T10:00:00Z"}`)
	})
	c, err := sc.Config(t.Context(), "agent-001")
	if err != nil {
		t.Fatal(err)
	}
	want := &servicing.Config{AgentID: "agent-001", ConfigVersion: 3, UpdatedAt: t0,
		Config: map[string]any{"rate_limit": 200.0, "env": map[string]any{"A": "1"}}}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

func TestPatchConfig(t *testing.T) {
	t.Parallel()
	sc, mux := setup(t)
	var wantBody atomic.Value
	mux.HandleFunc("PATCH /api/platform/agents/agent-001/config", func(w http.ResponseWriter, r *http.Request) {
		testRequest(t, r, "PATCH", nil, wantBody.Load().(string))
		sdktest.WriteJSON(w, 200, `{"agent_id":"agent-001","config_version":4,"applied_at":"2026-01-02T10:00:00Z",
			"agent_reloaded":true,"downtime_seconds":0,"config":{"rate_limit":200}}`)
	})
	want := &servicing.ConfigUpdate{AgentID: "agent-001", ConfigVersion: 4, AppliedAt: t0, AgentReloaded: true,
		Config: map[string]any{"rate_limit": 200.0}}
	for _, c := range []struct {
		name   string
		patch  any
		reason string
		body   string
	}{
		{"map with a delete", map[string]any{"rate_limit": 200, "log_level": nil}, "campaign",
			`{"config":{"rate_limit":200,"log_level":null},"reason":"campaign"}`},
		{"raw JSON", json.RawMessage(` {"env":{"B":null}} `), "", `{"config":{"env":{"B":null}}}`},
		{"struct", struct {
			RateLimit int `json:"rate_limit"`
		}{200}, "", `{"config":{"rate_limit":200}}`},
	} {
		wantBody.Store(c.body)
		got, err := sc.PatchConfig(t.Context(), "agent-001", c.patch, c.reason)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: answer (-want +got):\n%s", c.name, diff)
		}
	}
	// Patches that are not JSON objects are refused without a request.
	for _, p := range []any{nil, json.RawMessage(`[1]`), json.RawMessage(`{`), json.RawMessage(nil), "rate_limit=200", 7, []any{1}, func() {}} {
		if _, err := sc.PatchConfig(t.Context(), "agent-001", p, ""); err == nil {
			t.Errorf("patch %#v was sent", p)
		}
	}
}

func TestPatchConfigInvalid(t *testing.T) {
	t.Parallel()
	sc, mux := setup(t)
	mux.HandleFunc("PATCH /api/platform/agents/agent-001/config", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, 400, "invalid_argument", "the request is not valid: config.rate_limit: must be between 1 and 10000",
			`[{"field":"config.rate_limit","issue":"must be between 1 and 10000"}]`)
	})
	_, err := sc.PatchConfig(t.Context(), "agent-001", map[string]any{"rate_limit": 0}, "")
	var pe *platform.Error
	if !errors.Is(err, platform.ErrInvalidArgument) || !errors.As(err, &pe) || pe.Details[0].Field != "config.rate_limit" {
		t.Errorf("PatchConfig: %v, want ErrInvalidArgument naming config.rate_limit", err)
	}
}

func TestHistory(t *testing.T) {
	t.Parallel()
	sc, mux := setup(t)
	entry := func(id string) string {
		return fmt.Sprintf(`{"upgrade_id":%q,"agent_id":"agent-004","agent_name":"Support Triage","kind":"upgrade",
			"from_version":"1.4.0","to_version":"1.5.0","strategy":"canary","status":"rolled_back",
			"started_at":"2026-01-02T10:00:00Z","completed_at":"2026-01-02T10:07:05Z","duration_ms":425000,
			"performed_by":"admin@waooaw.ai"}`, id)
	}
	mux.HandleFunc("GET /api/platform/servicing/history", func(w http.ResponseWriter, r *http.Request) {
		q := url.Values{"agent_id": {"agent-004"}, "status": {"rolled_back"}, "page_size": {"1"}}
		switch tok := r.URL.Query().Get("page_token"); tok {
		case "":
			testRequest(t, r, "GET", q, "")
			sdktest.WriteJSON(w, 200, `{"history":[`+entry("upg-0009")+`],"next_page_token":"p2","total":2}`)
		case "p2":
			q.Set("page_token", "p2")
			testRequest(t, r, "GET", q, "")
			sdktest.WriteJSON(w, 200, `{"history":[`+entry("upg-0005")+`],"next_page_token":"","total":2}`)
		default:
			writeError(w, 400, "invalid_argument", "bad page token", "")
		}
	})
	opts := servicing.HistoryOptions{AgentID: "agent-004", Status: servicing.UpgradeRolledBack, ListOptions: platform.ListOptions{PageSize: 1}}
	var ids []string
	for h, err := range sc.History(t.Context(), opts) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, h.UpgradeID)
	}
	if diff := cmp.Diff([]string{"upg-0009", "upg-0005"}, ids); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	p, err := sc.HistoryPage(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	done := t0.Add(7*time.Minute + 5*time.Second)
	ms := int64(425000)
	want := servicing.HistoryEntry{UpgradeID: "upg-0009", AgentID: "agent-004", AgentName: "Support Triage", Kind: servicing.KindUpgrade,
		FromVersion: "1.4.0", ToVersion: "1.5.0", Strategy: servicing.StrategyCanary, Status: servicing.UpgradeRolledBack,
		StartedAt: t0, CompletedAt: &done, DurationMS: &ms, PerformedBy: "admin@waooaw.ai"}
	if diff := cmp.Diff(want, p.Items[0]); diff != "" || p.NextPageToken != "p2" || p.Total != 2 {
		t.Errorf("page: next %q total %d (-want +got):\n%s", p.NextPageToken, p.Total, diff)
	}
	// An error ends the iteration after being yielded once.
	opts.PageToken = "stale"
	n := 0
	for _, err := range sc.History(t.Context(), opts) {
		n++
		if !errors.Is(err, platform.ErrInvalidArgument) {
			t.Errorf("stale token: %v", err)
		}
	}
	if n != 1 {
		t.Errorf("%d yields for a failing page, want 1", n)
	}
}

func TestNilClient(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var nilClient *servicing.Client
	for _, c := range []*servicing.Client{nilClient, servicing.New(nil)} {
		checks := map[string]error{}
		_, checks["Versions"] = c.Versions(ctx, "a")
		_, checks["Upgrade"] = c.Upgrade(ctx, "a", servicing.UpgradeRequest{})
		_, checks["Rollback"] = c.Rollback(ctx, "a", servicing.RollbackRequest{})
		_, checks["GetUpgrade"] = c.GetUpgrade(ctx, "u")
		_, checks["Operation"] = c.Operation(ctx, "u")
		_, checks["Config"] = c.Config(ctx, "a")
		_, checks["PatchConfig"] = c.PatchConfig(ctx, "a", map[string]any{}, "")
		_, checks["HistoryPage"] = c.HistoryPage(ctx, servicing.HistoryOptions{})
		for name, err := range checks {
			if err == nil || !strings.Contains(err.Error(), "servicing.New") {
				t.Errorf("%s without a platform client: %v", name, err)
			}
		}
		for _, err := range c.History(ctx, servicing.HistoryOptions{}) {
			if err == nil {
				t.Errorf("History without a platform client yielded no error")
			}
		}
	}
	var op *servicing.Operation
	if _, err := op.Refresh(ctx); err == nil {
		t.Errorf("Refresh of a nil Operation did not fail")
	}
}

// upgradeServer answers GET upgrades/upg-0007 with the readings in turn,
// repeating the last; it counts the reads.
func upgradeServer(t *testing.T, mux *http.ServeMux, readings ...string) *atomic.Int32 {
	var n atomic.Int32
	mux.HandleFunc("GET /api/platform/upgrades/upg-0007", func(w http.ResponseWriter, r *http.Request) {
		i := min(int(n.Add(1))-1, len(readings)-1)
		sdktest.WriteJSON(w, 200, readings[i])
	})
	mux.HandleFunc("POST /api/platform/agents/wow-memory/upgrade", func(w http.ResponseWriter, r *http.Request) {
		sdktest.WriteJSON(w, 202, upgradeJSON(servicing.UpgradePending, 0, ""))
	})
	return &n
}

func startOp(t *testing.T, sc *servicing.Client) *servicing.Operation {
	t.Helper()
	op, err := sc.Upgrade(t.Context(), "wow-memory", servicing.UpgradeRequest{TargetVersion: "0.4.3", Strategy: servicing.StrategyCanary})
	if err != nil {
		t.Fatal(err)
	}
	return op
}

func TestWatchAndWait(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sc, mux := setup(t, platform.WithPollInterval(10*time.Second))
		reads := upgradeServer(t, mux,
			upgradeJSON(servicing.UpgradeInProgress, 40, ""),
			upgradeJSON(servicing.UpgradeInProgress, 70, ""),
			upgradeJSON(servicing.UpgradeCompleted, 100, `,"future":true`),
		)
		op := startOp(t, sc)
		start := time.Now()
		var seen []string
		for u, err := range op.Watch(t.Context()) {
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, fmt.Sprintf("%s %d", u.Status, u.Progress))
		}
		if diff := cmp.Diff([]string{"in_progress 40", "in_progress 70", "completed 100"}, seen); diff != "" {
			t.Errorf("readings (-want +got):\n%s", diff)
		}
		if el := time.Since(start); el != 20*time.Second {
			t.Errorf("watch took %v, want two poll intervals", el)
		}
		if !op.Done() || op.Progress() != 100 {
			t.Errorf("after the watch: done %v progress %d", op.Done(), op.Progress())
		}
		u, err := op.Wait(t.Context())
		if err != nil || u.Status != servicing.UpgradeCompleted {
			t.Errorf("Wait on a completed upgrade: %+v %v", u, err)
		}
		if got := reads.Load(); got != 4 {
			t.Errorf("%d reads, want 4", got)
		}
		// A watch stopped early reads no more.
		for range op.Watch(t.Context()) {
			break
		}
		if got := reads.Load(); got != 5 {
			t.Errorf("%d reads after an early stop, want 5", got)
		}
	})
}

func TestWaitRolledBackOrFailed(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		last string
		is   error
		text string
	}{
		{upgradeJSON(servicing.UpgradeRolledBack, 100, `,"rollback_reason":"auto-rollback in canary_10: the error rate 12 % is above the threshold of 5 %"`),
			servicing.ErrRolledBack, "error rate 12 %"},
		{upgradeJSON(servicing.UpgradeRolledBack, 100, ""), servicing.ErrRolledBack, "no reason given"},
		{upgradeJSON(servicing.UpgradeFailed, 60, ""), servicing.ErrFailed, "upg-0007"},
	} {
		synctest.Test(t, func(t *testing.T) {
			sc, mux := setup(t, platform.WithPollInterval(time.Second))
			upgradeServer(t, mux, upgradeJSON(servicing.UpgradeRollingBack, 50, ""), c.last)
			u, err := startOp(t, sc).Wait(t.Context())
			if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.text) {
				t.Errorf("Wait: %v, want %v with %q", err, c.is, c.text)
			}
			if u == nil || !u.Status.Terminal() {
				t.Errorf("Wait returned %+v, want the last reading", u)
			}
		})
	}
}

func TestWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sc, mux := setup(t) // the default interval, 2 s
		reads := upgradeServer(t, mux, upgradeJSON(servicing.UpgradeInProgress, 50, ""))
		op := startOp(t, sc)
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start := time.Now()
		u, err := op.Wait(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait: %v, want the context's deadline", err)
		}
		if el := time.Since(start); el != 5*time.Second {
			t.Errorf("Wait gave up after %v, want at the deadline (5 s)", el)
		}
		if u == nil || u.Progress != 50 {
			t.Errorf("Wait returned %+v, want the last reading", u)
		}
		if got := reads.Load(); got != 3 { // at 0, 2 and 4 s
			t.Errorf("%d reads, want 3", got)
		}
	})
}

func TestUpgradeStatusTerminal(t *testing.T) {
	t.Parallel()
	for s, want := range map[servicing.UpgradeStatus]bool{
		servicing.UpgradePending: false, servicing.UpgradeInProgress: false, servicing.UpgradeRollingBack: false,
		servicing.UpgradeCompleted: true, servicing.UpgradeFailed: true, servicing.UpgradeRolledBack: true, "paused": false,
	} {
		if got := s.Terminal(); got != want {
			t.Errorf("%s.Terminal() = %v, want %v", s, got, want)
		}
	}
}

// TestUpgradeAndWaitOnTheMockServer follows real upgrades on the mock
// server, whose clock here is the bubble's: Wait's polls move it.
func TestUpgradeAndWaitOnTheMockServer(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := mockserver.New(mockserver.WithRealClock())
		pc := sdktest.MockClient(t, srv, mockserver.AdminEmail, platform.WithPollInterval(30*time.Second))
		sc := servicing.New(pc)
		ctx := t.Context()
		v, err := sc.Versions(ctx, "wow-memory")
		if err != nil {
			t.Fatal(err)
		}
		op, err := sc.Upgrade(ctx, "wow-memory", servicing.UpgradeRequest{TargetVersion: v.Recommended().Version, Strategy: servicing.StrategyCanary})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		u, err := op.Wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if el := time.Since(start); el < 15*time.Minute || el > 15*time.Minute+35*time.Second {
			t.Errorf("Wait took %v for 15 minutes of phases", el)
		}
		if a, err := pc.Agents.Get(ctx, "wow-memory"); err != nil || a.Version != u.ToVersion {
			t.Errorf("agent after Wait: %+v %v, want version %s", a, err, u.ToVersion)
		}

		// The known-bad build rolls back on its own.
		op, err = sc.Upgrade(ctx, "wow-memory", servicing.UpgradeRequest{TargetVersion: "0.5.0", Strategy: servicing.StrategyCanary})
		if err != nil {
			t.Fatal(err)
		}
		u, err = op.Wait(ctx)
		if !errors.Is(err, servicing.ErrRolledBack) || u.Status != servicing.UpgradeRolledBack {
			t.Fatalf("bad build: %v %+v", err, u)
		}
		if a, _ := pc.Agents.Get(ctx, "wow-memory"); a.Version != "0.4.3" {
			t.Errorf("after the rollback the agent runs %s, want 0.4.3", a.Version)
		}

		// The config changes at once.
		upd, err := sc.PatchConfig(ctx, "wow-memory", map[string]any{"rate_limit": 250, "log_level": nil}, "load test")
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := sc.Config(ctx, "wow-memory")
		if err != nil || cfg.ConfigVersion != upd.ConfigVersion || cfg.Config["rate_limit"] != 250.0 || cfg.Config["log_level"] != nil {
			t.Errorf("config after the patch: %+v %v", cfg, err)
		}
		_, err = sc.PatchConfig(ctx, "wow-memory", map[string]any{"rate_limit": 0}, "")
		var pe *platform.Error
		if !errors.As(err, &pe) || len(pe.Details) != 1 || pe.Details[0].Field != "config.rate_limit" {
			t.Errorf("invalid patch: %v", err)
		}

		var got []string
		for h, err := range sc.History(ctx, servicing.HistoryOptions{AgentID: "wow-memory"}) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%s→%s %s", h.FromVersion, h.ToVersion, h.Status))
		}
		want := []string{"0.4.3→0.5.0 rolled_back", "0.4.2→0.4.3 completed", "0.4.1→0.4.2 completed"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("history (-want +got):\n%s", diff)
		}
	})
}
