package agents_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
	"github.com/waooaw/waooaw-go/platform"
)

func TestAgentsNeedAToken(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents"})
	if a.Status != 401 || a.ErrCode(t) != "unauthenticated" {
		t.Fatalf("no token: got %d %s", a.Status, a.Raw)
	}
	if got := a.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") || strings.Contains(got, "invalid_token") {
		t.Errorf("no token: WWW-Authenticate = %q, want a bare Bearer challenge", got)
	}
}

func TestBadTokensAreRefused(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	good := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := strings.Replace(string(payload), `"operator"`, `"admin"`, 1)
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	short, err := ts.Token(mockserver.OperatorEmail, "operator", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	other := apitest.Start(t) // same claims, another server's key
	forged := mocktest.Token(t, other, mockserver.OperatorEmail, "operator")

	var wrongAud string
	{
		a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/tokens",
			Body: `{"email":"ops@waooaw.ai","role":"operator","audience":"someone-else"}`})
		wrongAud = a.JSON(t)["access_token"].(string)
	}
	ts.Advance(2 * time.Minute) // short has expired on the clock
	for name, tok := range map[string]string{
		"garbage":   "not-a-jwt",
		"alg none":  none,
		"tampered":  parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(tampered)) + "." + parts[2],
		"forged":    forged,
		"expired":   short,
		"wrong aud": wrongAud,
	} {
		a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents", Token: tok})
		if a.Status != 401 || a.ErrCode(t) != "unauthenticated" {
			t.Errorf("%s: got %d %s, want 401", name, a.Status, a.Raw)
		}
		if got := a.Header.Get("WWW-Authenticate"); !strings.Contains(got, `error="invalid_token"`) {
			t.Errorf("%s: WWW-Authenticate = %q", name, got)
		}
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents", Token: good}); a.Status != 200 {
		t.Errorf("good token: %d %s", a.Status, a.Raw)
	}
}

func TestAgentListPagesWithoutGapsOrDuplicates(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	var all struct {
		Agents []platform.Agent `json:"agents"`
		Total  int              `json:"total"`
	}
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents?page_size=500", Token: tok})
	json.Unmarshal(a.Raw, &all)
	if all.Total != len(all.Agents) || all.Total < 10 {
		t.Fatalf("total %d, %d agents", all.Total, len(all.Agents))
	}
	seen := map[string]bool{}
	var walked []string
	next := ""
	for pages := 0; ; pages++ {
		if pages > 50 {
			t.Fatal("paging does not end")
		}
		a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents?page_size=2&page_token=" + next, Token: tok})
		var p struct {
			Agents []platform.Agent `json:"agents"`
			Next   *string          `json:"next_page_token"`
			Total  int              `json:"total"`
		}
		if err := json.Unmarshal(a.Raw, &p); err != nil || p.Next == nil {
			t.Fatalf("page: %v %s", err, a.Raw)
		}
		if p.Total != all.Total {
			t.Errorf("total changed while paging: %d", p.Total)
		}
		for _, ag := range p.Agents {
			if seen[ag.AgentID] {
				t.Errorf("duplicate %s", ag.AgentID)
			}
			seen[ag.AgentID] = true
			walked = append(walked, ag.AgentID)
		}
		if *p.Next == "" {
			break
		}
		next = *p.Next
	}
	if len(walked) != len(all.Agents) {
		t.Fatalf("walked %d agents, want %d", len(walked), len(all.Agents))
	}
	for i, ag := range all.Agents {
		if walked[i] != ag.AgentID {
			t.Fatalf("order differs at %d: %s vs %s", i, walked[i], ag.AgentID)
		}
	}
}

func TestAgentFilters(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	pc := ts.Client(mockserver.ViewerEmail)
	ctx := context.Background()
	var online, total int
	for a, err := range pc.Agents.List(ctx, platform.AgentListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		total++
		if a.Status == platform.AgentOnline {
			online++
		}
	}
	got := 0
	for a, err := range pc.Agents.List(ctx, platform.AgentListOptions{Status: platform.AgentOnline, ListOptions: platform.ListOptions{PageSize: 3}}) {
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != platform.AgentOnline {
			t.Errorf("status=online gave %s (%s)", a.AgentID, a.Status)
		}
		got++
	}
	if got != online || online == 0 || online == total {
		t.Errorf("status=online gave %d agents, want %d of %d", got, online, total)
	}
	p, err := pc.Agents.ListPage(ctx, platform.AgentListOptions{Tier: platform.TierBusiness, Q: "acme-none"})
	if err != nil || len(p.Items) != 0 || p.Total != 0 || p.NextPageToken != "" {
		t.Errorf("no match: %+v %v", p, err)
	}
	p, err = pc.Agents.ListPage(ctx, platform.AgentListOptions{Q: "memory"})
	if err != nil || p.Total != 1 || p.Items[0].Name != "WowMemory" {
		t.Errorf("q=memory: %+v %v", p, err)
	}
}

