package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
	"github.com/waooaw/waooaw-go/platform"
)

// notDocumentedYet are routes the server serves whose documentation in
// api/openapi.yaml or api/mock.yaml has not landed yet. Whoever documents
// one removes it here (the test fails while a listed route is documented).
var notDocumentedYet = []string{}

// TestContractRoutes: every route the server serves is documented in
// api/openapi.yaml or api/mock.yaml, and every documented route is served.
func TestContractRoutes(t *testing.T) {
	t.Parallel()
	served := mockserver.New().Routes()
	documented := apitest.DocumentedRoutes(t)

	var dups []string
	seen := map[string]bool{}
	for _, r := range served {
		if seen[r] {
			dups = append(dups, r)
		}
		seen[r] = true
	}
	if len(dups) > 0 {
		t.Errorf("routes registered twice: %s", strings.Join(dups, ", "))
	}

	isDocumented := map[string]bool{}
	for _, r := range documented {
		isDocumented[r] = true
	}
	pending := map[string]bool{}
	for _, r := range notDocumentedYet {
		pending[r] = true
	}
	var undocumented, unserved, stale []string
	for r := range seen {
		if !isDocumented[r] && !pending[r] {
			undocumented = append(undocumented, r)
		}
	}
	for _, r := range documented {
		if !seen[r] {
			unserved = append(unserved, r)
		}
	}
	for _, r := range notDocumentedYet {
		if isDocumented[r] || !seen[r] {
			stale = append(stale, r)
		}
	}
	slices.Sort(undocumented)
	if d := routeDiff(undocumented, unserved, stale); d != "" {
		t.Errorf("the server and the contract disagree:\n%s", d)
	}
}

// routeDiff words the disagreement of TestContractRoutes, one route a line.
func routeDiff(undocumented, unserved, stale []string) string {
	var b strings.Builder
	section := func(title string, rs []string) {
		if len(rs) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s:\n", title)
		for _, r := range rs {
			fmt.Fprintf(&b, "  + %s\n", r)
		}
	}
	section("served but not documented (add them to api/openapi.yaml or api/mock.yaml)", undocumented)
	section("documented but not served (serve them, or take them out of the contract)", unserved)
	section("listed in notDocumentedYet but documented or not served (take them off the list)", stale)
	return b.String()
}

// walkRoutes are the routes TestContractWalk drives through every
// documented answer.
var walkRoutes = []string{
	apitest.UnknownRoute,
	apitest.UnknownMethod,
	"GET /healthz",
	"POST /_mock/reset",
	"POST /_mock/tokens",
	"GET /_mock/clock",
	"POST /_mock/clock/advance",
	"GET /api/platform/metrics",
	"GET /api/platform/health",
	"GET /api/platform/agents",
	"GET /api/platform/agents/{id}",
	"POST /api/platform/agents/{id}/restart",
	"POST /api/platform/agents/{id}/start",
	"POST /api/platform/agents/{id}/stop",
}

// unreachable are documented answers the walk cannot provoke yet.
var unreachable = map[string]string{
	"POST /api/platform/agents/{id}/restart 409": "restart refuses only stopping and provisioning agents (none is seeded) or a key still in flight",
}

// TestContractWalk drives every route of walkRoutes through its success
// and failure answers with plain HTTP, on servers whose every answer is
// validated against the contract (apitest.Start), and then checks that the
// walk has seen every documented answer of those routes.
func TestContractWalk(t *testing.T) {
	t.Parallel()
	cov := apitest.NewCoverage()
	steps := []struct {
		name string
		walk func(t *testing.T, ts *mockserver.TestServer)
	}{
		{"controls", walkControls},
		{"dashboard", walkDashboard},
		{"list", walkList},
		{"get", walkGet},
		{"actions", walkActions},
		{"idempotency", walkIdempotency},
		{"routing", walkRouting},
	}
	t.Run("steps", func(t *testing.T) {
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				t.Parallel()
				s.walk(t, apitest.Start(t, cov.Option()))
			})
		}
	})

	var missing []string
	for _, m := range cov.Missing(t, walkRoutes...) {
		// 429 and 5xx need injected faults (POST /_mock/faults).
		if strings.HasSuffix(m, " 429") || strings.HasSuffix(m, " 5XX") || unreachable[m] != "" {
			continue
		}
		missing = append(missing, m)
	}
	if len(missing) > 0 {
		t.Errorf("documented answers the walk never saw (provoke them, or list them in unreachable with the reason):\n  %s",
			strings.Join(missing, "\n  "))
	}
}

