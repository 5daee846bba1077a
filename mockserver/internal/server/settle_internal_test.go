package server

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
)

// TestRealClockStreamTellsOfAChangeWhenItIsDue: on a real clock an event
// stream settles at the next due change, so the change's event arrives at
// its time with no request to bring it (the heartbeat here is an hour).
func TestRealClockStreamTellsOfAChangeWhenItIsDue(t *testing.T) {
	t.Parallel()
	s := New(WithRealClock(), WithHeartbeat(time.Hour))
	hs := httptest.NewServer(s)
	defer hs.Close()
	defer s.EndStreams()
	tok, err := s.Token(core.OperatorEmail, "operator", 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", hs.URL+"/api/platform/events?topic=agents", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()

	start, _ := http.NewRequest("POST", hs.URL+"/api/platform/agents/wow-domain/start", nil)
	start.Header.Set("Authorization", "Bearer "+tok)
	if r, err := hs.Client().Do(start); err != nil || r.StatusCode != 200 {
		t.Fatalf("start: %v %v", r, err)
	}
	// Online in 30 s of clock: move to 300 ms before, then wait.
	s.Advance(core.AgentStartDelay - 300*time.Millisecond)
	waited := time.Now()

	sc := bufio.NewScanner(resp.Body)
	var event string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: ") && event == "agents.status_changed" && strings.Contains(line, `"status":"online"`):
			if d := time.Since(waited); d > 5*time.Second {
				t.Errorf("the online event came %s after it was due", d)
			}
			return
		}
	}
	t.Fatalf("the stream ended (%v) before the agent's online event", sc.Err())
}

// TestGenerationMovesWithChangesOnly: the generation (the answer cache's
// key) moves with what the World tells of, so a refused change keeps the
// cached reads, and an accepted one never leaves a stale read.
func TestGenerationMovesWithChangesOnly(t *testing.T) {
	t.Parallel()
	s := New()
	tok, err := s.Token(core.OperatorEmail, "admin", 0)
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path, body string) int {
		var r *http.Request
		if body != "" {
			r = httptest.NewRequest(method, path, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
		} else {
			r = httptest.NewRequest(method, path, nil)
		}
		r.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		return w.Code
	}
	for _, c := range []struct {
		method, path, body string
		status             int
		moves              bool
	}{
		{"GET", "/api/platform/agents/wow-domain", "", 200, false},
		{"POST", "/api/platform/agents/wow-domain/stop", "", 409, false}, // offline already
		{"POST", "/api/platform/agents/nobody/restart", "", 404, false},
		{"POST", "/api/platform/agents/wow-domain/start", "", 200, true},
		{"POST", "/api/platform/alerts/alert-1/acknowledge", "", 200, true},
		{"POST", "/api/platform/alerts/alert-1/acknowledge", "", 409, false},
		{"PATCH", "/api/platform/agents/agent-001/config", `{"config":{"rate_limit":200}}`, 200, true},
		{"PATCH", "/api/platform/agents/agent-001/config", `{"config":{"rate_limit":"x"}}`, 400, false},
		{"POST", "/_mock/clock/advance", `{"seconds": 1}`, 200, true},
	} {
		before := s.gen.Load()
		if got := do(c.method, c.path, c.body); got != c.status {
			t.Fatalf("%s %s: %d, want %d", c.method, c.path, got, c.status)
		}
		if moved := s.gen.Load() != before; moved != c.moves {
			t.Errorf("%s %s (%d): the generation moved: %v, want %v", c.method, c.path, c.status, moved, c.moves)
		}
	}
}