func TestBadQueriesAre400AndChangeNothing(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	tok := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	first := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents?page_size=2", Token: tok})
	next := first.JSON(t)["next_page_token"].(string)
	for _, q := range []string{
		"status=bogus", "tier=gold", "page_size=100000", "page_size=-1", "page_size=abc",
		"page_token=garbage", "page_token=%00%01", "status=online&page_token=" + next,
	} {
		a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents?" + q, Token: tok})
		if a.Status != 400 || a.ErrCode(t) != "invalid_argument" {
			t.Errorf("?%s: %d %s, want 400 invalid_argument", q, a.Status, a.Raw)
		}
	}
	before := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/wow-memory", Token: tok}).JSON(t)["status"]
	for _, c := range []mocktest.Call{
		{Body: `{"force":`},
		{Body: `{"force":true}`},
		{Body: `[]`},
		{Body: `{} {}`},
		{Body: `{}`, Header: map[string]string{"Content-Type": "text/plain"}},
	} {
		c.Method, c.Path, c.Token = "POST", "/api/platform/agents/wow-memory/stop", tok
		a := mocktest.Do(t, ts, c)
		if a.Status != 400 && a.Status != 415 {
			t.Errorf("stop with body %q: %d %s", c.Body, a.Status, a.Raw)
		}
	}
	big := `{"x":"` + strings.Repeat("a", 1<<20) + `"}`
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/agents/wow-memory/stop", Token: tok, Body: big}); a.Status != 413 {
		t.Errorf("1 MiB body: %d", a.Status)
	}
	// The resource is checked before the body: 404, not 413 or 415.
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/agents/no-such/stop", Token: tok, Body: big}); a.Status != 404 {
		t.Errorf("unknown agent with a big body: %d", a.Status)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/agents/wow-memory/stop", Token: tok, Body: "null"}); a.Status != 400 {
		t.Errorf("null body: %d", a.Status)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents?page_size=%2B5", Token: tok}); a.Status != 400 {
		t.Errorf("page_size=+5: %d", a.Status)
	}
	after := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/wow-memory", Token: tok}).JSON(t)["status"]
	if before != after {
		t.Errorf("bad requests changed state: %v → %v", before, after)
	}
	for _, p := range []string{"/api/platform/agents/a%20b", "/api/platform/agents/..%2F..", "/api/platform/agents/%2e%2e"} {
		if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: p, Token: tok}); a.Status != 400 && a.Status != 404 {
			t.Errorf("GET %s: %d", p, a.Status)
		}
	}
}

func TestRestartMovesOnTheClock(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ctx := context.Background()
	viewer, ops := ts.Client(mockserver.ViewerEmail), ts.Client(mockserver.OperatorEmail)
	if _, err := viewer.Agents.Restart(ctx, "wow-memory"); !errors.Is(err, platform.ErrPermissionDenied) {
		t.Fatalf("viewer restart: %v, want permission denied", err)
	}
	a, err := ops.Agents.Restart(ctx, "wow-memory")
	if err != nil || a.Status != platform.AgentStarting {
		t.Fatalf("restart: %+v %v", a, err)
	}
	ts.Advance(29 * time.Second)
	if a, _ := ops.Agents.Get(ctx, "wow-memory"); a.Status != platform.AgentStarting {
		t.Errorf("after 29 s: %s, want starting", a.Status)
	}
	ts.Advance(time.Second)
	if a, _ := ops.Agents.Get(ctx, "wow-memory"); a.Status != platform.AgentOnline {
		t.Errorf("after 30 s: %s, want online", a.Status)
	}
	if _, err := ops.Agents.Start(ctx, "wow-memory"); !errors.Is(err, platform.ErrConflict) ||
		!strings.Contains(err.Error(), "online") {
		t.Errorf("start online agent: %v, want a conflict naming the state", err)
	}
	if _, err := ops.Agents.Get(ctx, "no-such-agent"); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("unknown agent: %v", err)
	}
}

func TestStoppingAnAgentLowersActiveAgentsByOne(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ctx := context.Background()
	pc := ts.Client(mockserver.OperatorEmail)
	before, err := pc.Metrics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.Agents.Stop(ctx, "wow-memory"); err != nil {
		t.Fatal(err)
	}
	after, _ := pc.Metrics(ctx)
	if after.ActiveAgents != before.ActiveAgents-1 || after.TotalAgents != before.TotalAgents {
		t.Errorf("active %d → %d, total %d → %d", before.ActiveAgents, after.ActiveAgents, before.TotalAgents, after.TotalAgents)
	}
	if after.RequestsPerMinute >= before.RequestsPerMinute {
		t.Errorf("requests/min did not fall: %d → %d", before.RequestsPerMinute, after.RequestsPerMinute)
	}
	if _, err := pc.Agents.Stop(ctx, "wow-memory"); !errors.Is(err, platform.ErrConflict) {
		t.Errorf("stop offline agent: %v", err)
	}
	h, err := pc.Health(ctx)
	if err != nil || h.Status == "" || len(h.Components) == 0 {
		t.Errorf("health: %+v %v", h, err)
	}
}