func walkControls(t *testing.T, ts *mockserver.TestServer) {
	var health map[string]string
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/healthz"}, 200, "").Decode(t, &health)
	if health["status"] != "ok" {
		t.Errorf("GET /healthz = %v, want status ok", health)
	}

	var clk mockserver.ClockResponse
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/_mock/clock"}, 200, "").Decode(t, &clk)
	if !clk.Now.Equal(mockserver.Epoch()) {
		t.Errorf("clock = %v, want %v", clk.Now, mockserver.Epoch())
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/clock/advance", Body: `{"seconds":30}`}, 200, "").Decode(t, &clk)
	if want := mockserver.Epoch().Add(30 * time.Second); !clk.Now.Equal(want) {
		t.Errorf("clock after advancing 30 s = %v, want %v", clk.Now, want)
	}
	for _, body := range []string{"", `{"seconds":0}`, `{"seconds":31536001}`, `{"seconds":"1"}`, `{"seconds":1,"by":"me"}`, `{`} {
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/clock/advance", Body: body}, 400, "invalid_argument")
	}
	if now := ts.Now(); !now.Equal(mockserver.Epoch().Add(30 * time.Second)) {
		t.Errorf("refused advances moved the clock to %v", now)
	}

	var tok mockserver.TokenResponse
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/tokens",
		Body: `{"email":"ops@waooaw.ai","role":"operator","expires_in":60}`}, 200, "").Decode(t,
		&tok)

	if tok.TokenType != "Bearer" || tok.ExpiresIn != 60 {
		t.Errorf("token answer = %+v, want a Bearer token for 60 s", tok)
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/wow-memory", Token: tok.AccessToken}, 200, "")
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/clock/advance", Body: `{"seconds":61}`}, 200, "")
	expired := mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/wow-memory", Token: tok.AccessToken}, 401, "unauthenticated")
	if ch := expired.Header.Get("WWW-Authenticate"); !strings.Contains(ch, `error="invalid_token"`) {
		t.Errorf("expired token: WWW-Authenticate %q, want an invalid_token challenge", ch)
	}
	for _, body := range []string{"", `{"email":"ops@waooaw.ai"}`, `{"email":"ops@waooaw.ai","role":"root"}`,
		`{"email":"nobody","role":"viewer"}`, `{"email":"ops@waooaw.ai","role":"viewer","expires_in":-1}`,
		`{"email":"ops@waooaw.ai","role":"viewer","scope":"all"}`} {
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/tokens", Body: body}, 400, "invalid_argument")
	}

	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/reset", Body: `{"hard":true}`}, 400, "invalid_argument")
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/reset", Body: `{}`}, 204, "")
	if now := ts.Now(); !now.Equal(mockserver.Epoch()) {
		t.Errorf("clock after reset = %v, want %v", now, mockserver.Epoch())
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/reset"}, 204, "")

	for _, p := range []string{"/_mock/reset", "/_mock/tokens", "/_mock/clock/advance"} {
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: p, Body: "seconds=1",
			Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, 415, "unsupported_media_type")
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: p, Body: mocktest.BigBody}, 413, "payload_too_large")
	}
}

func walkDashboard(t *testing.T, ts *mockserver.TestServer) {
	viewer := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	operator := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")

	metrics := func() platform.Metrics {
		t.Helper()
		var m platform.Metrics
		mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/metrics", Token: viewer}, 200, "").Decode(t, &m)
		return m
	}
	before := metrics()
	if before.ActiveAgents == 0 || before.TotalAgents < before.ActiveAgents {
		t.Errorf("metrics = %+v, want some agents online out of the total", before)
	}
	var h platform.Health
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/health", Token: viewer}, 200, "").Decode(t, &h)
	if h.Status == "" || len(h.Components) == 0 {
		t.Errorf("health = %+v, want a status and components", h)
	}
	if a := mocktest.Expect(t, ts, mocktest.Call{Method: "HEAD", Path: "/api/platform/metrics", Token: viewer}, 200, ""); len(a.Raw) != 0 {
		t.Errorf("HEAD answered a body: %s", a.Raw)
	}

	for _, p := range []string{"/api/platform/metrics", "/api/platform/health"} {
		a := mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: p}, 401, "unauthenticated")
		if ch := a.Header.Get("WWW-Authenticate"); !strings.HasPrefix(ch, "Bearer") || strings.Contains(ch, "error=") {
			t.Errorf("GET %s without a token: WWW-Authenticate %q, want a bare Bearer challenge", p, ch)
		}
		a = mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: p, Token: "not-a-jwt"}, 401, "unauthenticated")
		if ch := a.Header.Get("WWW-Authenticate"); !strings.Contains(ch, `error="invalid_token"`) {
			t.Errorf("GET %s with a bad token: WWW-Authenticate %q, want an invalid_token challenge", p, ch)
		}
	}

	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/agents/wow-memory/stop", Token: operator}, 200, "")
	if after := metrics(); after.ActiveAgents != before.ActiveAgents-1 {
		t.Errorf("active_agents after stopping one = %d, want %d", after.ActiveAgents, before.ActiveAgents-1)
	}
}

