package mockserver_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
)

func TestMalformedQueriesAndGetBodies(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	tok := token(t, ts, mockserver.ViewerEmail, "viewer")
	for _, q := range []string{"page_size=%zz", "status=online;tier=x", "q=%"} {
		if a := do(t, ts, call{method: "GET", path: "/api/platform/agents?" + q, token: tok}); a.status != 400 {
			t.Errorf("?%s: %d, want 400", q, a.status)
		}
	}
	// A GET's body is ignored, whatever its type.
	a := do(t, ts, call{method: "GET", path: "/api/platform/agents/wow-memory", token: tok, body: "x",
		header: map[string]string{"Content-Type": "text/plain"}})
	if a.status != 200 {
		t.Errorf("GET with a text body: %d %s", a.status, a.raw)
	}
}

func TestIdempotencyScopeIsTheRouteNotItsSpelling(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	tok := token(t, ts, mockserver.OperatorEmail, "operator")
	key := map[string]string{"Idempotency-Key": "same"}
	first := do(t, ts, call{method: "POST", path: "/api/platform/agents/wow-memory/stop", token: tok, header: key})
	again := do(t, ts, call{method: "POST", path: "/api/platform/agents/wow%2Dmemory/stop", token: tok, header: key})
	if first.status != 200 || again.status != 200 || again.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the same call spelled twice: %d, then %d replayed=%q", first.status, again.status, again.header.Get("Idempotent-Replayed"))
	}
}

func TestClockStaysWithinRFC3339(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t, mockserver.WithClockAt(time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC)))
	if a := do(t, ts, call{method: "POST", path: "/_mock/clock/advance", body: `{"seconds":172800}`}); a.status != 400 {
		t.Errorf("advance past 9999: %d %s", a.status, a.raw)
	}
	before := ts.Now()
	ts.Server.Advance(-time.Hour) // the bare server ignores it; TestServer.Advance fails the test
	ts.Advance(72 * time.Hour)
	if !ts.Now().Equal(before) {
		t.Errorf("the clock moved to %v", ts.Now())
	}
	if a := do(t, ts, call{method: "GET", path: "/_mock/clock"}); a.status != 200 {
		t.Errorf("clock: %d %s", a.status, a.raw)
	}
}

func TestOptionsStarIsAnswered(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	req, _ := http.NewRequestWithContext(context.Background(), "OPTIONS", ts.URL, nil)
	req.URL.Opaque = "*"
	resp, err := ts.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-Request-Id") == "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("OPTIONS *: %d %v", resp.StatusCode, resp.Header)
	}
}
