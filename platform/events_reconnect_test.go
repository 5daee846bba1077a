package platform_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// A platform that accepts the stream and ends it at once, again and again,
// gets connections further and further apart, not a storm.
func TestEventsBackOffFromStreamsThatEndAtOnce(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conns.Add(1)
		w.Header().Set("Content-Type", "text/event-stream")
	}))
	defer srv.Close()
	pc, _ := platform.New(platform.WithBaseURL(srv.URL), platform.WithoutEnvironment())
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	s, err := pc.Events(ctx, platform.EventFilter{}, platform.WithReconnectBackoff(20*time.Millisecond, 5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Next() // runs until ctx ends
	if n := conns.Load(); n > 12 {
		t.Errorf("%d connections in a second, want a growing backoff (about 7)", n)
	}
}

// The idle watchdog covers connecting: a platform that takes the connection
// and never answers is given up on, and the next connection works.
func TestEventsWatchdogCoversConnecting(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	release := make(chan struct{})
	defer close(release)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := conns.Add(1)
		if n == 2 {
			select { // hang before any header
			case <-release:
			case <-r.Context().Done():
			}
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "id: %d\nevent: agents.updated\ndata: {\"time\":\"2026-01-02T10:00:00Z\",\"data\":{}}\n\n", n)
		w.(http.Flusher).Flush()
		if n == 1 {
			return // the first connection ends after its event
		}
		<-r.Context().Done()
	}))
	defer srv.Close()
	pc, _ := platform.New(platform.WithBaseURL(srv.URL), platform.WithoutEnvironment(),
		platform.WithBackoff(time.Millisecond, 10*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	s, err := pc.Events(ctx, platform.EventFilter{}, platform.WithIdleTimeout(100*time.Millisecond))
	var ev platform.Event
	if err == nil {
		defer s.Close()
		if _, err = s.Next(); err == nil { // the first connection's event
			ev, err = s.Next() // past the hung second connection
		}
	}
	if err != nil || ev.ID != "3" || time.Since(start) > 2*time.Second || conns.Load() != 3 {
		t.Errorf("err %v after %v and %d connections, want an event soon after the watchdog", err, time.Since(start), conns.Load())
	}
}
