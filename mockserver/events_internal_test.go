package mockserver

import (
	"strings"
	"testing"
	"time"
)

// TestEventLogBounds: the server keeps the last eventLogSize events; a
// position before them, after the newest, or from before a reset is a gap.
func TestEventLogBounds(t *testing.T) {
	t.Parallel()
	s := New()
	all := uint(1)<<len(eventTopics) - 1
	for i := range eventLogSize + 5 {
		s.publish(Epoch, "logs.appended", map[string]int{"n": i})
	}
	head := uint64(eventLogSize + 5)
	tests := []struct {
		cursor uint64
		mask   uint
		frames int
		gap    bool
	}{
		{0, all, 0, true},
		{4, all, 0, true},
		{5, all, eventLogSize, false},
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
	s.publish(Epoch.Add(time.Second), "agents.updated", struct{}{})
	if frames, _, gap := s.events.since(head+1, all); gap || len(frames) != 1 || !strings.HasPrefix(string(frames[0]), "id: 1007\n") {
		t.Errorf("after a reset: %q, gap %v", frames, gap)
	}
}