// agentPage is one page of GET /api/platform/agents.
type agentPage struct {
	Agents        []platform.Agent `json:"agents"`
	NextPageToken string           `json:"next_page_token"`
	Total         int              `json:"total"`
}

func walkList(t *testing.T, ts *mockserver.TestServer) {
	viewer := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	list := func(query string) agentPage {
		t.Helper()
		var p agentPage
		mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents?" + query, Token: viewer}, 200, "").Decode(t, &p)
		return p
	}

	all := list("page_size=0")
	if all.NextPageToken != "" || len(all.Agents) != all.Total || all.Total == 0 {
		t.Fatalf("first page with the default size: %d agents, total %d, next %q; want every agent on one page",
			len(all.Agents), all.Total, all.NextPageToken)
	}

	var walked []string
	for token, pages := "", 0; ; pages++ {
		if pages > all.Total {
			t.Fatal("paging does not end")
		}
		p := list("page_size=2&page_token=" + token)
		if p.Total != all.Total || len(p.Agents) > 2 {
			t.Fatalf("page %d: %d agents, total %d; want at most 2 of %d", pages, len(p.Agents), p.Total, all.Total)
		}
		for _, a := range p.Agents {
			walked = append(walked, a.AgentID)
		}
		if token = p.NextPageToken; token == "" {
			break
		}
	}
	var want []string
	for _, a := range all.Agents {
		want = append(want, a.AgentID)
	}
	if !slices.Equal(walked, want) {
		t.Errorf("paging by 2 gave\n  %v\nwant\n  %v", walked, want)
	}

	count := func(keep func(platform.Agent) bool) int {
		n := 0
		for _, a := range all.Agents {
			if keep(a) {
				n++
			}
		}
		return n
	}
	for _, f := range []struct {
		query string
		keep  func(platform.Agent) bool
	}{
		{"status=online", func(a platform.Agent) bool { return a.Status == platform.AgentOnline }},
		{"tier=Business", func(a platform.Agent) bool { return a.Tier == platform.TierBusiness }},
		{"q=WOW", func(a platform.Agent) bool { return strings.Contains(strings.ToLower(a.Name+" "+a.AgentID), "wow") }},
		{"status=offline&tier=Platform+CoE", func(a platform.Agent) bool {
			return a.Status == platform.AgentOffline && a.Tier == platform.TierPlatformCoE
		}},
	} {
		p := list(f.query)
		if want := count(f.keep); p.Total != want || len(p.Agents) != want || want == 0 {
			t.Errorf("?%s: %d agents, total %d; want %d (and more than none)", f.query, len(p.Agents), p.Total, want)
		}
		for _, a := range p.Agents {
			if !f.keep(a) {
				t.Errorf("?%s returned %s (%s, %s)", f.query, a.AgentID, a.Status, a.Tier)
			}
		}
	}

	online := list("status=online&page_size=1")
	for _, q := range []string{"status=bogus", "tier=Gold", "page_size=100000", "page_size=-1", "page_size=abc",
		"page_token=garbage", "page_token=" + online.NextPageToken} {
		mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents?" + q, Token: viewer}, 400, "invalid_argument")
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents"}, 401, "unauthenticated")
}

func walkGet(t *testing.T, ts *mockserver.TestServer) {
	viewer := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	var a platform.Agent
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/wow-memory", Token: viewer}, 200, "").Decode(t, &a)
	if a.Name != "WowMemory" || a.Tier != platform.TierPlatformCoE {
		t.Errorf("wow-memory = %s (%s), want WowMemory (Platform CoE)", a.Name, a.Tier)
	}
	var never platform.Agent
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/wow-domain", Token: viewer}, 200, "").Decode(t, &never)
	if never.LastActive != nil {
		t.Errorf("wow-domain last_active = %v, want null (never active)", never.LastActive)
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/no-such-agent", Token: viewer}, 404, "not_found")
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/bad%20id", Token: viewer}, 400, "invalid_argument")
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/wow-memory"}, 401, "unauthenticated")
}

func walkActions(t *testing.T, ts *mockserver.TestServer) {
	viewer := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	operator := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	act := func(id, action string) string { return "/api/platform/agents/" + id + "/" + action }
	status := func(id string) platform.AgentStatus {
		t.Helper()
		var a platform.Agent
		mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/" + id, Token: viewer}, 200, "").Decode(t, &a)
		return a.Status
	}

	for _, action := range []string{"restart", "start", "stop"} {
		p := act("wow-memory", action)
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: p}, 401, "unauthenticated")
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: p, Token: viewer}, 403, "permission_denied")
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: act("no-such-agent", action), Token: operator}, 404, "not_found")
		for _, body := range []string{`{"force":true}`, `{`, `[]`} {
			mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: p, Token: operator, Body: body}, 400, "invalid_argument")
		}
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: p, Token: operator, Body: "restart",
			Header: map[string]string{"Content-Type": "text/plain"}}, 415, "unsupported_media_type")
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: p, Token: operator, Body: mocktest.BigBody}, 413, "payload_too_large")
	}
	if got := status("wow-memory"); got != platform.AgentOnline {
		t.Fatalf("refused actions changed wow-memory to %s", got)
	}

	var a platform.Agent
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: act("wow-memory", "restart"), Token: operator}, 200, "").Decode(t, &a)
	if a.Status != platform.AgentStarting {
		t.Errorf("restart answered %s, want starting", a.Status)
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/clock/advance", Body: `{"seconds":30}`}, 200, "")
	if got := status("wow-memory"); got != platform.AgentOnline {
		t.Errorf("30 s after a restart wow-memory is %s, want online", got)
	}

	c := mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: act("wow-event", "start"), Token: operator}, 409, "conflict")
	if !strings.Contains(string(c.Raw), "online") {
		t.Errorf("start on an online agent: %s; want the message to name the state", c.Raw)
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: act("wow-domain", "start"), Token: operator, Body: `{}`}, 200, "").Decode(t, &a)
	if a.Status != platform.AgentStarting {
		t.Errorf("start answered %s, want starting", a.Status)
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: act("wow-scaling", "stop"), Token: operator}, 409, "conflict")
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: act("wow-cache", "stop"), Token: operator}, 200, "").Decode(t, &a)
	if a.Status != platform.AgentOffline {
		t.Errorf("stop answered %s, want offline", a.Status)
	}
}

