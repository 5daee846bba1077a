package server

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
)

// TestEventLogBounds: the server keeps the last DefaultLimits().Events events; a
// position before them, after the newest, or from before a reset is a gap.
func TestEventLogBounds(t *testing.T) {
	t.Parallel()
	s := New()
	all := uint(1)<<len(eventTopics) - 1
	for i := range DefaultLimits().Events + 5 {
		s.publish(core.Epoch(), "logs.appended", map[string]int{"n": i})
	}
	head := uint64(DefaultLimits().Events + 5)
	tests := []struct {
		cursor uint64
		mask   uint
		frames int
		gap    bool
	}{
		{0, all, 0, true},
		{4, all, 0, true},
		{5, all, DefaultLimits().Events, false},
		{head - 3, all, 3, false},
		{head - 3, topicBit("agents"), 0, false},
		{head, all, 0, false},
		{head + 1, all, 0, true},
	}
	for _, tt := range tests {
		frames, next, gap := s.events.since(tt.cursor, tt.mask)
		if len(frames) != tt.frames || gap != tt.gap || next != head {
			t.Errorf("since(%d): %d frames, gap %v, next %d; want %d, %v, %d", tt.cursor, len(frames), gap, next, tt.frames, tt.gap, head)
		}
	}
	if f, _, _ := s.events.since(head-1, all); !strings.HasPrefix(string(f[0]), "id: 1005\nevent: logs.appended\ndata: {\"time\":\"2026-01-02T10:00:00Z\",\"data\":{\"n\":1004}}\n\n") {
		t.Errorf("frame %q", f[0])
	}

	s.events.mu.Lock()
	s.events.forget()
	s.events.mu.Unlock()
	if _, _, gap := s.events.since(head, all); !gap {
		t.Error("a position from before a reset resumes")
	}
	frames, next, gap := s.events.since(head+1, all)
	if gap || len(frames) != 0 || next != head+1 {
		t.Errorf("the position after a reset: %d frames, next %d, gap %v", len(frames), next, gap)
	}
	s.publish(core.Epoch().Add(time.Second), "agents.updated", struct{}{})
	if frames, _, gap := s.events.since(head+1, all); gap || len(frames) != 1 || !strings.HasPrefix(string(frames[0]), "id: 1007\n") {
		t.Errorf("after a reset: %q, gap %v", frames, gap)
	}
}

// FuzzPlatformQueries: any query of the logs, alerts and events routes, and
// any Last-Event-ID, answers 200 or 400, never a panic or a 5xx (a stream
// to a recorder ends at once).
func FuzzPlatformQueries(f *testing.F) {
	for _, s := range []string{"level=ERROR&agent=wow-search&q=health", "since=2026-01-02T09:00:00Z&until=2026-01-02T10:00:00Z",
		"severity=critical&status=active", "topic=agents,alerts&last_event_id=3", "topic=%20logs%20", "page_size=2&page_token=AAAA"} {
		f.Add(s, "")
	}
	f.Add("", "17")
	f.Add("last_event_id=1", "x")
	s := New()
	tok, err := s.Token(core.ViewerEmail, "", 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, query, lastID string) {
		for _, path := range []string{"/api/platform/logs", "/api/platform/alerts", "/api/platform/events"} {
			req := httptest.NewRequest("GET", "/", nil)
			req.URL.Path, req.URL.RawQuery = path, query
			req.Header.Set("Authorization", "Bearer "+tok)
			if lastID != "" && validHeader(lastID) {
				req.Header.Set("Last-Event-ID", lastID)
			}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != 200 && rec.Code != 400 {
				t.Fatalf("GET %s?%s: %d %s", path, query, rec.Code, rec.Body)
			}
		}
	})
}

func validHeader(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] == 0x7f {
			return false
		}
	}
	return true
}
