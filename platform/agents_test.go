package platform_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"

	"github.com/waooaw/waooaw-go/platform"
)

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

const wowMemoryJSON = `{"agent_id":"wow-memory","name":"WowMemory","description":"Long-term memory",
	"tier":"Platform CoE","status":"online","health":"healthy","version":"2.3.1",
	"capabilities":["memory.store","memory.search"],"last_active":"2026-01-02T09:58:00Z",
	"template_id":"memory","created_at":"2025-06-01T08:00:00Z","cpu_cores":2}`

func wowMemory(t testing.TB) *platform.Agent {
	active := mustTime(t, "2026-01-02T09:58:00Z")
	return &platform.Agent{
		AgentID: "wow-memory", Name: "WowMemory", Description: "Long-term memory",
		Tier: platform.TierPlatformCoE, Status: platform.AgentOnline, Health: platform.AgentHealthy,
		Version: "2.3.1", Capabilities: []string{"memory.store", "memory.search"},
		LastActive: &active, TemplateID: "memory", CreatedAt: mustTime(t, "2025-06-01T08:00:00Z"),
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/api/platform/metrics", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		testCommonHeaders(t, r)
		testQuery(t, r, nil)
		testNoHeader(t, r, "Idempotency-Key")
		writeJSON(w, 200, `{"active_agents":9,"total_agents":12,"requests_per_minute":1840,"tasks_per_minute":312,
			"error_rate":0.012,"p95_latency_ms":245,"messages_pending":57,"running_workflows":3,
			"generated_at":"2026-01-02T10:00:00Z","cost_per_hour":4.2}`)
	})
	got, err := c.Metrics(context.Background())
	if err != nil {
		t.Fatalf("Metrics: %v", err)
	}
	want := &platform.Metrics{
		ActiveAgents: 9, TotalAgents: 12, RequestsPerMinute: 1840, TasksPerMinute: 312, ErrorRate: 0.012,
		P95LatencyMS: 245, MessagesPending: 57, RunningWorkflows: 3, GeneratedAt: mustTime(t, "2026-01-02T10:00:00Z"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Metrics (-want +got):\n%s", diff)
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/api/platform/health", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		testCommonHeaders(t, r)
		writeJSON(w, 200, `{"status":"degraded","components":{"db":"healthy","queues":"degraded","gpu":"maintenance"},
			"checked_at":"2026-01-02T10:00:00Z"}`)
	})
	got, err := c.Health(context.Background())
	if err != nil {
		t.Fatalf("Health: %v", err)
	}
	want := &platform.Health{
		Status: platform.HealthDegraded,
		Components: map[string]platform.HealthStatus{
			"db": platform.HealthHealthy, "queues": platform.HealthDegraded, "gpu": "maintenance",
		},
		CheckedAt: mustTime(t, "2026-01-02T10:00:00Z"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Health (-want +got):\n%s", diff)
	}
}

func TestAgentsListPage(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/api/platform/agents", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		testCommonHeaders(t, r)
		testQuery(t, r, url.Values{
			"status": {"online"}, "tier": {"Platform CoE"}, "q": {"wow mem"},
			"page_size": {"2"}, "page_token": {"opaque/+="},
		})
		writeJSON(w, 200, `{"agents":[`+wowMemoryJSON+`],"next_page_token":"next-1","total":3}`)
	})
	got, err := c.Agents.ListPage(context.Background(), platform.AgentListOptions{
		Status: platform.AgentOnline, Tier: platform.TierPlatformCoE, Q: "wow mem",
		ListOptions: platform.ListOptions{PageSize: 2, PageToken: "opaque/+="},
	})
	if err != nil {
		t.Fatalf("ListPage: %v", err)
	}
	want := platform.Page[platform.Agent]{Items: []platform.Agent{*wowMemory(t)}, NextPageToken: "next-1", Total: 3}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListPage (-want +got):\n%s", diff)
	}
}

func TestAgentsListNoFilters(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/platform/agents", func(w http.ResponseWriter, r *http.Request) {
		testQuery(t, r, nil)
		writeJSON(w, 200, `{"agents":[],"next_page_token":"","total":0}`)
	})
	for a, err := range c.Agents.List(context.Background(), platform.AgentListOptions{}) {
		t.Errorf("List of an empty list yielded %+v, %v", a, err)
	}
}