func TestIdempotentReplay(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	tok := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	key := map[string]string{"Idempotency-Key": "k-1"}
	first := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/agents/wow-memory/stop", Token: tok, Header: key})
	again := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/agents/wow-memory/stop", Token: tok, Header: key})
	if first.Status != 200 || again.Status != 200 || string(first.Raw) != string(again.Raw) ||
		again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s / %d %s", first.Status, first.Raw, again.Status, again.Raw)
	}
	other := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/agents/wow-memory/stop", Token: tok, Header: key, Body: "{}"})
	if other.Status != 422 || other.ErrCode(t) != "idempotency_key_reused" {
		t.Errorf("same key, other body: %d %s", other.Status, other.Raw)
	}
	// Without a key the second stop is a real conflict.
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/agents/wow-memory/stop", Token: tok}); a.Status != 409 {
		t.Errorf("stop again: %d", a.Status)
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agentz"})
	if a.Status != 404 || !strings.Contains(string(a.Raw), "/api/platform/agents") {
		t.Errorf("unknown route: %d %s", a.Status, a.Raw)
	}
	a = mocktest.Do(t, ts, mocktest.Call{Method: "DELETE", Path: "/api/platform/agents/wow-memory"})
	if a.Status != 405 || a.Header.Get("Allow") != "GET" {
		t.Errorf("wrong method: %d Allow=%q %s", a.Status, a.Header.Get("Allow"), a.Raw)
	}
	a = mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/healthz", Header: map[string]string{"X-Request-Id": "mine-1"}})
	if a.Status != 200 || a.Header.Get("X-Request-Id") != "mine-1" {
		t.Errorf("healthz: %d, request id %q", a.Status, a.Header.Get("X-Request-Id"))
	}
}

func TestServersAreIndependent(t *testing.T) {
	t.Parallel()
	a, b := apitest.Start(t), apitest.Start(t)
	ctx := context.Background()
	if _, err := a.Client(mockserver.OperatorEmail).Agents.Stop(ctx, "wow-memory"); err != nil {
		t.Fatal(err)
	}
	a.Advance(time.Hour)
	if got, _ := b.Client(mockserver.OperatorEmail).Agents.Get(ctx, "wow-memory"); got.Status != platform.AgentOnline {
		t.Errorf("b sees a's stop: %s", got.Status)
	}
	if !b.Now().Equal(mockserver.Epoch()) {
		t.Errorf("b's clock moved: %v", b.Now())
	}
	// Faults and journals are each server's own.
	a.AddFault(mockserver.Fault{Path: "/api/platform/metrics", Status: 500})
	if _, err := b.Client(mockserver.OperatorEmail).Metrics(ctx); err != nil {
		t.Errorf("a's fault reached b: %v", err)
	}
	if n := b.Calls("POST", "/api/platform/agents/*/stop"); n != 0 {
		t.Errorf("b's journal has a's stop: %d", n)
	}
	if n := a.Calls("GET", "/api/platform/metrics"); n != 0 {
		t.Errorf("a's journal has b's metrics call: %d", n)
	}
	// Reset restores a.
	a.Reset()
	if got, _ := a.Client(mockserver.OperatorEmail).Agents.Get(ctx, "wow-memory"); got.Status != platform.AgentOnline {
		t.Errorf("after reset: %s", got.Status)
	}
}

func TestClockControls(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	for _, body := range []string{`{}`, `{"seconds":0}`, `{"seconds":31536001}`, `{"seconds":"1"}`, `{"seconds":1,"x":1}`} {
		if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/clock/advance", Body: body}); a.Status != 400 {
			t.Errorf("advance %s: %d", body, a.Status)
		}
	}
	a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/clock/advance", Body: `{"seconds":90}`})
	if got := a.JSON(t)["now"]; got != "2026-01-02T10:01:30Z" {
		t.Errorf("advance: now = %v", got)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/reset"}); a.Status != 204 {
		t.Errorf("reset: %d", a.Status)
	}
	if got := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/_mock/clock"}).JSON(t)["now"]; got != "2026-01-02T10:00:00Z" {
		t.Errorf("after reset: %v", got)
	}
	for _, body := range []string{`{"email":"x","role":"viewer"}`, `{"email":"a@b.c","role":"root"}`, `{"email":"a@b.c","role":"viewer","expires_in":-5}`} {
		if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/tokens", Body: body}); a.Status != 400 {
			t.Errorf("tokens %s: %d", body, a.Status)
		}
	}
}

// An unknown agent is 404 before the body is read on every agent action: a
// text/plain, oversized or malformed body does not turn it into a 415, 413
// or 400.
func TestAgentUnknownPathBeforeBody(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	operator := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	mocktest.CheckUnknownBeforeBody(t, ts, operator, []mocktest.UnknownPath{
		{Name: "restart", Method: "POST", Path: "/api/platform/agents/nope/restart"},
		{Name: "start", Method: "POST", Path: "/api/platform/agents/nope/start"},
		{Name: "stop", Method: "POST", Path: "/api/platform/agents/nope/stop"},
	}, []string{`agent "nope"`, `agent "nope"`, `agent "nope"`})
}
