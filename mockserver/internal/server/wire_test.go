package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
)

func TestMalformedQueriesAndGetBodies(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	for _, q := range []string{"page_size=%zz", "status=online;tier=x", "q=%"} {
		if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents?" + q, Token: tok}); a.Status != 400 {
			t.Errorf("?%s: %d, want 400", q, a.Status)
		}
	}
	// A GET's body is ignored, whatever its type.
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/wow-memory", Token: tok, Body: "x",
		Header: map[string]string{"Content-Type": "text/plain"}})
	if a.Status != 200 {
		t.Errorf("GET with a text body: %d %s", a.Status, a.Raw)
	}
}

func TestIdempotencyScopeIsTheRouteNotItsSpelling(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	tok := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	key := map[string]string{"Idempotency-Key": "same"}
	first := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/agents/wow-memory/stop", Token: tok, Header: key})
	again := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/agents/wow%2Dmemory/stop", Token: tok, Header: key})
	if first.Status != 200 || again.Status != 200 || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the same call spelled twice: %d, then %d replayed=%q", first.Status, again.Status, again.Header.Get("Idempotent-Replayed"))
	}
}

func TestClockStaysWithinRFC3339(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t, mockserver.WithClockAt(time.Date(9999, 12, 30, 0, 0, 0, 0, time.UTC)))
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/clock/advance", Body: `{"seconds":172800}`}); a.Status != 400 {
		t.Errorf("advance past 9999: %d %s", a.Status, a.Raw)
	}
	before := ts.Now()
	ts.Server.Advance(-time.Hour) // the bare server ignores it; TestServer.Advance fails the test
	ts.Advance(72 * time.Hour)
	if !ts.Now().Equal(before) {
		t.Errorf("the clock moved to %v", ts.Now())
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/_mock/clock"}); a.Status != 200 {
		t.Errorf("clock: %d %s", a.Status, a.Raw)
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
