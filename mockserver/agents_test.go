package mockserver_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

func TestAgentsNeedAToken(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	a := do(t, ts, call{method: "GET", path: "/api/platform/agents"})
	if a.status != 401 || a.errCode(t) != "unauthenticated" {
		t.Fatalf("no token: got %d %s", a.status, a.raw)
	}
	if got := a.header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") || strings.Contains(got, "invalid_token") {
		t.Errorf("no token: WWW-Authenticate = %q, want a bare Bearer challenge", got)
	}
}

func TestBadTokensAreRefused(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	good := token(t, ts, mockserver.OperatorEmail, "operator")
	parts := strings.Split(good, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := strings.Replace(string(payload), `"operator"`, `"admin"`, 1)
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	short, err := ts.Token(mockserver.OperatorEmail, "operator", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	other := apitest.Start(t) // same claims, another server's key
	forged := token(t, other, mockserver.OperatorEmail, "operator")

	var wrongAud string
	{
		a := do(t, ts, call{method: "POST", path: "/_mock/tokens",
			body: `{"email":"ops@waooaw.ai","role":"operator","audience":"someone-else"}`})
		wrongAud = a.json(t)["access_token"].(string)
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
		a := do(t, ts, call{method: "GET", path: "/api/platform/agents", token: tok})
		if a.status != 401 || a.errCode(t) != "unauthenticated" {
			t.Errorf("%s: got %d %s, want 401", name, a.status, a.raw)
		}
		if got := a.header.Get("WWW-Authenticate"); !strings.Contains(got, `error="invalid_token"`) {
			t.Errorf("%s: WWW-Authenticate = %q", name, got)
		}
	}
	if a := do(t, ts, call{method: "GET", path: "/api/platform/agents", token: good}); a.status != 200 {
		t.Errorf("good token: %d %s", a.status, a.raw)
	}
}

func TestAgentListPagesWithoutGapsOrDuplicates(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	tok := token(t, ts, mockserver.ViewerEmail, "viewer")
	var all struct {
		Agents []platform.Agent `json:"agents"`
		Total  int              `json:"total"`
	}
	a := do(t, ts, call{method: "GET", path: "/api/platform/agents?page_size=500", token: tok})
	json.Unmarshal(a.raw, &all)
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
		a := do(t, ts, call{method: "GET", path: "/api/platform/agents?page_size=2&page_token=" + next, token: tok})
		var p struct {
			Agents []platform.Agent `json:"agents"`
			Next   *string          `json:"next_page_token"`
			Total  int              `json:"total"`
		}
		if err := json.Unmarshal(a.raw, &p); err != nil || p.Next == nil {
			t.Fatalf("page: %v %s", err, a.raw)
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
	tok := token(t, ts, mockserver.OperatorEmail, "operator")
	first := do(t, ts, call{method: "GET", path: "/api/platform/agents?page_size=2", token: tok})
	next := first.json(t)["next_page_token"].(string)
	for _, q := range []string{
		"status=bogus", "tier=gold", "page_size=100000", "page_size=-1", "page_size=abc",
		"page_token=garbage", "page_token=%00%01", "status=online&page_token=" + next,
	} {
		a := do(t, ts, call{method: "GET", path: "/api/platform/agents?" + q, token: tok})
		if a.status != 400 || a.errCode(t) != "invalid_argument" {
			t.Errorf("?%s: %d %s, want 400 invalid_argument", q, a.status, a.raw)
		}
	}
	before := do(t, ts, call{method: "GET", path: "/api/platform/agents/wow-memory", token: tok}).json(t)["status"]
	for _, c := range []call{
		{body: `{"force":`},
		{body: `{"force":true}`},
		{body: `[]`},
		{body: `{} {}`},
		{body: `{}`, header: map[string]string{"Content-Type": "text/plain"}},
	} {
		c.method, c.path, c.token = "POST", "/api/platform/agents/wow-memory/stop", tok
		a := do(t, ts, c)
		if a.status != 400 && a.status != 415 {
			t.Errorf("stop with body %q: %d %s", c.body, a.status, a.raw)
		}
	}
	big := `{"x":"` + strings.Repeat("a", 1<<20) + `"}`
	if a := do(t, ts, call{method: "POST", path: "/api/platform/agents/wow-memory/stop", token: tok, body: big}); a.status != 413 {
		t.Errorf("1 MiB body: %d", a.status)
	}
	// The resource is checked before the body: 404, not 413 or 415.
	if a := do(t, ts, call{method: "POST", path: "/api/platform/agents/no-such/stop", token: tok, body: big}); a.status != 404 {
		t.Errorf("unknown agent with a big body: %d", a.status)
	}
	if a := do(t, ts, call{method: "POST", path: "/api/platform/agents/wow-memory/stop", token: tok, body: "null"}); a.status != 400 {
		t.Errorf("null body: %d", a.status)
	}
	if a := do(t, ts, call{method: "GET", path: "/api/platform/agents?page_size=%2B5", token: tok}); a.status != 400 {
		t.Errorf("page_size=+5: %d", a.status)
	}
	after := do(t, ts, call{method: "GET", path: "/api/platform/agents/wow-memory", token: tok}).json(t)["status"]
	if before != after {
		t.Errorf("bad requests changed state: %v → %v", before, after)
	}
	for _, p := range []string{"/api/platform/agents/a%20b", "/api/platform/agents/..%2F..", "/api/platform/agents/%2e%2e"} {
		if a := do(t, ts, call{method: "GET", path: p, token: tok}); a.status != 400 && a.status != 404 {
			t.Errorf("GET %s: %d", p, a.status)
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
	tok := token(t, ts, mockserver.OperatorEmail, "operator")
	key := map[string]string{"Idempotency-Key": "k-1"}
	first := do(t, ts, call{method: "POST", path: "/api/platform/agents/wow-memory/stop", token: tok, header: key})
	again := do(t, ts, call{method: "POST", path: "/api/platform/agents/wow-memory/stop", token: tok, header: key})
	if first.status != 200 || again.status != 200 || string(first.raw) != string(again.raw) ||
		again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s / %d %s", first.status, first.raw, again.status, again.raw)
	}
	other := do(t, ts, call{method: "POST", path: "/api/platform/agents/wow-memory/stop", token: tok, header: key, body: "{}"})
	if other.status != 422 || other.errCode(t) != "idempotency_key_reused" {
		t.Errorf("same key, other body: %d %s", other.status, other.raw)
	}
	// Without a key the second stop is a real conflict.
	if a := do(t, ts, call{method: "POST", path: "/api/platform/agents/wow-memory/stop", token: tok}); a.status != 409 {
		t.Errorf("stop again: %d", a.status)
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	a := do(t, ts, call{method: "GET", path: "/api/platform/agentz"})
	if a.status != 404 || !strings.Contains(string(a.raw), "/api/platform/agents") {
		t.Errorf("unknown route: %d %s", a.status, a.raw)
	}
	a = do(t, ts, call{method: "DELETE", path: "/api/platform/agents/wow-memory"})
	if a.status != 405 || a.header.Get("Allow") != "GET" {
		t.Errorf("wrong method: %d Allow=%q %s", a.status, a.header.Get("Allow"), a.raw)
	}
	a = do(t, ts, call{method: "GET", path: "/healthz", header: map[string]string{"X-Request-Id": "mine-1"}})
	if a.status != 200 || a.header.Get("X-Request-Id") != "mine-1" {
		t.Errorf("healthz: %d, request id %q", a.status, a.header.Get("X-Request-Id"))
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
		if a := do(t, ts, call{method: "POST", path: "/_mock/clock/advance", body: body}); a.status != 400 {
			t.Errorf("advance %s: %d", body, a.status)
		}
	}
	a := do(t, ts, call{method: "POST", path: "/_mock/clock/advance", body: `{"seconds":90}`})
	if got := a.json(t)["now"]; got != "2026-01-02T10:01:30Z" {
		t.Errorf("advance: now = %v", got)
	}
	if a := do(t, ts, call{method: "POST", path: "/_mock/reset"}); a.status != 204 {
		t.Errorf("reset: %d", a.status)
	}
	if got := do(t, ts, call{method: "GET", path: "/_mock/clock"}).json(t)["now"]; got != "2026-01-02T10:00:00Z" {
		t.Errorf("after reset: %v", got)
	}
	for _, body := range []string{`{"email":"x","role":"viewer"}`, `{"email":"a@b.c","role":"root"}`, `{"email":"a@b.c","role":"viewer","expires_in":-5}`} {
		if a := do(t, ts, call{method: "POST", path: "/_mock/tokens", body: body}); a.status != 400 {
			t.Errorf("tokens %s: %d", body, a.status)
		}
	}
}

func ExampleServer_NewClient() {
	// In a test: ts := mockserver.Start(t); pc := ts.Client(...). Here, a
	// server without a listener and a client it serves in-process.
	srv := mockserver.New()
	pc, err := srv.NewClient(mockserver.OperatorEmail)
	if err != nil {
		fmt.Println(err)
		return
	}
	a, err := pc.Agents.Restart(context.Background(), "wow-memory")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Name, a.Status)
	srv.Advance(30 * time.Second)
	a, _ = pc.Agents.Get(context.Background(), "wow-memory")
	fmt.Println(a.Name, a.Status)
	// Output:
	// WowMemory starting
	// WowMemory online
}

// An unknown agent is 404 before the body is read on every agent action: a
// text/plain, oversized or malformed body does not turn it into a 415, 413
// or 400.
func TestAgentUnknownPathBeforeBody(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	operator := token(t, ts, mockserver.OperatorEmail, "operator")
	checkUnknownBeforeBody(t, ts, operator, []unknownPath{
		{"restart", "POST", "/api/platform/agents/nope/restart"},
		{"start", "POST", "/api/platform/agents/nope/start"},
		{"stop", "POST", "/api/platform/agents/nope/stop"},
	}, []string{`agent "nope"`, `agent "nope"`, `agent "nope"`})
}