func walkIdempotency(t *testing.T, ts *mockserver.TestServer) {
	operator := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	for _, c := range []struct{ id, action string }{
		{"wow-memory", "restart"}, {"wow-domain", "start"}, {"wow-cache", "stop"},
	} {
		p := "/api/platform/agents/" + c.id + "/" + c.action
		key := map[string]string{"Idempotency-Key": "walk-" + c.action}
		first := mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: p, Token: operator, Header: key}, 200, "")
		if first.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("%s: a first request is marked replayed", p)
		}
		// Without the key the action would now be refused (stop on offline
		// is a conflict); with it the first answer comes back.
		again := mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: p, Token: operator, Header: key}, 200, "")
		if again.Header.Get("Idempotent-Replayed") != "true" || string(again.Raw) != string(first.Raw) {
			t.Errorf("%s replayed with Idempotent-Replayed %q and\n  %s\nwant true and\n  %s",
				p, again.Header.Get("Idempotent-Replayed"), again.Raw, first.Raw)
		}
		mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: p, Token: operator, Header: key, Body: `{}`}, 422, "idempotency_key_reused")
	}
}

func walkRouting(t *testing.T, ts *mockserver.TestServer) {
	viewer := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	for _, p := range []string{"/", "/api/platform/nope", "/api/platform/agents/wow-memory/explode", "/_mock/nope"} {
		mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: p, Token: viewer}, 404, "not_found")
	}
	for _, c := range []struct{ method, path, allow string }{
		{"DELETE", "/api/platform/agents", "GET"},
		{"GET", "/api/platform/agents/wow-memory/restart", "POST"},
		{"PUT", "/_mock/clock", "GET"},
	} {
		a := mocktest.Expect(t, ts, mocktest.Call{Method: c.method, Path: c.path, Token: viewer}, 405, "method_not_allowed")
		if got := a.Header.Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
	}
	a := mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/no-such-agent", Token: viewer,
		Header: map[string]string{"X-Request-Id": "walk-42"}}, 404, "not_found")
	var body platform.ErrorBody
	a.Decode(t, &body)
	if a.Header.Get("X-Request-Id") != "walk-42" || body.Error.RequestID != "walk-42" {
		t.Errorf("X-Request-Id %q, request_id %q; want the client's walk-42 echoed in both",
			a.Header.Get("X-Request-Id"), body.Error.RequestID)
	}
}
