package server_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
	"github.com/waooaw/waooaw-go/platform"
)

func TestFaultRetriedWithTheSameKeyChangesStateOnce(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	if _, err := ts.AddFault(mockserver.Fault{Method: "POST", Path: "/api/platform/agents/*/stop", Status: 503, RetryAfter: 1, Count: 2}); err != nil {
		t.Fatal(err)
	}
	pc := ts.Client(mockserver.OperatorEmail)
	a, err := pc.Agents.Stop(context.Background(), "wow-memory")
	if err != nil || a.Status != platform.AgentOffline {
		t.Fatalf("stop through two 503s: %+v %v", a, err)
	}
	calls := ts.Journal(mockserver.JournalFilter{Method: "POST", Path: "/api/platform/agents/wow-memory/stop"})
	if len(calls) != 3 {
		t.Fatalf("journal has %d calls, want 3: %+v", len(calls), calls)
	}
	for i, c := range calls {
		if c.IdempotencyKey == "" || c.IdempotencyKey != calls[0].IdempotencyKey {
			t.Errorf("call %d key %q, want the first call's %q", i, c.IdempotencyKey, calls[0].IdempotencyKey)
		}
	}
	if calls[0].Status != 503 || calls[1].Status != 503 || calls[2].Status != 200 {
		t.Errorf("statuses %d %d %d", calls[0].Status, calls[1].Status, calls[2].Status)
	}
	// One state change: a second stop is a conflict, not a replay.
	if _, err := pc.Agents.Stop(context.Background(), "wow-memory"); !errors.Is(err, platform.ErrConflict) {
		t.Errorf("second stop: %v", err)
	}
}

func TestDroppedConnection(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	ctx := context.Background()
	ts.AddFault(mockserver.Fault{Method: "GET", Path: "/api/platform/agents/wow-memory", Drop: true, Count: 1})
	pc := ts.Client(mockserver.OperatorEmail)
	if a, err := pc.Agents.Get(ctx, "wow-memory"); err != nil || a.Name != "WowMemory" {
		t.Fatalf("GET through a drop: %v", err)
	}
	if n := ts.Calls("GET", "/api/platform/agents/wow-memory"); n != 2 {
		t.Errorf("%d GETs, want 2", n)
	}
	ts.AddFault(mockserver.Fault{Method: "POST", Path: "/api/platform/agents/*/stop", Drop: true, Count: 1})
	_, err := pc.Agents.Stop(platform.WithIdempotencyKey(ctx, ""), "wow-memory")
	if err == nil {
		t.Fatal("POST without a key through a drop: no error")
	}
	if n := ts.Calls("POST", "/api/platform/agents/*/stop"); n != 1 {
		t.Errorf("%d POSTs, want 1 (no retry without a key)", n)
	}
}

func TestFaultControlsOverHTTP(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/faults", Body: `{"method":"GET","path":"/api/platform/metrics","status":500,"count":2}`})
	if a.Status != 201 || a.JSON(t)["id"] == "" {
		t.Fatalf("add fault: %d %s", a.Status, a.Raw)
	}
	for i, want := range []int{500, 500, 200} {
		if got := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/metrics", Token: tok}).Status; got != want {
			t.Errorf("request %d: %d, want %d", i, got, want)
		}
	}
	mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/faults", Body: `{"path":"/api/platform/health","status":429,"retry_after":3}`})
	for range 2 {
		a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/health", Token: tok})
		if a.Status != 429 || a.Header.Get("Retry-After") != "3" || a.ErrCode(t) != "rate_limited" {
			t.Errorf("until cleared: %d %v", a.Status, a.Header)
		}
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "DELETE", Path: "/_mock/faults"}); a.Status != 204 {
		t.Errorf("clear: %d", a.Status)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/health", Token: tok}); a.Status != 200 {
		t.Errorf("after clear: %d", a.Status)
	}
	j := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/_mock/journal?method=GET&path=/api/platform/metrics"}).JSON(t)
	if reqs := j["requests"].([]any); len(reqs) != 3 {
		t.Errorf("journal: %d requests, want 3", len(reqs))
	}
	for _, body := range []string{`{"path":"/x"}`, `{"path":"x","status":500}`, `{"path":"/x","status":200}`, `{"path":"/_mock/reset","status":500}`, `{"path":"/x","status":500,"drop":true}`, `{"path":"/x","status":500,"bogus":1}`} {
		if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/faults", Body: body}); a.Status != 400 {
			t.Errorf("fault %s: %d", body, a.Status)
		}
	}
	mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/faults", Body: `{"path":"/api/platform/health","malformed":true,"count":1}`})
	a = mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/health", Token: tok})
	if a.Status != 200 || len(a.Raw) == 0 || a.Raw[len(a.Raw)-1] == '}' {
		t.Errorf("malformed: %d %s", a.Status, a.Raw)
	}
}