func TestAgentsList(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var tokens []string
	mux.HandleFunc("GET /api/platform/agents", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		tok := q.Get("page_token")
		tokens = append(tokens, tok)
		q.Del("page_token")
		testQuery(t, &http.Request{URL: &url.URL{RawQuery: q.Encode()}},
			url.Values{"status": {"offline"}, "tier": {"Business"}, "page_size": {"2"}})
		switch tok {
		case "":
			writeJSON(w, 200, `{"agents":[{"agent_id":"a1"},{"agent_id":"a2"}],"next_page_token":"t2","total":5}`)
		case "t2":
			writeJSON(w, 200, `{"agents":[{"agent_id":"a3"},{"agent_id":"a4"}],"next_page_token":"t3","total":5}`)
		case "t3":
			writeJSON(w, 200, `{"agents":[{"agent_id":"a5"}],"next_page_token":"","total":5}`)
		default:
			writeError(w, 400, "invalid_argument", "bad page token")
		}
	})
	var ids []string
	for a, err := range c.Agents.List(context.Background(), platform.AgentListOptions{
		Status: platform.AgentOffline, Tier: platform.TierBusiness, ListOptions: platform.ListOptions{PageSize: 2},
	}) {
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		ids = append(ids, a.AgentID)
	}
	if diff := cmp.Diff([]string{"a1", "a2", "a3", "a4", "a5"}, ids); diff != "" {
		t.Errorf("agents (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"", "t2", "t3"}, tokens); diff != "" {
		t.Errorf("page tokens (-want +got):\n%s", diff)
	}
}

func TestAgentsGet(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/api/platform/agents/wow-memory", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		testCommonHeaders(t, r)
		testNoHeader(t, r, "Idempotency-Key")
		testNoHeader(t, r, "Content-Type")
		writeJSON(w, 200, wowMemoryJSON)
	})
	got, err := c.Agents.Get(context.Background(), "wow-memory")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if diff := cmp.Diff(wowMemory(t), got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
}

func TestAgentsNeverActive(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/platform/agents/new-bot", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"agent_id":"new-bot","status":"provisioning","last_active":null}`)
	})
	got, err := c.Agents.Get(context.Background(), "new-bot")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if got.LastActive != nil || got.Status != platform.AgentProvisioning {
		t.Errorf("Get = last_active %v, status %q; want nil, provisioning", got.LastActive, got.Status)
	}
}

func TestAgentsActions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		action string
		call   func(s *platform.AgentService, ctx context.Context, id string) (*platform.Agent, error)
		status platform.AgentStatus
	}{
		{"restart", (*platform.AgentService).Restart, platform.AgentStarting},
		{"start", (*platform.AgentService).Start, platform.AgentStarting},
		{"stop", (*platform.AgentService).Stop, platform.AgentOffline},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			mux.HandleFunc("/api/platform/agents/{id}/{action}", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, "POST")
				testCommonHeaders(t, r)
				if got := r.PathValue("id") + "/" + r.PathValue("action"); got != "wow memory/"+tt.action {
					t.Errorf("path = %s, want wow memory/%s", got, tt.action)
				}
				if k := r.Header.Values("Idempotency-Key"); len(k) != 1 || !sdkKey.MatchString(k[0]) {
					t.Errorf("Idempotency-Key = %q, want one SDK key", k)
				}
				testNoHeader(t, r, "Content-Type")
				testBody(t, r, "")
				testQuery(t, r, nil)
				writeJSON(w, 200, fmt.Sprintf(`{"agent_id":"wow memory","status":%q}`, tt.status))
			})
			got, err := tt.call(c.Agents, context.Background(), "wow memory")
			if err != nil {
				t.Fatalf("%s: %v", tt.action, err)
			}
			want := &platform.Agent{AgentID: "wow memory", Status: tt.status}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.action, diff)
			}
		})
	}
}

// serviceCall is one method of the platform area, for the helpers that
// drive every method's failure paths (go-github's testBadOptions and
// testNewRequestAndDoFailure).
type serviceCall struct {
	name   string
	method string
	path   string // as sent, relative to the base URL
	call   func(ctx context.Context, c *platform.Client) error
}

func agentCall(name, method, path string, f func(*platform.AgentService, context.Context, string) (*platform.Agent, error)) serviceCall {
	return serviceCall{name, method, path, func(ctx context.Context, c *platform.Client) error {
		_, err := f(c.Agents, ctx, "wow-memory")
		return err
	}}
}

var serviceCalls = []serviceCall{
	{"Metrics", "GET", "/api/platform/metrics", func(ctx context.Context, c *platform.Client) error {
		_, err := c.Metrics(ctx)
		return err
	}},
	{"Health", "GET", "/api/platform/health", func(ctx context.Context, c *platform.Client) error {
		_, err := c.Health(ctx)
		return err
	}},
	{"Agents.ListPage", "GET", "/api/platform/agents", func(ctx context.Context, c *platform.Client) error {
		_, err := c.Agents.ListPage(ctx, platform.AgentListOptions{Status: platform.AgentOnline})
		return err
	}},
	{"Agents.List", "GET", "/api/platform/agents", func(ctx context.Context, c *platform.Client) error {
		for _, err := range c.Agents.List(ctx, platform.AgentListOptions{}) {
			if err != nil {
				return err
			}
		}
		return nil
	}},
	agentCall("Agents.Get", "GET", "/api/platform/agents/wow-memory", (*platform.AgentService).Get),
	agentCall("Agents.Restart", "POST", "/api/platform/agents/wow-memory/restart", (*platform.AgentService).Restart),
	agentCall("Agents.Start", "POST", "/api/platform/agents/wow-memory/start", (*platform.AgentService).Start),
	agentCall("Agents.Stop", "POST", "/api/platform/agents/wow-memory/stop", (*platform.AgentService).Stop),
}

