package mockserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

// TestSandboxesAreIsolated: two sandboxes and the server itself each keep
// their own data, clock, faults, journal and tokens; the SDK works against
// a sandbox's base URL; a sandbox is reachable by header too; deleting one
// ends it; the count is bounded.
func TestSandboxesAreIsolated(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t, mockserver.WithLimits(mockserver.Limits{Sandboxes: 2}))
	mk := func(body string) mockserver.SandboxInfo {
		t.Helper()
		a := do(t, ts, call{method: "POST", path: "/_mock/sandboxes", body: body})
		var info mockserver.SandboxInfo
		if err := json.Unmarshal(a.raw, &info); err != nil || a.status != 201 || !strings.HasPrefix(info.BaseURL, ts.URL+"/sandboxes/sb-") ||
			a.header.Get("Location") != info.BaseURL {
			t.Fatalf("POST /_mock/sandboxes: %d %s", a.status, a.raw)
		}
		return info
	}
	one, two := mk(""), mk(`{"empty":true}`)
	if a := do(t, ts, call{method: "POST", path: "/_mock/sandboxes"}); a.status != 409 {
		t.Errorf("a third sandbox over a bound of 2: %d %s", a.status, a.raw)
	}
	p1, p2 := "/sandboxes/"+one.ID, "/sandboxes/"+two.ID

	// Tokens are per sandbox: one's token is refused by the other and by the server.
	a := do(t, ts, call{method: "POST", path: p1 + "/_mock/tokens", body: `{"email":"ops@waooaw.ai","role":"operator","expires_in":86400}`})
	tok1, _ := a.json(t)["access_token"].(string)
	if a := do(t, ts, call{method: "GET", path: p1 + "/api/platform/agents/agent-001", token: tok1}); a.status != 200 {
		t.Fatalf("sandbox one: %d %s", a.status, a.raw)
	}
	for _, path := range []string{p2 + "/api/platform/agents", "/api/platform/agents"} {
		if a := do(t, ts, call{method: "GET", path: path, token: tok1}); a.status != 401 {
			t.Errorf("GET %s with sandbox one's token: %d", path, a.status)
		}
	}
	// Data, clock and faults are per sandbox.
	do(t, ts, call{method: "POST", path: p1 + "/api/platform/agents/agent-001/stop", token: tok1})
	do(t, ts, call{method: "POST", path: p1 + "/_mock/clock/advance", body: `{"seconds":3600}`})
	do(t, ts, call{method: "POST", path: p1 + "/_mock/faults", body: `{"path":"/api/platform/metrics","status":503}`})
	srvTok := token(t, ts, mockserver.OperatorEmail, "operator")
	if a := do(t, ts, call{method: "GET", path: "/api/platform/agents/agent-001", token: srvTok}); !strings.Contains(string(a.raw), `"status":"online"`) {
		t.Errorf("the server's agent-001 changed with the sandbox's: %s", a.raw)
	}
	if !ts.Now().Equal(mockserver.Epoch()) {
		t.Errorf("the server's clock moved with the sandbox's: %v", ts.Now())
	}
	if a := do(t, ts, call{method: "GET", path: "/api/platform/metrics", token: srvTok}); a.status != 200 {
		t.Errorf("the sandbox's fault fired on the server: %d", a.status)
	}
	// Sandbox two started empty; by header it is the same sandbox.
	a = do(t, ts, call{method: "POST", path: "/_mock/tokens", header: map[string]string{mockserver.SandboxHeader: two.ID},
		body: `{"email":"ops@waooaw.ai","role":"operator"}`})
	tok2, _ := a.json(t)["access_token"].(string)
	if a := do(t, ts, call{method: "GET", path: p2 + "/api/platform/agents", token: tok2}); !strings.Contains(string(a.raw), `"total":0`) {
		t.Errorf("empty sandbox: %s", a.raw)
	}
	// Each journal holds its own requests.
	if a := do(t, ts, call{method: "GET", path: p1 + "/_mock/journal?path=/api/platform/agents/*/stop"}); !strings.Contains(string(a.raw), `"count":1`) {
		t.Errorf("sandbox one's journal: %s", a.raw)
	}
	if n := ts.Calls("POST", "/api/platform/agents/*/stop"); n != 0 {
		t.Errorf("the server journaled %d sandbox requests", n)
	}

	// The SDK, at the sandbox's base URL, with its OAuth-free token.
	pc, err := platform.New(platform.WithBaseURL(one.BaseURL), platform.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok1})), platform.WithoutEnvironment())
	if err != nil {
		t.Fatal(err)
	}
	ag, err := pc.Agents.Get(context.Background(), "agent-001")
	if err != nil || ag.Status != platform.AgentOffline {
		t.Errorf("SDK on sandbox one: %+v %v", ag, err)
	}

	if a := do(t, ts, call{method: "GET", path: "/_mock/sandboxes"}); strings.Count(string(a.raw), `"id":"sb-`) != 2 {
		t.Errorf("list: %s", a.raw)
	}
	if a := do(t, ts, call{method: "DELETE", path: "/_mock/sandboxes/" + one.ID}); a.status != 204 {
		t.Errorf("delete: %d %s", a.status, a.raw)
	}
	if a := do(t, ts, call{method: "GET", path: p1 + "/api/platform/agents", token: tok1}); a.status != 404 || !strings.Contains(string(a.raw), "POST /_mock/sandboxes") {
		t.Errorf("a deleted sandbox: %d %s", a.status, a.raw)
	}
	if a := do(t, ts, call{method: "POST", path: p2 + "/_mock/sandboxes"}); a.status != 400 || !strings.Contains(string(a.raw), "do not nest") {
		t.Errorf("a sandbox in a sandbox: %d %s", a.status, a.raw)
	}
}

// TestSandboxesGoWhenIdle: a sandbox unused for Limits.SandboxIdle is gone.
func TestSandboxesGoWhenIdle(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t, mockserver.WithLimits(mockserver.Limits{SandboxIdle: 50 * time.Millisecond}))
	a := do(t, ts, call{method: "POST", path: "/_mock/sandboxes"})
	id, _ := a.json(t)["id"].(string)
	if a := do(t, ts, call{method: "GET", path: "/sandboxes/" + id + "/healthz"}); a.status != http.StatusOK {
		t.Fatalf("fresh sandbox: %d", a.status)
	}
	time.Sleep(120 * time.Millisecond)
	if a := do(t, ts, call{method: "GET", path: "/sandboxes/" + id + "/healthz"}); a.status != http.StatusNotFound {
		t.Errorf("idle sandbox: %d %s", a.status, a.raw)
	}
}
