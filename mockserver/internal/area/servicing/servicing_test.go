package servicing_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/servicing"
)

const (
	svcAgentsPath  = "/api/platform/agents/"
	svcUpgrades    = "/api/platform/upgrades/"
	svcHistoryPath = "/api/platform/servicing/history"
)

// svc is a test server with a token per role.
type svc struct {
	t                       *testing.T
	ts                      *mockserver.TestServer
	viewer, operator, admin string
}

func newSvc(t *testing.T, opts ...mockserver.Option) *svc {
	t.Helper()
	ts := apitest.Start(t, opts...)
	// Tokens that outlive the clock's moves (a day and more).
	tok := func(email, role string) string {
		tok, err := ts.Token(email, role, 30*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	return &svc{t: t, ts: ts,
		viewer:   tok(mockserver.ViewerEmail, "viewer"),
		operator: tok(mockserver.OperatorEmail, "operator"),
		admin:    tok(mockserver.AdminEmail, "admin"),
	}
}

// get GETs path as a viewer, wants 200 and decodes the answer into v.
func (s *svc) get(path string, v any) {
	s.t.Helper()
	a := mocktest.Do(s.t, s.ts, mocktest.Call{Method: "GET", Path: path, Token: s.viewer})
	a.Want(s.t, 200, "")
	a.Decode(s.t, v)
}

func (s *svc) upgrade(id string) servicing.Upgrade {
	s.t.Helper()
	var u servicing.Upgrade
	s.get(svcUpgrades+id, &u)
	return u
}

func (s *svc) agent(id string) platform.Agent {
	s.t.Helper()
	var a platform.Agent
	s.get(svcAgentsPath+id, &a)
	return a
}

func (s *svc) config(id string) servicing.Config {
	s.t.Helper()
	var c servicing.Config
	s.get(svcAgentsPath+id+"/config", &c)
	return c
}

func (s *svc) history(query string) (items []servicing.HistoryEntry, next string, total int) {
	s.t.Helper()
	var l struct {
		History       []servicing.HistoryEntry `json:"history"`
		NextPageToken string                   `json:"next_page_token"`
		Total         int                      `json:"total"`
	}
	s.get(svcHistoryPath+query, &l)
	return l.History, l.NextPageToken, l.Total
}

// start POSTs body to the agent's action (upgrade or rollback) as an admin
// and wants 202 with a Location naming the upgrade.
func (s *svc) start(agentID, action, body string) servicing.Upgrade {
	s.t.Helper()
	a := mocktest.Do(s.t, s.ts, mocktest.Call{Method: "POST", Path: svcAgentsPath + agentID + "/" + action, Token: s.admin, Body: body})
	a.Want(s.t, 202, "")
	var u servicing.Upgrade
	a.Decode(s.t, &u)
	if loc := a.Header.Get("Location"); loc != svcUpgrades+u.UpgradeID {
		s.t.Errorf("Location %q, want %s", loc, svcUpgrades+u.UpgradeID)
	}
	return u
}

// status sends c as the given token and wants status (and code for errors).
func (s *svc) status(c mocktest.Call, status int, code string) mocktest.Answer {
	s.t.Helper()
	a := mocktest.Do(s.t, s.ts, c)
	a.Want(s.t, status, code)
	return a
}

func phaseNames(u servicing.Upgrade) []string {
	var out []string
	for _, p := range u.Phases {
		out = append(out, p.Name)
	}
	return out
}

func phaseStatuses(u servicing.Upgrade) []servicing.PhaseStatus {
	var out []servicing.PhaseStatus
	for _, p := range u.Phases {
		out = append(out, p.Status)
	}
	return out
}

func TestServicingVersions(t *testing.T) {
	t.Parallel()
	s := newSvc(t)
	var v servicing.Versions
	s.get(svcAgentsPath+"wow-memory/versions", &v)
	type row struct {
		Version     string
		Status      servicing.VersionStatus
		Recommended bool
		Breaking    int
		Bad         bool
	}
	var got []row
	for _, x := range v.AvailableVersions {
		got = append(got, row{x.Version, x.Status, x.Recommended, len(x.BreakingChanges), strings.Contains(x.Changelog, "KNOWN-BAD")})
	}
	wantRows := []row{
		{"0.5.0", servicing.VersionAvailable, false, 1, true},
		{"0.4.3", servicing.VersionAvailable, true, 0, false},
		{"0.4.2", servicing.VersionCurrent, false, 0, false},
		{"0.4.1", servicing.VersionAvailable, false, 0, false},
		{"0.4.0", servicing.VersionDeprecated, false, 0, false},
	}
	if v.AgentID != "wow-memory" || v.CurrentVersion != "0.4.2" {
		t.Errorf("agent %q current %q, want wow-memory 0.4.2", v.AgentID, v.CurrentVersion)
	}
	if d := cmp.Diff(wantRows, got); d != "" {
		t.Errorf("versions (-want +got):\n%s", d)
	}
	if r := v.Recommended(); r == nil || r.Version != "0.4.3" {
		t.Errorf("Recommended() = %+v, want 0.4.3", r)
	}
	lines := strings.Split(v.Changelog, "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "0.5.0 (") || !strings.HasPrefix(lines[1], "0.4.3 (") {
		t.Errorf("changelog %q, want a line for 0.5.0 then 0.4.3", v.Changelog)
	}
	// Release dates go back in time with the versions.
	for i := 1; i < len(v.AvailableVersions); i++ {
		if !v.AvailableVersions[i].ReleaseDate.Before(v.AvailableVersions[i-1].ReleaseDate) {
			t.Errorf("%s released %v, not before %s", v.AvailableVersions[i].Version, v.AvailableVersions[i].ReleaseDate, v.AvailableVersions[i-1].Version)
		}
	}

	// An agent without a known-bad build is recommended its newest version.
	s.get(svcAgentsPath+"wow-cache/versions", &v)
	if r := v.Recommended(); r == nil || r.Version != "0.4.0" || v.CurrentVersion != "0.3.0" {
		t.Errorf("wow-cache: current %s, recommended %+v; want 0.3.0 and 0.4.0", v.CurrentVersion, r)
	}
	s.status(mocktest.Call{Method: "GET", Path: svcAgentsPath + "nobody/versions", Token: s.viewer}, 404, "not_found")
}

// The phases of each strategy move on the clock, and the agent runs the new
// version from the moment the upgrade completes.
func TestUpgradeStrategiesMoveOnTheClock(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		strategy servicing.Strategy
		agent    string
		from, to string
		phases   []string
		minutes  []int
		traffic  []int
	}{
		{servicing.StrategyBlueGreen, "wow-cache", "0.3.0", "0.3.1",
			[]string{"deploy_green", "validate", "switch_traffic", "retire_blue"}, []int{3, 5, 1, 2}, nil},
		{servicing.StrategyCanary, "wow-vision-prime", "0.3.6", "0.4.0",
			[]string{"canary_10", "canary_50", "canary_100"}, []int{5, 5, 5}, []int{10, 50, 100}},
		{servicing.StrategyRolling, "agent-002", "1.4.0", "1.4.1",
			[]string{"batch_1", "batch_2", "batch_3"}, []int{4, 4, 4}, nil},
	} {
		t.Run(string(c.strategy), func(t *testing.T) {
			t.Parallel()
			s := newSvc(t)
			start := s.ts.Now()
			u := s.start(c.agent, "upgrade", fmt.Sprintf(`{"target_version":%q,"strategy":%q,"reason":"test"}`, c.to, c.strategy))
			if u.Status != servicing.UpgradePending || u.Progress != 0 || u.Kind != servicing.KindUpgrade ||
				u.FromVersion != c.from || u.ToVersion != c.to || !u.StartedAt.Equal(start) ||
				u.PerformedBy != mockserver.AdminEmail || u.CompletedAt != nil {
				t.Fatalf("first answer %+v", u)
			}
			if d := cmp.Diff(c.phases, phaseNames(u)); d != "" {
				t.Fatalf("phases (-want +got):\n%s", d)
			}
			for i, p := range u.Phases {
				var traffic *int
				if c.traffic != nil {
					traffic = &c.traffic[i]
				}
				if p.Status != servicing.PhasePending || !cmp.Equal(traffic, p.TrafficPercent) {
					t.Errorf("phase %s: %s traffic %v, want pending traffic %v", p.Name, p.Status, p.TrafficPercent, traffic)
				}
			}
			if ar := u.AutoRollback; ar == nil || !ar.Enabled || ar.ErrorRateThreshold != 0.05 || ar.LatencyThresholdMS != 1000 {
				t.Errorf("auto_rollback %+v, want the defaults", ar)
			}

			s.ts.Advance(5 * time.Second)
			progress := 0
			for i := range c.phases {
				u = s.upgrade(u.UpgradeID)
				cur := u.CurrentPhase()
				if u.Status != servicing.UpgradeInProgress || cur == nil || cur.Name != c.phases[i] {
					t.Fatalf("before phase %d: %s", i, u)
				}
				if u.Progress < progress {
					t.Errorf("progress went from %d to %d", progress, u.Progress)
				}
				progress = u.Progress
				if v := s.agent(c.agent).Version; v != c.from {
					t.Errorf("during %s the agent runs %s, want %s", cur.Name, v, c.from)
				}
				s.ts.Advance(time.Duration(c.minutes[i])*time.Minute - time.Second)
				if u = s.upgrade(u.UpgradeID); u.Phases[i].Status != servicing.PhaseInProgress {
					t.Fatalf("a second before its end, %s is %s", c.phases[i], u.Phases[i].Status)
				}
				s.ts.Advance(time.Second)
			}
			u = s.upgrade(u.UpgradeID)
			total := 0
			for _, m := range c.minutes {
				total += m
			}
			end := start.Add(5*time.Second + time.Duration(total)*time.Minute)
			if u.Status != servicing.UpgradeCompleted || u.Progress != 100 || u.CompletedAt == nil || !u.CompletedAt.Equal(end) {
				t.Fatalf("at the end: %s completed_at %v, want completed 100%% at %v", u, u.CompletedAt, end)
			}
			for _, p := range u.Phases {
				if p.Status != servicing.PhaseCompleted || p.StartedAt == nil || p.CompletedAt == nil {
					t.Errorf("phase %+v, want completed with times", p)
				}
			}
			if a := s.agent(c.agent); a.Version != c.to {
				t.Errorf("after the upgrade the agent runs %s, want %s", a.Version, c.to)
			}
			var v servicing.Versions
			s.get(svcAgentsPath+c.agent+"/versions", &v)
			if v.CurrentVersion != c.to || v.Find(c.to).Status != servicing.VersionCurrent || v.Find(c.from).Status == servicing.VersionCurrent {
				t.Errorf("versions after the upgrade: current %s, want %s", v.CurrentVersion, c.to)
			}
			h, _, _ := s.history("?agent_id=" + c.agent)
			if len(h) == 0 || h[0].UpgradeID != u.UpgradeID || h[0].Status != servicing.UpgradeCompleted ||
				h[0].DurationMS == nil || *h[0].DurationMS != end.Sub(start).Milliseconds() || h[0].PerformedBy != mockserver.AdminEmail {
				t.Errorf("history of %s: %+v, want the completed upgrade first", c.agent, h)
			}
		})
	}
}

// An upgrade to a known-bad build with auto-rollback fails its check phase,
// skips the rest, rolls back, and the agent keeps its version.
func TestUpgradeAutoRollback(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		strategy servicing.Strategy
		check    int // the phase that fails
		checkEnd time.Duration
	}{
		{servicing.StrategyBlueGreen, 1, 8 * time.Minute},
		{servicing.StrategyCanary, 0, 5 * time.Minute},
		{servicing.StrategyRolling, 0, 4 * time.Minute},
	} {
		t.Run(string(c.strategy), func(t *testing.T) {
			t.Parallel()
			s := newSvc(t)
			before := s.agent("wow-memory")
			u := s.start("wow-memory", "upgrade", fmt.Sprintf(`{"target_version":"0.5.0","strategy":%q}`, c.strategy))
			s.ts.Advance(5*time.Second + c.checkEnd - time.Second)
			if u = s.upgrade(u.UpgradeID); u.Status != servicing.UpgradeInProgress || u.RollbackReason != "" {
				t.Fatalf("a second before the check: %s (%q)", u, u.RollbackReason)
			}
			s.ts.Advance(time.Second)
			u = s.upgrade(u.UpgradeID)
			if u.Status != servicing.UpgradeRollingBack || !strings.Contains(u.RollbackReason, "error rate 12 %") ||
				!strings.Contains(u.RollbackReason, "2400 ms") || u.CompletedAt != nil {
				t.Fatalf("after the check: %s, reason %q", u, u.RollbackReason)
			}
			var want []servicing.PhaseStatus
			for i := range len(u.Phases) - 1 {
				switch {
				case i < c.check:
					want = append(want, servicing.PhaseCompleted)
				case i == c.check:
					want = append(want, servicing.PhaseFailed)
				default:
					want = append(want, servicing.PhaseSkipped)
				}
			}
			want = append(want, servicing.PhaseInProgress)
			if d := cmp.Diff(want, phaseStatuses(u)); d != "" || u.Phases[len(u.Phases)-1].Name != servicing.PhaseRollback {
				t.Errorf("phases %v (-want +got):\n%s", phaseNames(u), d)
			}
			rolling := u.Progress
			s.ts.Advance(time.Minute)
			if u = s.upgrade(u.UpgradeID); u.Status != servicing.UpgradeRollingBack || u.Progress <= rolling || u.Progress > 99 {
				t.Errorf("rolling back, a minute on: %s (was %d%%)", u, rolling)
			}
			s.ts.Advance(time.Minute)
			u = s.upgrade(u.UpgradeID)
			if u.Status != servicing.UpgradeRolledBack || u.Progress != 100 || u.CompletedAt == nil ||
				u.Phases[len(u.Phases)-1].Status != servicing.PhaseCompleted {
				t.Fatalf("after rolling back: %s", u)
			}
			s.ts.Advance(24 * time.Hour)
			if a := s.agent("wow-memory"); a.Version != "0.4.2" || a.Health != before.Health {
				t.Errorf("the agent runs %s, %s; want 0.4.2, %s as before", a.Version, a.Health, before.Health)
			}
			h, _, _ := s.history("?status=rolled_back&agent_id=wow-memory")
			if len(h) != 1 || h[0].UpgradeID != u.UpgradeID {
				t.Errorf("rolled-back history of wow-memory: %+v", h)
			}
		})
	}
}

// Without auto-rollback (or with thresholds the bad build meets) a
// known-bad build completes and degrades the agent; rolling back restores
// it, and rollbacks go down the versions the agent ran.
func TestKnownBadBuildWithoutAutoRollback(t *testing.T) {
	t.Parallel()
	for name, auto := range map[string]string{
		"disabled":              `{"enabled":false}`,
		"lax":                   `{"enabled":true,"error_rate_threshold":0.2,"latency_threshold_ms":5000}`,
		"default-enabled-field": `{"error_rate_threshold":0.5,"latency_threshold_ms":3000}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := newSvc(t)
			u := s.start("wow-memory", "upgrade", `{"target_version":"0.5.0","strategy":"canary","auto_rollback":`+auto+`}`)
			s.ts.Advance(16 * time.Minute)
			if u = s.upgrade(u.UpgradeID); u.Status != servicing.UpgradeCompleted || u.RollbackReason != "" {
				t.Fatalf("the upgrade: %s (%q), want completed", u, u.RollbackReason)
			}
			if a := s.agent("wow-memory"); a.Version != "0.5.0" || a.Health != platform.AgentDegraded {
				t.Fatalf("the agent: %s %s, want 0.5.0 degraded", a.Version, a.Health)
			}
			var m platform.Metrics
			s.get("/api/platform/metrics", &m)

			rb := s.start("wow-memory", "rollback", `{"reason":"bad build"}`)
			if rb.Kind != servicing.KindRollback || rb.FromVersion != "0.5.0" || rb.ToVersion != "0.4.2" ||
				rb.Strategy != servicing.StrategyBlueGreen || rb.AutoRollback != nil || rb.Reason != "bad build" {
				t.Fatalf("the rollback: %+v", rb)
			}
			s.ts.Advance(5*time.Second + 5*time.Minute)
			if rb = s.upgrade(rb.UpgradeID); rb.Status != servicing.UpgradeCompleted {
				t.Fatalf("the rollback: %s", rb)
			}
			if a := s.agent("wow-memory"); a.Version != "0.4.2" || a.Health != platform.AgentHealthy {
				t.Fatalf("after the rollback: %s %s, want 0.4.2 healthy", a.Version, a.Health)
			}
			var after platform.Metrics
			s.get("/api/platform/metrics", &after)
			if after.ErrorRate >= m.ErrorRate {
				t.Errorf("error rate %v with the bad build, %v after the rollback; want it lower", m.ErrorRate, after.ErrorRate)
			}

			// The seeded history has 0.4.1 → 0.4.2: one more step back.
			rb = s.start("wow-memory", "rollback", `{"reason":"further"}`)
			if rb.ToVersion != "0.4.1" {
				t.Errorf("second rollback to %s, want 0.4.1", rb.ToVersion)
			}
			s.ts.Advance(10 * time.Minute)
			if a := s.agent("wow-memory"); a.Version != "0.4.1" {
				t.Errorf("after the second rollback: %s", a.Version)
			}
			s.status(mocktest.Call{Method: "POST", Path: svcAgentsPath + "wow-memory/rollback", Token: s.admin, Body: `{"reason":"again"}`}, 409, "conflict")
		})
	}
}

func TestUpgradeAndRollbackRefusals(t *testing.T) {
	t.Parallel()
	s := newSvc(t)
	_, _, seeded := s.history("")
	up := func(agent, body string, status int, code, field string) {
		t.Helper()
		a := s.status(mocktest.Call{Method: "POST", Path: svcAgentsPath + agent + "/upgrade", Token: s.admin, Body: body}, status, code)
		checkDetail(t, a, field)
	}
	rb := func(agent, body string, status int, code, field string) {
		t.Helper()
		a := s.status(mocktest.Call{Method: "POST", Path: svcAgentsPath + agent + "/rollback", Token: s.admin, Body: body}, status, code)
		checkDetail(t, a, field)
	}
	// 404 before the body is read.
	up("nobody", `not json`, 404, "not_found", "")
	rb("nobody", ``, 404, "not_found", "")
	// 400s.
	up("wow-cache", ``, 400, "invalid_argument", "")
	up("wow-cache", `{"target_version":"0.3.1","strategy":"canary","colour":"red"}`, 400, "invalid_argument", "")
	up("wow-cache", `{"target_version":"9.9.9","strategy":"canary"}`, 400, "invalid_argument", "target_version")
	up("wow-cache", `{"strategy":"canary"}`, 400, "invalid_argument", "target_version")
	up("wow-cache", `{"target_version":"0.3.1","strategy":"big-bang"}`, 400, "invalid_argument", "strategy")
	up("wow-cache", `{"target_version":"0.3.1"}`, 400, "invalid_argument", "strategy")
	up("wow-cache", `{"target_version":"0.3.1","strategy":"canary","auto_rollback":{"enabled":true,"error_rate_threshold":5}}`, 400, "invalid_argument", "auto_rollback.error_rate_threshold")
	up("wow-cache", `{"target_version":"0.3.1","strategy":"canary","auto_rollback":{"latency_threshold_ms":-1}}`, 400, "invalid_argument", "auto_rollback.latency_threshold_ms")
	up("wow-cache", `{"target_version":"0.3.1","strategy":"canary","reason":"`+strings.Repeat("x", 501)+`"}`, 400, "invalid_argument", "reason")
	rb("wow-memory", `{}`, 400, "invalid_argument", "reason")
	rb("wow-memory", `{"reason":"  "}`, 400, "invalid_argument", "reason")
	rb("wow-memory", `{"reason":"x","target_version":"7.0.0"}`, 400, "invalid_argument", "target_version")
	s.status(mocktest.Call{Method: "POST", Path: svcAgentsPath + "wow-cache/upgrade", Token: s.admin, Body: `{}`,
		Header: map[string]string{"Content-Type": "application/merge-patch+json"}}, 415, "unsupported_media_type")
	// 409s.
	up("wow-cache", `{"target_version":"0.3.0","strategy":"canary"}`, 409, "conflict", "")  // the current version
	up("wow-cache", `{"target_version":"0.2.0","strategy":"canary"}`, 409, "conflict", "")  // older
	up("wow-search", `{"target_version":"0.2.3","strategy":"canary"}`, 409, "conflict", "") // status error
	rb("wow-cache", `{"reason":"x"}`, 409, "conflict", "")                                  // nothing ran before
	rb("wow-memory", `{"reason":"x","target_version":"0.4.0"}`, 409, "conflict", "")        // never ran 0.4.0
	rb("wow-memory", `{"reason":"x","target_version":"0.4.3"}`, 409, "conflict", "")        // newer, never ran
	rb("agent-004", `{"reason":"x"}`, 409, "conflict", "")                                  // its upgrade rolled back
	if _, _, n := s.history(""); n != seeded {
		t.Fatalf("refused requests changed the history: %d entries, want %d", n, seeded)
	}

	// One upgrade at a time.
	u := s.start("wow-cache", "upgrade", `{"target_version":"0.3.1","strategy":"rolling"}`)
	a := s.status(mocktest.Call{Method: "POST", Path: svcAgentsPath + "wow-cache/upgrade", Token: s.admin, Body: `{"target_version":"0.4.0","strategy":"canary"}`}, 409, "conflict")
	if !strings.Contains(string(a.Raw), u.UpgradeID) {
		t.Errorf("the conflict does not name the upgrade in progress: %s", a.Raw)
	}
	s.ts.Advance(5 * time.Minute)
	rb("wow-cache", `{"reason":"x"}`, 409, "conflict", "")
	s.ts.Advance(10 * time.Minute)
	if got := s.upgrade(u.UpgradeID); got.Status != servicing.UpgradeCompleted {
		t.Fatalf("%s", got)
	}
	s.start("wow-cache", "upgrade", `{"target_version":"0.4.0","strategy":"canary"}`)

	// A provisioning agent cannot be upgraded.
	c := mocktest.Do(t, s.ts, mocktest.Call{Method: "POST", Path: "/api/platform/factory/agents", Token: s.admin, Body: `{"template_id":"tmpl-api","agent_name":"crm-bridge"}`})
	c.Want(t, 202, "")
	var created struct {
		AgentID string `json:"agent_id"`
	}
	c.Decode(t, &created)
	up(created.AgentID, `{"target_version":"1.0.1","strategy":"canary"}`, 409, "conflict", "")
	s.ts.Advance(time.Hour)
	s.start(created.AgentID, "upgrade", `{"target_version":"1.0.1","strategy":"canary"}`)

	s.status(mocktest.Call{Method: "GET", Path: svcUpgrades + "upg-9999", Token: s.viewer}, 404, "not_found")
}

// checkDetail wants an error whose details name field ("" for any).
func checkDetail(t *testing.T, a mocktest.Answer, field string) {
	t.Helper()
	if field == "" {
		return
	}
	var b platform.ErrorBody
	a.Decode(t, &b)
	for _, d := range b.Error.Details {
		if d.Field == field {
			return
		}
	}
	t.Errorf("details %+v do not name %s", b.Error.Details, field)
}

func TestServicingRoles(t *testing.T) {
	t.Parallel()
	s := newSvc(t)
	for _, c := range []struct{ method, path, body string }{
		{"POST", svcAgentsPath + "wow-cache/upgrade", `{"target_version":"0.3.1","strategy":"canary"}`},
		{"POST", svcAgentsPath + "wow-memory/rollback", `{"reason":"x"}`},
		{"PATCH", svcAgentsPath + "agent-001/config", `{"config":{"rate_limit":200}}`},
	} {
		for _, tok := range []string{s.viewer, s.operator} {
			s.status(mocktest.Call{Method: c.method, Path: c.path, Token: tok, Body: c.body}, 403, "permission_denied")
		}
		s.status(mocktest.Call{Method: c.method, Path: c.path, Body: c.body}, 401, "unauthenticated")
	}
	for _, p := range []string{svcAgentsPath + "wow-cache/versions", svcAgentsPath + "agent-001/config", svcHistoryPath, svcUpgrades + "upg-0001"} {
		s.status(mocktest.Call{Method: "GET", Path: p, Token: s.viewer}, 200, "")
	}
	if _, _, n := s.history("?agent_id=wow-cache"); n != 0 {
		t.Errorf("a refused upgrade is in the history")
	}
	if c := s.config("agent-001"); c.ConfigVersion != 1 {
		t.Errorf("a refused patch changed the config: version %d", c.ConfigVersion)
	}
}

func TestConfigPatchGeneric(t *testing.T) {
	t.Parallel()
	s := newSvc(t)
	c := s.config("agent-001")
	wantDefault := map[string]any{"auto_restart": true, "cpu_limit_percent": 80.0, "log_level": "INFO", "max_concurrent_tasks": 5.0,
		"memory_limit_mb": 512.0, "rate_limit": 100.0, "retry_attempts": 3.0, "timeout_seconds": 300.0}
	if d := cmp.Diff(wantDefault, c.Config); d != "" || c.ConfigVersion != 1 {
		t.Fatalf("version %d, config (-want +got):\n%s", c.ConfigVersion, d)
	}
	patch := func(body, contentType string) servicing.ConfigUpdate {
		t.Helper()
		a := s.status(mocktest.Call{Method: "PATCH", Path: svcAgentsPath + "agent-001/config", Token: s.admin, Body: body,
			Header: map[string]string{"Content-Type": contentType}}, 200, "")
		var u servicing.ConfigUpdate
		a.Decode(t, &u)
		return u
	}
	// The seed's example, as a merge patch.
	s.ts.Advance(time.Minute)
	u := patch(`{"config":{"rate_limit":200},"reason":"spring campaign"}`, "application/merge-patch+json")
	if u.ConfigVersion != 2 || u.Config["rate_limit"] != 200.0 || !u.AgentReloaded || u.DowntimeSeconds != 0 ||
		!u.AppliedAt.Equal(s.ts.Now()) || u.Config["log_level"] != "INFO" {
		t.Fatalf("first patch: %+v", u)
	}
	// null deletes; others stay.
	u = patch(`{"config":{"log_level":null,"timeout_seconds":600}}`, "application/json")
	if _, ok := u.Config["log_level"]; ok || u.ConfigVersion != 3 || u.Config["timeout_seconds"] != 600.0 || u.Config["rate_limit"] != 200.0 {
		t.Fatalf("second patch: %+v", u)
	}
	c = s.config("agent-001")
	if d := cmp.Diff(u.Config, c.Config); d != "" || c.ConfigVersion != 3 || !c.UpdatedAt.Equal(u.AppliedAt) {
		t.Errorf("GET after the patches: version %d (-patched +got):\n%s", c.ConfigVersion, d)
	}
	// Every problem at once, with its path; nothing changes.
	for _, bad := range []struct {
		body   string
		fields []string
	}{
		{`{"config":{"rate_limit":0,"log_level":"LOUD","colour":"red"}}`, []string{"config.colour", "config.log_level", "config.rate_limit"}},
		{`{"config":{"max_concurrent_tasks":51,"auto_restart":"yes"}}`, []string{"config.auto_restart", "config.max_concurrent_tasks"}},
		{`{"config":{"memory_limit_mb":64.5}}`, []string{"config.memory_limit_mb"}},
	} {
		a := s.status(mocktest.Call{Method: "PATCH", Path: svcAgentsPath + "agent-001/config", Token: s.admin, Body: bad.body}, 400, "invalid_argument")
		var b platform.ErrorBody
		a.Decode(t, &b)
		var fields []string
		for _, d := range b.Error.Details {
			fields = append(fields, d.Field)
		}
		if d := cmp.Diff(bad.fields, fields); d != "" {
			t.Errorf("%s: fields (-want +got):\n%s\n%s", bad.body, d, a.Raw)
		}
	}
	for _, body := range []string{``, `{}`, `{"config":null}`, `{"config":[1]}`, `{"config":"x"}`, `{"config":{},"extra":1}`, `{"config":{`} {
		s.status(mocktest.Call{Method: "PATCH", Path: svcAgentsPath + "agent-001/config", Token: s.admin, Body: body}, 400, "invalid_argument")
	}
	s.status(mocktest.Call{Method: "PATCH", Path: svcAgentsPath + "agent-001/config", Token: s.admin, Body: `{"config":{}}`,
		Header: map[string]string{"Content-Type": "text/plain"}}, 415, "unsupported_media_type")
	s.status(mocktest.Call{Method: "PATCH", Path: svcAgentsPath + "nobody/config", Token: s.admin, Body: `nope`}, 404, "not_found")
	if c = s.config("agent-001"); c.ConfigVersion != 3 || c.Config["rate_limit"] != 200.0 {
		t.Errorf("refused patches changed the config: %+v", c)
	}
	// An empty patch is applied (and counted) but changes nothing.
	if u = patch(`{"config":{}}`, "application/json"); u.ConfigVersion != 4 || !cmp.Equal(u.Config, c.Config) {
		t.Errorf("empty patch: %+v", u)
	}
}

// Agents made from a template are checked against the template; nested
// objects merge.
func TestConfigPatchTemplate(t *testing.T) {
	t.Parallel()
	s := newSvc(t)
	create := func(tmpl, name string) string {
		a := mocktest.Do(t, s.ts, mocktest.Call{Method: "POST", Path: "/api/platform/factory/agents", Token: s.admin,
			Body: fmt.Sprintf(`{"template_id":%q,"agent_name":%q}`, tmpl, name)})
		a.Want(t, 202, "")
		var c struct {
			AgentID string `json:"agent_id"`
		}
		a.Decode(t, &c)
		return c.AgentID
	}
	blank, memory := create("tmpl-blank", "blank-one"), create("tmpl-memory", "memory-one")
	path := func(id string) string { return svcAgentsPath + id + "/config" }
	patch := func(id, body string, status int) mocktest.Answer {
		t.Helper()
		return s.status(mocktest.Call{Method: "PATCH", Path: path(id), Token: s.admin, Body: body}, status, "")
	}

	if c := s.config(memory); c.Config["retention_days"] != 30.0 || c.ConfigVersion != 1 {
		t.Errorf("memory agent's config %+v, want the template's default", c)
	}
	patch(blank, `{"config":{"env":{"A":"1","B":"2"},"state_backend":"redis"}}`, 200)
	var u servicing.ConfigUpdate
	patch(blank, `{"config":{"env":{"B":null,"C":"3"}}}`, 200).Decode(t, &u)
	wantCfg := map[string]any{"env": map[string]any{"A": "1", "C": "3"}, "state_backend": "redis"}
	if d := cmp.Diff(wantCfg, u.Config); d != "" {
		t.Errorf("nested merge (-want +got):\n%s", d)
	}
	for _, c := range []struct {
		id, body, field string
	}{
		{blank, `{"config":{"env":{"WAOOAW_TOKEN":"x"}}}`, "config.env.WAOOAW_TOKEN"},
		{blank, `{"config":{"state_backend":"disk"}}`, "config.state_backend"},
		{memory, `{"config":{"rate_limit":200}}`, "config.rate_limit"},
		{memory, `{"config":{"retention_days":null}}`, "config.retention_days"},
		{memory, `{"config":{"memory_type":"short_term"}}`, "config.retention_days"},
	} {
		a := patch(c.id, c.body, 400)
		checkDetail(t, a, c.field)
	}
	if c := s.config(blank); c.ConfigVersion != 3 || cmp.Diff(wantCfg, c.Config) != "" {
		t.Errorf("refused patches changed the blank agent's config: %+v", c)
	}
	if c := s.config(memory); c.ConfigVersion != 1 {
		t.Errorf("refused patches changed the memory agent's config: %+v", c)
	}
	patch(memory, `{"config":{"memory_type":"short_term","retention_days":7}}`, 200).Decode(t, &u)
	if u.ConfigVersion != 2 || u.Config["max_context_size"] != 10000.0 {
		t.Errorf("memory patch: %+v", u)
	}
}

// Concurrent patches of one agent are all applied, one after the other.
func TestConfigPatchConcurrent(t *testing.T) {
	t.Parallel()
	s := newSvc(t)
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			a := mocktest.Do(t, s.ts, mocktest.Call{Method: "PATCH", Path: svcAgentsPath + "agent-002/config", Token: s.admin,
				Body: fmt.Sprintf(`{"config":{"k%d":null,"rate_limit":%d}}`, i, 100+i)})
			if a.Status != 200 {
				t.Errorf("patch %d: %d %s", i, a.Status, a.Raw)
			}
		})
	}
	wg.Wait()
	if c := s.config("agent-002"); c.ConfigVersion != n+1 {
		t.Errorf("config version %d after %d patches, want %d", c.ConfigVersion, n, n+1)
	}
}

func TestServicingHistory(t *testing.T) {
	t.Parallel()
	s := newSvc(t)
	all, next, total := s.history("")
	if total != 6 || len(all) != 6 || next != "" {
		t.Fatalf("seeded history: %d of %d, next %q; want 6", len(all), total, next)
	}
	for i := 1; i < len(all); i++ {
		if all[i].StartedAt.After(all[i-1].StartedAt) {
			t.Errorf("history not newest first at %d", i)
		}
	}
	for _, h := range all {
		if h.CompletedAt == nil || h.DurationMS == nil || h.AgentName == "" || h.PerformedBy == "" || !h.Status.Terminal() {
			t.Errorf("seeded entry %+v: want an ended upgrade with its name, duration and who", h)
		}
		var u servicing.Upgrade
		s.get(svcUpgrades+h.UpgradeID, &u)
		if u.Status != h.Status || u.FromVersion != h.FromVersion {
			t.Errorf("%s: the upgrade says %s, the history %s", h.UpgradeID, u.Status, h.Status)
		}
	}
	if rb, _, n := s.history("?status=rolled_back"); n != 1 || rb[0].AgentID != "agent-004" {
		t.Errorf("rolled back: %+v", rb)
	}
	// Pages of two, bound to their filters.
	var paged []string
	q := url.Values{"page_size": {"2"}, "status": {"completed"}}
	for {
		items, next, n := s.history("?" + q.Encode())
		if n != 5 {
			t.Fatalf("total %d, want 5 completed", n)
		}
		for _, h := range items {
			paged = append(paged, h.UpgradeID)
		}
		if next == "" {
			break
		}
		q.Set("page_token", next)
	}
	if len(paged) != 5 || slices.Contains(paged, "upg-0005") {
		t.Errorf("paged completed: %v", paged)
	}
	s.status(mocktest.Call{Method: "GET", Path: svcHistoryPath + "?status=done", Token: s.viewer}, 400, "invalid_argument")
	s.status(mocktest.Call{Method: "GET", Path: svcHistoryPath + "?page_token=" + q.Get("page_token"), Token: s.viewer}, 400, "invalid_argument")

	// A new upgrade is listed first, in progress, then completed.
	u := s.start("wow-analytics", "upgrade", `{"target_version":"0.3.4","strategy":"blue-green"}`)
	if h, _, _ := s.history("?status=pending"); len(h) != 1 || h[0].UpgradeID != u.UpgradeID || h[0].CompletedAt != nil || h[0].DurationMS != nil {
		t.Errorf("pending: %+v", h)
	}
	s.ts.Advance(time.Minute)
	if h, _, _ := s.history("?status=in_progress"); len(h) != 1 || h[0].AgentName != "WowAnalytics" {
		t.Errorf("in progress: %+v", h)
	}
	s.ts.Advance(time.Hour)
	if h, _, _ := s.history(""); h[0].UpgradeID != u.UpgradeID || h[0].Status != servicing.UpgradeCompleted {
		t.Errorf("newest: %+v", h[0])
	}
}

// servicingRoutes are the routes TestServicingContractWalk must see answer
// every documented status.
var servicingRoutes = []string{
	"GET /api/platform/agents/{id}/versions",
	"POST /api/platform/agents/{id}/upgrade",
	"POST /api/platform/agents/{id}/rollback",
	"GET /api/platform/agents/{id}/config",
	"PATCH /api/platform/agents/{id}/config",
	"GET /api/platform/upgrades/{id}",
	"GET /api/platform/servicing/history",
}

// TestServicingContractWalk provokes every documented answer of the
// servicing routes on a server whose traffic is validated against the
// contract.
func TestServicingContractWalk(t *testing.T) {
	t.Parallel()
	cov := apitest.NewCoverage()
	s := newSvc(t, cov.Option())
	textPlain := map[string]string{"Content-Type": "text/plain"}
	big := "{" + strings.Repeat(" ", 1<<20) + "}"
	bodies := map[string][2]string{ // a good body, a body that gives 409 on the good path
		"POST /api/platform/agents/{id}/upgrade":  {`{"target_version":"0.3.1","strategy":"canary"}`, `{"target_version":"0.3.0","strategy":"canary"}`},
		"POST /api/platform/agents/{id}/rollback": {`{"reason":"walk"}`, `{"reason":"walk"}`},
		"PATCH /api/platform/agents/{id}/config":  {`{"config":{"rate_limit":300}}`, ``},
	}
	paths := map[string][2]string{ // a good path, an unknown one
		"GET /api/platform/upgrades/{id}":     {svcUpgrades + "upg-0001", svcUpgrades + "upg-9999"},
		"GET /api/platform/servicing/history": {svcHistoryPath, ""},
	}
	for _, r := range servicingRoutes {
		method, pattern, _ := strings.Cut(r, " ")
		agent := "wow-cache"
		if strings.HasSuffix(pattern, "/rollback") {
			agent = "wow-memory" // its seeded upgrade can be rolled back
		}
		good, unknown := strings.Replace(pattern, "{id}", agent, 1), strings.Replace(pattern, "{id}", "nobody", 1)
		if p, ok := paths[r]; ok {
			good, unknown = p[0], p[1]
		}
		bad := strings.Replace(pattern, "{id}", "a%20b", 1)
		b := bodies[r]
		mocktest.Do(t, s.ts, mocktest.Call{Method: method, Path: good})
		mocktest.Do(t, s.ts, mocktest.Call{Method: method, Path: good, Token: s.viewer, Body: b[0]})
		mocktest.Do(t, s.ts, mocktest.Call{Method: method, Path: bad, Token: s.admin, Body: b[0]})
		if unknown != "" {
			mocktest.Do(t, s.ts, mocktest.Call{Method: method, Path: unknown, Token: s.admin, Body: b[0]})
		}
		if method == "GET" {
			mocktest.Do(t, s.ts, mocktest.Call{Method: method, Path: good + "?page_size=9999", Token: s.viewer})
			mocktest.Do(t, s.ts, mocktest.Call{Method: method, Path: good, Token: s.viewer})
			continue
		}
		mocktest.Do(t, s.ts, mocktest.Call{Method: method, Path: good, Token: s.admin, Body: "x", Header: textPlain})
		mocktest.Do(t, s.ts, mocktest.Call{Method: method, Path: good, Token: s.admin, Body: big})
		mocktest.Do(t, s.ts, mocktest.Call{Method: method, Path: good, Token: s.admin, Body: `{"x":1}`})
		key := map[string]string{"Idempotency-Key": "walk " + r}
		mocktest.Do(t, s.ts, mocktest.Call{Method: method, Path: good, Token: s.admin, Body: b[0], Header: key})
		mocktest.Do(t, s.ts, mocktest.Call{Method: method, Path: good, Token: s.admin, Body: b[0] + " ", Header: key})
		if b[1] != "" {
			mocktest.Do(t, s.ts, mocktest.Call{Method: method, Path: good, Token: s.admin, Body: b[1]})
		}
		if method == "PATCH" {
			mocktest.Do(t, s.ts, mocktest.Call{Method: method, Path: good, Token: s.admin, Body: b[0],
				Header: map[string]string{"Content-Type": "application/merge-patch+json"}})
		}
	}
	var missing []string
	for _, m := range cov.Missing(t, servicingRoutes...) {
		// 409 on PATCH is an Idempotency-Key still in flight, or a patch
		// that lost five races in a row: the walk cannot hold one open.
		// 429 and 5XX need injected faults.
		if m == "PATCH /api/platform/agents/{id}/config 409" || strings.HasSuffix(m, " 429") || strings.HasSuffix(m, " 5XX") {
			continue
		}
		missing = append(missing, m)
	}
	if len(missing) > 0 {
		t.Errorf("documented answers the walk never saw:\n  %s", strings.Join(missing, "\n  "))
	}
}

// Agents seeded by a test get a version line from their version; an empty
// start has no history.
func TestServicingSeededAgents(t *testing.T) {
	t.Parallel()
	s := newSvc(t, mockserver.WithEmptyStart(), mockserver.WithSeed(mockserver.Seed{Agents: []platform.Agent{
		{AgentID: "bot-1", Name: "Bot One", Version: "2.0.0"},
		{AgentID: "bot-2", Name: "Bot Two", Version: "nightly"},
		{AgentID: "bot-3", Name: "Bot Three"},
	}}))
	if err := s.ts.SeedErr(); err != nil {
		t.Fatal(err)
	}
	if h, _, n := s.history(""); n != 0 || len(h) != 0 {
		t.Fatalf("an empty start has history: %+v", h)
	}
	versions := func(id string) (string, []string) {
		var v servicing.Versions
		s.get(svcAgentsPath+id+"/versions", &v)
		var names []string
		for _, x := range v.AvailableVersions {
			names = append(names, x.Version)
		}
		return v.CurrentVersion, names
	}
	for _, c := range []struct {
		id, current string
		line        []string
	}{
		{"bot-1", "2.0.0", []string{"2.1.0", "2.0.1", "2.0.0", "1.9.0", "1.8.0"}},
		{"bot-2", "nightly", []string{"nightly"}},
		{"bot-3", "", nil},
	} {
		cur, line := versions(c.id)
		if cur != c.current || !slices.Equal(line, c.line) {
			t.Errorf("%s: current %q line %v, want %q %v", c.id, cur, line, c.current, c.line)
		}
	}
	u := s.start("bot-1", "upgrade", `{"target_version":"2.1.0","strategy":"rolling"}`)
	if u.UpgradeID != "upg-0001" {
		t.Errorf("the first upgrade of an empty start is %s", u.UpgradeID)
	}
	s.status(mocktest.Call{Method: "POST", Path: svcAgentsPath + "bot-2/upgrade", Token: s.admin, Body: `{"target_version":"2.1.0","strategy":"rolling"}`}, 400, "invalid_argument")
	if c := s.config("bot-3"); c.ConfigVersion != 1 || c.Config["rate_limit"] != 100.0 {
		t.Errorf("bot-3's config: %+v", c)
	}
}

// FuzzServicingBodies: any body of a config patch, an upgrade or a rollback
// is answered 2xx, 400 or 409, never 5xx; a refused patch changes nothing
// and an accepted one moves config_version by one.
func FuzzServicingBodies(f *testing.F) {
	f.Add(`{"config":{"rate_limit":200}}`, `{"target_version":"0.4.3","strategy":"canary"}`, `{"reason":"x"}`)
	f.Add(`{"config":{"rate_limit":null,"log_level":"WARN"},"reason":"r"}`, `{"target_version":"0.5.0","strategy":"rolling","auto_rollback":{"enabled":false}}`, `{"reason":"x","target_version":"0.4.1"}`)
	f.Add(`{"config":{"a":{"b":{"c":null}}}}`, `{"target_version":"0.4.3","strategy":"blue-green","auto_rollback":{"error_rate_threshold":1e308,"latency_threshold_ms":9223372036854775807}}`, `{"reason":""}`)
	f.Add(`{"config":{"timeout_seconds":1.5e3}}`, `{"target_version":"","strategy":"canary","auto_rollback":null}`, `{"reason":"x","target_version":null}`)
	f.Add(`{"config":[]}`, `[]`, `null`)
	s := mockserver.New()
	rt := s.Transport()
	var tok string // minted after each reset, which revokes sessions
	send := func(t *testing.T, method, target, body string) (int, []byte) {
		r, err := http.NewRequest(method, "http://mock"+target, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+tok)
		resp, err := rt.RoundTrip(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, raw
	}
	version := func(t *testing.T) int {
		st, raw := send(t, "GET", svcAgentsPath+"wow-memory/config", "")
		var c servicing.Config
		if st != 200 || json.Unmarshal(raw, &c) != nil {
			t.Fatalf("GET config: %d %s", st, raw)
		}
		return c.ConfigVersion
	}
	f.Fuzz(func(t *testing.T, patch, upgrade, rollback string) {
		s.Reset()
		var err error
		if tok, err = s.Token(mockserver.AdminEmail, "", 24*time.Hour); err != nil {
			t.Fatal(err)
		}
		before := version(t)
		st, raw := send(t, "PATCH", svcAgentsPath+"wow-memory/config", patch)
		switch {
		case st == 200 && version(t) != before+1, st == 400 && version(t) != before, st != 200 && st != 400:
			t.Fatalf("PATCH %q: %d %s; version %d → %d", patch, st, raw, before, version(t))
		}
		if st, raw := send(t, "POST", svcAgentsPath+"wow-memory/upgrade", upgrade); st != 202 && st != 400 && st != 409 {
			t.Fatalf("upgrade %q: %d %s", upgrade, st, raw)
		}
		s.Advance(time.Hour)
		if st, raw := send(t, "POST", svcAgentsPath+"wow-memory/rollback", rollback); st != 202 && st != 400 && st != 409 {
			t.Fatalf("rollback %q: %d %s", rollback, st, raw)
		}
		s.Advance(time.Hour)
		if st, raw := send(t, "GET", svcHistoryPath+"?agent_id=wow-memory", ""); st != 200 {
			t.Fatalf("history: %d %s", st, raw)
		}
	})
}

// An unknown agent is 404 before the body is read on every servicing
// mutation: a text/plain, oversized or malformed body does not turn it
// into a 415, 413 or 400.
func TestServicingUnknownPathBeforeBody(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	admin := mocktest.Token(t, ts, mockserver.AdminEmail, "admin")
	mocktest.CheckUnknownBeforeBody(t, ts, admin, []mocktest.UnknownPath{
		{Name: "upgrade", Method: "POST", Path: svcAgentsPath + "nope/upgrade"},
		{Name: "rollback", Method: "POST", Path: svcAgentsPath + "nope/rollback"},
		{Name: "config", Method: "PATCH", Path: svcAgentsPath + "nope/config"},
	}, []string{`agent "nope"`, `agent "nope"`, `agent "nope"`})
}

// A config patch must be one JSON object: null, another type, malformed
// JSON and data after the value are refused with 400 and nothing changes.
func TestConfigPatchIsOneObject(t *testing.T) {
	t.Parallel()
	s := newSvc(t)
	before := s.config("agent-001")
	for _, tc := range []struct{ name, body, issue string }{
		{"null", `{"config":null}`, "is required"},
		{"no config", `{"reason":"x"}`, "is required"},
		{"array", `{"config":[1]}`, "must be a JSON object, not an array"},
		{"string", `{"config":"{}"}`, "must be a JSON object, not a string"},
		{"trailing object", `{"config":{"rate_limit":200}} {"config":{}}`, ""},
		{"trailing garbage", `{"config":{"rate_limit":200}}x`, ""},
		{"malformed", `{"config":{"rate_limit":}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := mocktest.Do(t, s.ts, mocktest.Call{Method: "PATCH", Path: svcAgentsPath + "agent-001/config", Token: s.admin, Body: tc.body})
			a.Want(t, 400, "invalid_argument")
			if tc.issue != "" && !strings.Contains(string(a.Raw), tc.issue) {
				t.Errorf("%s: %s, want %q", tc.body, a.Raw, tc.issue)
			}
		})
	}
	if after := s.config("agent-001"); after.ConfigVersion != before.ConfigVersion || !cmp.Equal(after.Config, before.Config) {
		t.Errorf("refused patches changed the config: %+v → %+v", before, after)
	}
}

// brokenDefault is a template whose default config is not one JSON
// object.
type brokenDefault struct {
	template.Template
	defaultConfig string
}

func (b brokenDefault) Describe(ctx context.Context) (template.Description, error) {
	d, err := b.Template.Describe(ctx)
	d.TemplateID, d.DefaultConfig = "tmpl-broken", json.RawMessage(b.defaultConfig)
	return d, err
}

// brokenSource is the built-ins plus tmpl-broken.
type brokenSource struct{ broken brokenDefault }

func (s brokenSource) List(ctx context.Context) ([]template.Description, error) {
	return template.Builtins().List(ctx)
}

func (s brokenSource) Get(ctx context.Context, id string) (template.Template, error) {
	if id == "tmpl-broken" {
		return s.broken, nil
	}
	return template.Builtins().Get(ctx, id)
}

// An agent's config starts as its template's default config, decoded by
// the same strict rules as a request's: a template whose default is not
// one JSON object cannot be used (503, naming it), rather than giving the
// agent the first object of several, or an empty config for null.
func TestConfigOfABrokenTemplateDefault(t *testing.T) {
	t.Parallel()
	blank, err := template.Builtins().Get(t.Context(), "tmpl-blank")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, def, issue string }{
		{"trailing object", `{"rate_limit":1} {"rate_limit":2}`, "data after the value"},
		{"null", `null`, "not null"},
		{"array", `[]`, "not an array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSvc(t, mockserver.WithTemplates(brokenSource{brokenDefault{blank, tc.def}}))
			if _, err := s.ts.Seed(mockserver.Seed{Agents: []platform.Agent{
				{AgentID: "broken-agent", Name: "Broken Agent", TemplateID: "tmpl-broken"}}}); err != nil {
				t.Fatal(err)
			}
			a := mocktest.Do(t, s.ts, mocktest.Call{Method: "GET", Path: svcAgentsPath + "broken-agent/config", Token: s.viewer})
			a.Want(t, 503, "unavailable")
			if !strings.Contains(string(a.Raw), "default_config") || !strings.Contains(string(a.Raw), tc.issue) {
				t.Errorf("%s: want the default_config problem %q named", a.Raw, tc.issue)
			}
		})
	}
}