// testCallFailures drives the failure paths every method shares: a 404
// answer, answers that exhaust the retries, and a failing token source.
func testCallFailures(t *testing.T, sc serviceCall) {
	t.Helper()
	ctx := context.Background()

	t.Run("404", func(t *testing.T) {
		t.Parallel()
		c, mux, _ := setup(t)
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			testMethod(t, r, sc.method)
			if r.URL.Path != sc.path {
				t.Errorf("path = %s, want %s", r.URL.Path, sc.path)
			}
			w.Header().Set("X-Request-Id", "req-404")
			writeError(w, 404, "not_found", "no such thing")
		})
		err := sc.call(ctx, c)
		testSentinels(t, err, platform.ErrNotFound)
		pe := asError(t, err)
		want := &platform.Error{StatusCode: 404, Code: "not_found", Message: "no such thing", RequestID: "req-404",
			Attempts: 1, Method: sc.method, Path: sc.path}
		if diff := cmp.Diff(want, pe); diff != "" {
			t.Errorf("error (-want +got):\n%s", diff)
		}
	})

	t.Run("retries exhausted", func(t *testing.T) {
		t.Parallel()
		c, mux, _ := setup(t, platform.WithRetries(3))
		var rc recorder
		mux.HandleFunc("/", scripted(&rc, "", "", 503))
		err := sc.call(ctx, c)
		testSentinels(t, err, platform.ErrUnavailable)
		if pe := asError(t, err); pe.Attempts != 4 {
			t.Errorf("Attempts = %d, want 4 (every method is safe to retry)", pe.Attempts)
		}
		if n := rc.count(); n != 4 {
			t.Errorf("%d attempt(s), want 4", n)
		}
	})

	t.Run("token source error", func(t *testing.T) {
		t.Parallel()
		errExpired := errors.New("refresh token expired")
		src := &countingSource{fail: map[int]bool{1: true}, err: errExpired}
		c, _, mt := setup(t, platform.WithTokenSource(src))
		err := sc.call(ctx, c)
		if !errors.Is(err, errExpired) {
			t.Errorf("error = %v, want it to wrap %v", err, errExpired)
		}
		testSentinels(t, err, nil)
		if n := mt.GetTotalCallCount(); n != 0 {
			t.Errorf("%d request(s) sent, want 0", n)
		}
	})
}

func TestServiceCallFailures(t *testing.T) {
	t.Parallel()
	for _, sc := range serviceCalls {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			testCallFailures(t, sc)
		})
	}
}

// The agent methods refuse ids that would change the path, before any I/O.
func TestAgentsBadIDs(t *testing.T) {
	t.Parallel()
	methods := map[string]func(*platform.AgentService, context.Context, string) (*platform.Agent, error){
		"Get": (*platform.AgentService).Get, "Restart": (*platform.AgentService).Restart,
		"Start": (*platform.AgentService).Start, "Stop": (*platform.AgentService).Stop,
	}
	for name, f := range methods {
		for _, id := range []string{"", ".", ".."} {
			c, _, mt := setup(t)
			a, err := f(c.Agents, context.Background(), id)
			if !errors.Is(err, platform.ErrInvalidArgument) || a != nil {
				t.Errorf("%s(%q) = %v, %v; want nil, ErrInvalidArgument", name, id, a, err)
			}
			var pe *platform.Error
			if errors.As(err, &pe) {
				t.Errorf("%s(%q): a refused id became a server error %v", name, id, pe)
			}
			if n := mt.GetTotalCallCount(); n != 0 {
				t.Errorf("%s(%q) sent %d request(s), want 0", name, id, n)
			}
		}
	}
}

func BenchmarkDoGet(b *testing.B) {
	c, _, mt := setup(b)
	mt.RegisterResponder("GET", testHost+baseURLPath+"/api/platform/agents/wow-memory",
		func(r *http.Request) (*http.Response, error) {
			resp := httpmock.NewStringResponse(200, wowMemoryJSON)
			resp.Header.Set("Content-Type", "application/json")
			return resp, nil
		})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Agents.Get(ctx, "wow-memory"); err != nil {
			b.Fatal(err)
		}
	}
}