func TestParseFault(t *testing.T) {
	t.Parallel()
	for spec, want := range map[string]mockserver.Fault{
		"POST /api/platform/queues/*/dlq/*/retry=503x2,retry_after=1": {Method: "POST", Path: "/api/platform/queues/*/dlq/*/retry", Status: 503, Count: 2, RetryAfter: 1},
		"/api/platform/agents=drop":                                   {Path: "/api/platform/agents", Drop: true},
		"GET /api/platform/metrics=latency,latency_ms=200":            {Method: "GET", Path: "/api/platform/metrics", LatencyMS: 200},
		"/api/platform/health=500,percent=50":                         {Path: "/api/platform/health", Status: 500, Percent: 50},
	} {
		got, err := mockserver.ParseFault(spec)
		if err != nil || got != want {
			t.Errorf("ParseFault(%q) = %+v, %v; want %+v", spec, got, err, want)
		}
	}
	for _, spec := range []string{"", "/x", "/x=abc", "/x=503x0", "/x=200", "/x=503,foo=1", "/x=503,retry_after=z", "/_mock/reset=500"} {
		if _, err := mockserver.ParseFault(spec); err == nil {
			t.Errorf("ParseFault(%q): no error", spec)
		}
	}
}

func TestFaultsOverTheInProcessTransport(t *testing.T) {
	t.Parallel()
	srv := mockserver.New()
	srv.AddFault(mockserver.Fault{Path: "/api/platform/metrics", Drop: true, Count: 1})
	hc := &http.Client{Transport: srv.Transport()}
	req, _ := http.NewRequest("GET", "http://mock.invalid/api/platform/metrics", nil)
	if _, err := hc.Do(req); err == nil {
		t.Error("a dropped connection in-process gave no error")
	}
}

func TestStartFaultsSurviveReset(t *testing.T) {
	t.Parallel()
	f, err := mockserver.ParseFault("GET /api/platform/metrics=503")
	if err != nil {
		t.Fatal(err)
	}
	ts := mockserver.Start(t, mockserver.WithFaults(f))
	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/metrics", Token: tok}); a.Status != 503 {
		t.Errorf("start fault: %d", a.Status)
	}
	ts.Reset()
	tok = mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/metrics", Token: tok}); a.Status != 503 {
		t.Errorf("start fault after reset: %d", a.Status)
	}
	if err := mockserver.New(mockserver.WithFaults(mockserver.Fault{Path: "x"})).SeedErr(); err == nil {
		t.Error("an invalid start fault was not reported")
	}
}

