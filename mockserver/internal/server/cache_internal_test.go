package server

import (
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
)

// TestCacheOnARealClock: on a real clock an agent read is kept while no
// agent is due to change on its own, and not past that time: a restarted
// agent reads "starting" from the cache 10 s later and "online" once its
// 30 s are up.
func TestCacheOnARealClock(t *testing.T) {
	t.Parallel()
	var fake atomic.Int64 // real time, as the test moves it
	fake.Store(core.Epoch().UnixNano())
	s := New(WithRealClock())
	s.clock.Real = func() time.Time { return time.Unix(0, fake.Load()) }
	tok, err := s.Token(core.OperatorEmail, "operator", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	send := func(method, path string) string {
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec.Body.String()
	}
	kept := func() int { // answers in the cache
		s.answers.mu.Lock()
		defer s.answers.mu.Unlock()
		return len(s.answers.m)
	}
	send("POST", "/api/platform/agents/agent-002/restart")
	if b := send("GET", "/api/platform/agents/agent-002"); !strings.Contains(b, `"status":"starting"`) {
		t.Fatalf("after restart: %s", b)
	}
	if kept() != 1 {
		t.Fatalf("the read was not kept: %d cached", kept())
	}
	fake.Add(int64(10 * time.Second))
	gen := s.gen.Load()
	if b := send("GET", "/api/platform/agents/agent-002"); !strings.Contains(b, `"status":"starting"`) {
		t.Errorf("10 s later: %s", b)
	}
	if e, ok := s.answers.m["/api/platform/agents/agent-002?"]; !ok || !e.until.Equal(core.Epoch().Add(core.AgentStartDelay)) || s.gen.Load() != gen {
		t.Errorf("the answer is kept until %v (want the agent's ready time %v)", e.until, core.Epoch().Add(core.AgentStartDelay))
	}
	fake.Add(int64(21 * time.Second))
	if b := send("GET", "/api/platform/agents/agent-002"); !strings.Contains(b, `"status":"online"`) {
		t.Errorf("31 s later, past its ready time, the cache still answers: %s", b)
	}
}
