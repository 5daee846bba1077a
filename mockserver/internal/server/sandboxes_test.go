package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
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
		a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/sandboxes", Body: body})
		var info mockserver.SandboxInfo
		if err := json.Unmarshal(a.Raw, &info); err != nil || a.Status != 201 || !strings.HasPrefix(info.BaseURL, ts.URL+"/sandboxes/sb-") ||
			a.Header.Get("Location") != info.BaseURL {
			t.Fatalf("POST /_mock/sandboxes: %d %s", a.Status, a.Raw)
		}
		return info
	}
	one, two := mk(""), mk(`{"empty":true}`)
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/sandboxes"}); a.Status != 409 {
		t.Errorf("a third sandbox over a bound of 2: %d %s", a.Status, a.Raw)
	}
	p1, p2 := "/sandboxes/"+one.ID, "/sandboxes/"+two.ID

	// Tokens are per sandbox: one's token is refused by the other and by the server.
	a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: p1 + "/_mock/tokens", Body: `{"email":"ops@waooaw.ai","role":"operator","expires_in":86400}`})
	tok1, _ := a.JSON(t)["access_token"].(string)
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: p1 + "/api/platform/agents/agent-001", Token: tok1}); a.Status != 200 {
		t.Fatalf("sandbox one: %d %s", a.Status, a.Raw)
	}
	for _, path := range []string{p2 + "/api/platform/agents", "/api/platform/agents"} {
		if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: path, Token: tok1}); a.Status != 401 {
			t.Errorf("GET %s with sandbox one's token: %d", path, a.Status)
		}
	}
	// Data, clock and faults are per sandbox.
	mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: p1 + "/api/platform/agents/agent-001/stop", Token: tok1})
	mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: p1 + "/_mock/clock/advance", Body: `{"seconds":3600}`})
	mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: p1 + "/_mock/faults", Body: `{"path":"/api/platform/metrics","status":503}`})
	srvTok := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/agent-001", Token: srvTok}); !strings.Contains(string(a.Raw), `"status":"online"`) {
		t.Errorf("the server's agent-001 changed with the sandbox's: %s", a.Raw)
	}
	if !ts.Now().Equal(mockserver.Epoch()) {
		t.Errorf("the server's clock moved with the sandbox's: %v", ts.Now())
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/metrics", Token: srvTok}); a.Status != 200 {
		t.Errorf("the sandbox's fault fired on the server: %d", a.Status)
	}
	// Sandbox two started empty; by header it is the same sandbox.
	a = mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/tokens", Header: map[string]string{mockserver.SandboxHeader: two.ID},
		Body: `{"email":"ops@waooaw.ai","role":"operator"}`})
	tok2, _ := a.JSON(t)["access_token"].(string)
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: p2 + "/api/platform/agents", Token: tok2}); !strings.Contains(string(a.Raw), `"total":0`) {
		t.Errorf("empty sandbox: %s", a.Raw)
	}
	// Each journal holds its own requests.
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: p1 + "/_mock/journal?path=/api/platform/agents/*/stop"}); !strings.Contains(string(a.Raw), `"count":1`) {
		t.Errorf("sandbox one's journal: %s", a.Raw)
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

	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/_mock/sandboxes"}); strings.Count(string(a.Raw), `"id":"sb-`) != 2 {
		t.Errorf("list: %s", a.Raw)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "DELETE", Path: "/_mock/sandboxes/" + one.ID}); a.Status != 204 {
		t.Errorf("delete: %d %s", a.Status, a.Raw)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: p1 + "/api/platform/agents", Token: tok1}); a.Status != 404 || !strings.Contains(string(a.Raw), "POST /_mock/sandboxes") {
		t.Errorf("a deleted sandbox: %d %s", a.Status, a.Raw)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: p2 + "/_mock/sandboxes"}); a.Status != 400 || !strings.Contains(string(a.Raw), "do not nest") {
		t.Errorf("a sandbox in a sandbox: %d %s", a.Status, a.Raw)
	}
}

// TestSandboxesGoWhenIdle: a sandbox unused for Limits.SandboxIdle is gone.
func TestSandboxesGoWhenIdle(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t, mockserver.WithLimits(mockserver.Limits{SandboxIdle: 50 * time.Millisecond}))
	a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/sandboxes"})
	id, _ := a.JSON(t)["id"].(string)
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/sandboxes/" + id + "/healthz"}); a.Status != http.StatusOK {
		t.Fatalf("fresh sandbox: %d", a.Status)
	}
	time.Sleep(120 * time.Millisecond)
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/sandboxes/" + id + "/healthz"}); a.Status != http.StatusNotFound {
		t.Errorf("idle sandbox: %d %s", a.Status, a.Raw)
	}
}
