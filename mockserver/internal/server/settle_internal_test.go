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