func TestInProcessTransportHonoursCancellation(t *testing.T) {
	t.Parallel()
	srv := mockserver.New()
	srv.AddFault(mockserver.Fault{Path: "/api/platform/metrics", LatencyMS: 5000})
	pc, err := platform.New(platform.WithBaseURL("http://mock.invalid"), platform.WithoutEnvironment(),
		platform.WithHTTPClient(&http.Client{Transport: srv.Transport()}), platform.WithRetries(0),
		platform.WithTokenSource(srv.TokenSource(mockserver.ViewerEmail)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = pc.Metrics(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("err %v after %v, want the deadline at once", err, time.Since(start))
	}
}

func TestDebugLoggerLogsRequestsWithoutTokens(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ts := mockserver.Start(t, mockserver.WithLogger(logger))
	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/metrics", Token: tok})
	out := buf.String()
	if !strings.Contains(out, "path=/api/platform/metrics") || !strings.Contains(out, "status=200") {
		t.Errorf("log:\n%s", out)
	}
	if strings.Contains(out, tok) {
		t.Error("the log holds the token")
	}
}

// TestFaultsListedCountedRemoved: faults are listed with their hits, a
// spent one stays listed inactive, one can be removed alone, and a fault
// no route can answer is refused naming the nearest routes.
func TestFaultsListedCountedRemoved(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/faults", Body: `{"method":"GET","path":"/api/platform/metrics","status":503,"count":2}`})
	b := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/faults", Body: `{"path":"/api/platform/queues/*","latency_ms":1}`})
	if a.Status != 201 || b.Status != 201 {
		t.Fatalf("add: %d %s / %d %s", a.Status, a.Raw, b.Status, b.Raw)
	}
	idA, idB := a.JSON(t)["id"].(string), b.JSON(t)["id"].(string)
	for range 3 {
		mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/metrics", Token: tok})
	}
	mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/queues/agent-tasks", Token: tok})
	infos := ts.Faults()
	if len(infos) != 2 || infos[0].ID != idA || infos[0].Hits != 2 || infos[0].Active || infos[1].Hits != 1 || !infos[1].Active {
		t.Errorf("Faults() = %+v", infos)
	}
	l := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/_mock/faults"})
	if !strings.Contains(string(l.Raw), `"id":"`+idA+`","fault":{"method":"GET","path":"/api/platform/metrics","status":503,"count":2},"hits":2,"active":false`) {
		t.Errorf("GET /_mock/faults: %s", l.Raw)
	}
	if r := mocktest.Do(t, ts, mocktest.Call{Method: "DELETE", Path: "/_mock/faults/" + idB}); r.Status != 204 {
		t.Errorf("delete %s: %d %s", idB, r.Status, r.Raw)
	}
	if r := mocktest.Do(t, ts, mocktest.Call{Method: "DELETE", Path: "/_mock/faults/" + idB}); r.Status != 404 {
		t.Errorf("delete %s again: %d", idB, r.Status)
	}
	if infos := ts.Faults(); len(infos) != 1 || infos[0].ID != idA {
		t.Errorf("after delete: %+v", infos)
	}
	for _, bad := range []struct{ body, field, says string }{
		{`{"method":"GET","path":"/api/platform/agent","status":503}`, "path", "nearest: GET /api/platform/agents"},
		{`{"method":"POST","path":"/api/platform/metrics","status":503}`, "method", "it takes GET"},
		{`{"method":"GET","path":"/api/platform/agents/*/restart","status":503}`, "method", "it takes POST"},
	} {
		r := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/faults", Body: bad.body})
		if r.Status != 400 || !strings.Contains(string(r.Raw), `"field":"`+bad.field+`"`) || !strings.Contains(string(r.Raw), bad.says) {
			t.Errorf("%s: %d %s", bad.body, r.Status, r.Raw)
		}
	}
	if _, err := ts.AddFault(mockserver.Fault{Path: "/api/platform/agents/*/restart", Status: 500}); err != nil {
		t.Errorf("any method on a real route: %v", err)
	}
}

// TestLatencyFaultHonoursCancellation: a client that gives up during a
// latency fault gets its context's error, and its request is not served
// (the agent does not restart; the journal says status 0).
func TestLatencyFaultHonoursCancellation(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	if _, err := ts.AddFault(mockserver.Fault{Method: "POST", Path: "/api/platform/agents/*/stop", LatencyMS: 2000}); err != nil {
		t.Fatal(err)
	}
	tok := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	for name, client := range map[string]*http.Client{"loopback": ts.HTTPClient(), "in-process": {Transport: ts.Transport()}} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/api/platform/agents/agent-001/stop", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		_, err := client.Do(req)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v, want the deadline", name, err)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for len(ts.Journal(mockserver.JournalFilter{Method: "POST"})) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond) // the loopback handler ends once it sees the client gone
	}
	for _, e := range ts.Journal(mockserver.JournalFilter{Method: "POST"}) {
		if e.Status != 0 || e.Fault == "" {
			t.Errorf("journal: %+v", e)
		}
	}
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/agent-001", Token: tok})
	if !strings.Contains(string(a.Raw), `"status":"online"`) {
		t.Errorf("the stop the client gave up on was served: %s", a.Raw)
	}
}
