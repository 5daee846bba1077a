package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

// A stream whose client stopped reading is blocked in a write; closing the
// streams still ends its handler.
func TestCloseStreamsEndsABlockedWrite(t *testing.T) {
	t.Parallel()
	srv := mockserver.New()
	pc, err := srv.NewClient(mockserver.OperatorEmail)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := pc.Events(ctx, platform.EventFilter{Topics: []platform.EventTopic{platform.TopicAgents}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// The client never reads: the handler's write of this event blocks.
	if _, err := pc.Agents.Restart(ctx, "wow-memory"); err != nil {
		t.Fatal(err)
	}
	srv.CloseStreams()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		// The journal records a request when its handler returns.
		if len(srv.Journal(mockserver.JournalFilter{Method: "GET", Path: "/api/platform/events"})) > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond) // waiting on a real goroutine's exit
	}
	t.Fatal("the blocked stream did not end after CloseStreams")
}
