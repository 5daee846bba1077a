package platform_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/platform"
)

// streamAPI is an in-memory API for event streams: each request runs its
// handler (the n-th connection gets conns[n], the last one repeats) in its
// own goroutine, and the answer's body streams through a pipe, as over a
// socket: no listener, so it is safe inside a synctest bubble. Cancelling
// a request's context ends its body, as net/http's transport does.
type streamAPI struct {
	t     testing.TB
	conns []func(w *streamWriter, r *http.Request)

	mu   sync.Mutex
	reqs []*http.Request
}

// streamWriter is a connection's answer.
type streamWriter struct {
	header http.Header
	status chan int
	pw     *io.PipeWriter
	wrote  bool
}

func (w *streamWriter) start(status int) {
	if !w.wrote {
		w.wrote = true
		w.status <- status
	}
}

// open answers 200 with an event stream.
func (w *streamWriter) open() {
	w.header.Set("Content-Type", "text/event-stream")
	w.start(http.StatusOK)
}

// send writes raw stream text; it reports false once the client has gone.
func (w *streamWriter) send(s string) bool {
	w.start(http.StatusOK)
	_, err := io.WriteString(w.pw, s)
	return err == nil
}

// event writes one event with an envelope.
func (w *streamWriter) event(id int, typ, data string) bool {
	return w.send(fmt.Sprintf("id: %d\nevent: %s\ndata: {\"time\":\"2026-01-02T10:00:00Z\",\"data\":%s}\n\n", id, typ, data))
}

// fail answers an error status with the platform error body.
func (w *streamWriter) fail(status int, code string) {
	w.header.Set("Content-Type", "application/json")
	w.start(status)
	fmt.Fprintf(w.pw, `{"error":{"code":%q,"message":"test","request_id":"r"}}`, code)
}

// drop ends the connection without a clean end.
func (w *streamWriter) drop() { w.pw.CloseWithError(io.ErrUnexpectedEOF) }

// hang waits for the client to go away.
func hang(r *http.Request) { <-r.Context().Done() }

func (a *streamAPI) RoundTrip(req *http.Request) (*http.Response, error) {
	a.mu.Lock()
	a.reqs = append(a.reqs, req)
	n := len(a.reqs) - 1
	a.mu.Unlock()
	h := a.conns[min(n, len(a.conns)-1)]
	pr, pw := io.Pipe()
	w := &streamWriter{header: http.Header{}, status: make(chan int, 1), pw: pw}
	stop := context.AfterFunc(req.Context(), func() { pr.CloseWithError(req.Context().Err()) })
	go func() {
		defer stop()
		defer pw.Close()
		h(w, req)
		w.start(http.StatusOK)
	}()
	select {
	case status := <-w.status:
		return &http.Response{StatusCode: status, Header: w.header, Body: pr, Request: req}, nil
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
}

func (a *streamAPI) requests() []*http.Request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*http.Request(nil), a.reqs...)
}

// lastEventIDs lists the positions the connections resumed from.
func (a *streamAPI) lastEventIDs() []string {
	var out []string
	for _, r := range a.requests() {
		out = append(out, r.Header.Get("Last-Event-ID"))
	}
	return out
}

// streamClient is a client of api with a static token and short backoff.
func streamClient(t testing.TB, api *streamAPI, opts ...platform.Option) *platform.Client {
	t.Helper()
	api.t = t
	c, err := platform.New(append(testOptions(testHost+baseURLPath, &http.Client{Transport: api}), opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ids reads n events and returns their ids.
func ids(t *testing.T, s *platform.EventStream, n int) []string {
	t.Helper()
	var out []string
	for range n {
		ev, err := s.Next()
		if err != nil {
			t.Fatalf("Next after %v: %v", out, err)
		}
		out = append(out, ev.ID)
	}
	return out
}

func TestEventsRequest(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		api := &streamAPI{conns: []func(*streamWriter, *http.Request){func(w *streamWriter, r *http.Request) {
			w.open()
			w.event(8, "alerts.created", `{"alert_id":"alert-6"}`)
			hang(r)
		}}}
		c := streamClient(t, api)
		s, err := c.Events(t.Context(), platform.EventFilter{Topics: []platform.EventTopic{platform.TopicAgents, platform.TopicAlerts},
			LastEventID: "7"})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ev, err := s.Next()
		if err != nil {
			t.Fatal(err)
		}
		want := platform.Event{ID: "8", Type: "alerts.created", Topic: platform.TopicAlerts,
			Data: []byte(`{"alert_id":"alert-6"}`), Time: time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)}
		if diff := cmp.Diff(want, ev); diff != "" {
			t.Errorf("event (-want +got):\n%s", diff)
		}
		var a platform.Alert
		if err := ev.Decode(&a); err != nil || a.AlertID != "alert-6" {
			t.Errorf("Decode: %+v, %v", a, err)
		}
		r := api.requests()[0]
		testMethod(t, r, "GET")
		if r.URL.Path != baseURLPath+"/api/platform/events" {
			t.Errorf("path %s", r.URL.Path)
		}
		testQuery(t, r, map[string][]string{"topic": {"agents,alerts"}})
		testHeader(t, r, "Last-Event-ID", "7")
		testHeader(t, r, "Accept", "text/event-stream")
		testHeader(t, r, "Authorization", "Bearer "+testToken)
		testHeader(t, r, "User-Agent", wantUserAgent())
		testNoHeader(t, r, "Idempotency-Key")
		if s.LastEventID() != "8" || s.Reconnects() != 0 {
			t.Errorf("LastEventID %q, Reconnects %d", s.LastEventID(), s.Reconnects())
		}
	})
}

// TestEventsResumeAfterDrop: after dropped and ended connections the stream
// resumes after the last event it delivered: no event twice, none missed.
func TestEventsResumeAfterDrop(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		api := &streamAPI{conns: []func(*streamWriter, *http.Request){
			func(w *streamWriter, r *http.Request) {
				w.open()
				w.event(1, "agents.status_changed", `{}`)
				w.event(2, "agents.status_changed", `{}`)
				w.send("id: 3\ndata: {}\n") // cut mid-event: never delivered
				w.drop()
			},
			func(w *streamWriter, r *http.Request) {
				w.open()
				w.event(3, "logs.appended", `{}`)
				w.send("id: 4\n\n") // an event with no data moves the position
				// a clean end: the server went away
			},
			func(w *streamWriter, r *http.Request) {
				w.open()
				w.event(5, "alerts.created", `{}`)
				hang(r)
			},
		}}
		c := streamClient(t, api)
		s, err := c.Events(t.Context(), platform.EventFilter{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if diff := cmp.Diff([]string{"1", "2", "3", "5"}, ids(t, s, 4)); diff != "" {
			t.Errorf("ids (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"", "2", "4"}, api.lastEventIDs()); diff != "" {
			t.Errorf("resumed from (-want +got):\n%s", diff)
		}
		if s.Reconnects() != 2 {
			t.Errorf("Reconnects %d, want 2", s.Reconnects())
		}
	})
}

// TestEventsWatchdog: heartbeats keep a quiet stream alive; silence for the
// idle timeout makes it reconnect; time spent outside Next does not count.
func TestEventsWatchdog(t *testing.T) {
	t.Parallel()
	const idle = 30 * time.Millisecond
	t.Run("heartbeats keep it quiet", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			api := &streamAPI{conns: []func(*streamWriter, *http.Request){func(w *streamWriter, r *http.Request) {
				w.open()
				for range 20 {
					time.Sleep(idle / 3)
					w.send(": heartbeat\n\n")
				}
				w.event(1, "agents.updated", `{}`)
				hang(r)
			}}}
			s, err := streamClient(t, api).Events(t.Context(), platform.EventFilter{}, platform.WithIdleTimeout(idle))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			start := time.Now()
			ids(t, s, 1)
			if s.Reconnects() != 0 || len(api.requests()) != 1 {
				t.Errorf("reconnected %d times over %v of heartbeats", s.Reconnects(), time.Since(start))
			}
		})
	})
	t.Run("silence trips it", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			api := &streamAPI{conns: []func(*streamWriter, *http.Request){
				func(w *streamWriter, r *http.Request) {
					w.open()
					w.event(1, "agents.updated", `{}`)
					hang(r) // a connection that died without a word
				},
				func(w *streamWriter, r *http.Request) {
					w.open()
					w.event(2, "agents.updated", `{}`)
					hang(r)
				},
			}}
			s, err := streamClient(t, api).Events(t.Context(), platform.EventFilter{}, platform.WithIdleTimeout(idle))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ids(t, s, 1)
			start := time.Now()
			ids(t, s, 1)
			if waited := time.Since(start); waited < idle || waited > idle+10*time.Millisecond {
				t.Errorf("reconnected after %v, want %v and a short backoff", waited, idle)
			}
			if diff := cmp.Diff([]string{"", "1"}, api.lastEventIDs()); diff != "" {
				t.Errorf("resumed from (-want +got):\n%s", diff)
			}
		})
	})
	t.Run("time outside Next does not count", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			api := &streamAPI{conns: []func(*streamWriter, *http.Request){func(w *streamWriter, r *http.Request) {
				w.open()
				w.event(1, "agents.updated", `{}`)
				w.event(2, "agents.updated", `{}`)
				hang(r)
			}}}
			s, err := streamClient(t, api).Events(t.Context(), platform.EventFilter{}, platform.WithIdleTimeout(idle))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ids(t, s, 1)
			time.Sleep(10 * idle) // the reader is busy
			ids(t, s, 1)
			if s.Reconnects() != 0 {
				t.Errorf("reconnected %d times", s.Reconnects())
			}
		})
	})
	t.Run("disabled", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			api := &streamAPI{conns: []func(*streamWriter, *http.Request){func(w *streamWriter, r *http.Request) {
				w.open()
				time.Sleep(time.Hour)
				w.event(1, "agents.updated", `{}`)
				hang(r)
			}}}
			s, err := streamClient(t, api).Events(t.Context(), platform.EventFilter{}, platform.WithIdleTimeout(0))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ids(t, s, 1)
			if s.Reconnects() != 0 {
				t.Errorf("reconnected %d times", s.Reconnects())
			}
		})
	})
}

// TestEventsBackoff: failed reconnections wait longer each time, a retry
// field sets the first wait, 5xx and 429 are retried, and the platform's
// Retry-After is honoured.
func TestEventsBackoff(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var at []time.Time
		var mu sync.Mutex
		mark := func() {
			mu.Lock()
			at = append(at, time.Now())
			mu.Unlock()
		}
		api := &streamAPI{conns: []func(*streamWriter, *http.Request){
			func(w *streamWriter, r *http.Request) {
				mark()
				w.open()
				w.send("retry: 100\n\n")
				w.event(1, "agents.updated", `{}`)
			},
			func(w *streamWriter, r *http.Request) { mark(); w.fail(503, "unavailable") },
			func(w *streamWriter, r *http.Request) { mark(); w.fail(502, "unavailable") },
			func(w *streamWriter, r *http.Request) {
				mark()
				w.header.Set("Retry-After", "1")
				w.fail(429, "rate_limited")
			},
			func(w *streamWriter, r *http.Request) {
				mark()
				w.open()
				w.event(2, "agents.updated", `{}`)
				hang(r)
			},
		}}
		c := streamClient(t, api, platform.WithRetryAfterCap(5*time.Second))
		s, err := c.Events(t.Context(), platform.EventFilter{}, platform.WithReconnectBackoff(10*time.Millisecond, time.Second))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if diff := cmp.Diff([]string{"1", "2"}, ids(t, s, 2)); diff != "" {
			t.Errorf("ids (-want +got):\n%s", diff)
		}
		var gaps []time.Duration
		for i := 1; i < len(at); i++ {
			gaps = append(gaps, at[i].Sub(at[i-1]))
		}
		// retry: 100 ms is the base; each failure doubles it (with equal
		// jitter: between half and all of it); a 429's Retry-After replaces
		// it.
		lows := []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, time.Second}
		highs := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, time.Second}
		if len(gaps) != len(lows) {
			t.Fatalf("gaps %v", gaps)
		}
		for i, g := range gaps {
			if g < lows[i] || g > highs[i] {
				t.Errorf("wait %d = %v, want %v to %v (all: %v)", i+1, g, lows[i], highs[i], gaps)
			}
		}
	})
}

// TestEventsEnd: what ends a stream, and that it stays ended.
func TestEventsEnd(t *testing.T) {
	t.Parallel()
	ok := func(w *streamWriter, r *http.Request) {
		w.open()
		w.event(1, "agents.updated", `{}`)
		w.drop()
	}
	tests := []struct {
		name  string
		conns []func(*streamWriter, *http.Request)
		// open: Events fails with it; else Next after one event does.
		open, next error
		msg        string
	}{
		{name: "bad topic", conns: []func(*streamWriter, *http.Request){func(w *streamWriter, r *http.Request) { w.fail(400, "invalid_argument") }},
			open: platform.ErrInvalidArgument},
		{name: "viewer role missing", conns: []func(*streamWriter, *http.Request){func(w *streamWriter, r *http.Request) { w.fail(403, "permission_denied") }},
			open: platform.ErrPermissionDenied},
		{name: "unreachable at first", conns: []func(*streamWriter, *http.Request){func(w *streamWriter, r *http.Request) { w.fail(503, "unavailable") }},
			open: platform.ErrUnavailable},
		{name: "not a stream", conns: []func(*streamWriter, *http.Request){func(w *streamWriter, r *http.Request) { w.send("{}") }},
			open: errors.New(""), msg: "not text/event-stream"},
		{name: "no content: stop", conns: []func(*streamWriter, *http.Request){func(w *streamWriter, r *http.Request) { w.start(204) }},
			open: io.EOF},
		{name: "refused on reconnect", conns: []func(*streamWriter, *http.Request){ok, func(w *streamWriter, r *http.Request) { w.fail(403, "permission_denied") }},
			next: platform.ErrPermissionDenied},
		{name: "204 on reconnect", conns: []func(*streamWriter, *http.Request){ok, func(w *streamWriter, r *http.Request) { w.start(204) }},
			next: io.EOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				api := &streamAPI{conns: tt.conns}
				s, err := streamClient(t, api).Events(t.Context(), platform.EventFilter{})
				if tt.open != nil {
					if err == nil {
						s.Close()
						t.Fatal("Events: no error")
					}
					if tt.msg != "" && !strings.Contains(err.Error(), tt.msg) || tt.msg == "" && !errors.Is(err, tt.open) {
						t.Errorf("Events: %v, want %v %q", err, tt.open, tt.msg)
					}
					if n := len(api.requests()); n != 1 {
						t.Errorf("%d requests, want 1", n)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				ids(t, s, 1)
				for range 2 {
					if _, err := s.Next(); !errors.Is(err, tt.next) {
						t.Errorf("Next: %v, want %v", err, tt.next)
					}
				}
				if n := len(api.requests()); n != 2 {
					t.Errorf("%d requests, want 2", n)
				}
			})
		})
	}
}

func TestEventsCloseAndCancel(t *testing.T) {
	t.Parallel()
	quiet := []func(*streamWriter, *http.Request){func(w *streamWriter, r *http.Request) { w.open(); hang(r) }}
	down := []func(*streamWriter, *http.Request){
		func(w *streamWriter, r *http.Request) { w.open(); w.drop() },
		func(w *streamWriter, r *http.Request) { w.fail(503, "unavailable") },
	}
	for _, tt := range []struct {
		name  string
		conns []func(*streamWriter, *http.Request)
		stop  func(s *platform.EventStream, cancel context.CancelFunc)
		want  error
	}{
		{"Close while reading", quiet, func(s *platform.EventStream, _ context.CancelFunc) { s.Close() }, platform.ErrStreamClosed},
		{"cancel while reading", quiet, func(_ *platform.EventStream, cancel context.CancelFunc) { cancel() }, context.Canceled},
		{"Close while backing off", down, func(s *platform.EventStream, _ context.CancelFunc) { s.Close() }, platform.ErrStreamClosed},
		{"cancel while backing off", down, func(_ *platform.EventStream, cancel context.CancelFunc) { cancel() }, context.Canceled},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				s, err := streamClient(t, &streamAPI{conns: tt.conns}).Events(ctx, platform.EventFilter{},
					platform.WithReconnectBackoff(time.Second, time.Hour))
				if err != nil {
					t.Fatal(err)
				}
				go func() {
					time.Sleep(5 * time.Second)
					tt.stop(s, cancel)
				}()
				start := time.Now()
				if _, err := s.Next(); !errors.Is(err, tt.want) {
					t.Errorf("Next: %v, want %v", err, tt.want)
				}
				if d := time.Since(start); d != 5*time.Second {
					t.Errorf("Next returned after %v, want 5s", d)
				}
				s.Close()
				synctest.Wait() // every goroutine of the stream has ended (else the bubble would not end)
			})
		})
	}
}

func TestEventsAll(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		api := &streamAPI{conns: []func(*streamWriter, *http.Request){
			func(w *streamWriter, r *http.Request) {
				w.open()
				w.event(1, "agents.updated", `{}`)
				w.event(2, "agents.updated", `{}`)
				w.drop()
			},
			func(w *streamWriter, r *http.Request) { w.fail(401, "unauthenticated") },
		}}
		s, err := streamClient(t, api).Events(t.Context(), platform.EventFilter{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var got []string
		var last error
		for ev, err := range s.All() {
			if err != nil {
				last = err
				continue
			}
			got = append(got, ev.ID)
		}
		if !cmp.Equal(got, []string{"1", "2"}) || !errors.Is(last, platform.ErrUnauthenticated) {
			t.Errorf("All: %v then %v", got, last)
		}
	})
}

// TestEventsInvalidatesOnce: a 401 makes the stream drop its cached token
// once and try again at once, as every call does.
func TestEventsInvalidatesOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		api := &streamAPI{conns: []func(*streamWriter, *http.Request){
			func(w *streamWriter, r *http.Request) { w.fail(401, "unauthenticated") },
			func(w *streamWriter, r *http.Request) { w.open(); w.event(1, "agents.updated", `{}`); hang(r) },
		}}
		src := &invalidatingSource{}
		s, err := streamClient(t, api, platform.WithTokenSource(src)).Events(t.Context(), platform.EventFilter{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		ids(t, s, 1)
		if n := src.invalidations.Load(); n != 1 {
			t.Errorf("%d invalidations, want 1", n)
		}
		reqs := api.requests()
		if len(reqs) != 2 || reqs[0].Header.Get("Authorization") == reqs[1].Header.Get("Authorization") {
			t.Errorf("the retry after a 401 did not carry a new token")
		}
	})
}

// TestEventsTokenSourceFailure: the token source's errors end the stream
// with the source's error (never retried).
func TestEventsTokenSourceFailure(t *testing.T) {
	t.Parallel()
	errBroken := errors.New("token source broken")
	api := &streamAPI{conns: []func(*streamWriter, *http.Request){func(w *streamWriter, r *http.Request) { w.open() }}}
	src := &countingSource{fail: map[int]bool{1: true}, err: errBroken}
	_, err := streamClient(t, api, platform.WithTokenSource(src)).Events(t.Context(), platform.EventFilter{})
	if !errors.Is(err, errBroken) || len(api.requests()) != 0 {
		t.Errorf("Events: %v after %d requests", err, len(api.requests()))
	}
}

func TestEventsBadArguments(t *testing.T) {
	t.Parallel()
	api := &streamAPI{}
	c := streamClient(t, api)
	for name, call := range map[string]func() error{
		"empty topic": func() error {
			_, err := c.Events(t.Context(), platform.EventFilter{Topics: []platform.EventTopic{""}})
			return err
		},
		"topic with comma": func() error {
			_, err := c.Events(t.Context(), platform.EventFilter{Topics: []platform.EventTopic{"a,b"}})
			return err
		},
		"negative idle": func() error {
			_, err := c.Events(t.Context(), platform.EventFilter{}, platform.WithIdleTimeout(-1))
			return err
		},
		"backoff min > max": func() error {
			_, err := c.Events(t.Context(), platform.EventFilter{}, platform.WithReconnectBackoff(2, 1))
			return err
		},
	} {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if len(api.requests()) != 0 {
		t.Errorf("bad arguments sent %d requests", len(api.requests()))
	}
}

func TestEventDecode(t *testing.T) {
	t.Parallel()
	var a platform.Agent
	if err := (platform.Event{ID: "1", Type: "agents.updated"}).Decode(&a); err == nil {
		t.Error("Decode of no data: no error")
	}
	if err := (platform.Event{ID: "1", Type: "agents.updated", Data: []byte(`[1]`)}).Decode(&a); err == nil {
		t.Error("Decode of an array into an Agent: no error")
	}
}

// TestAgentWatch: the polling watch yields each reading, one a poll
// interval, and ends with ctx's error.
func TestAgentWatch(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		c, mux, _ := setup(t, platform.WithPollInterval(time.Second))
		seq := []string{
			`"status":"starting","health":"healthy","version":"1"`,
			`"status":"starting","health":"healthy","version":"1"`,
			`"status":"online","health":"healthy","version":"1"`,
			`"status":"online","health":"degraded","version":"1"`,
			`"status":"online","health":"degraded","version":"2"`,
		}
		var mu sync.Mutex
		n := 0
		mux.HandleFunc("GET /api/platform/agents/wow-memory", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			s := seq[min(n, len(seq)-1)]
			n++
			mu.Unlock()
			writeJSON(w, 200, `{"agent_id":"wow-memory","name":"WowMemory","tier":"Platform CoE",`+s+
				`,"capabilities":[],"last_active":null,"created_at":"2026-01-01T00:00:00Z"}`)
		})
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second+time.Millisecond)
		defer cancel()
		start := time.Now()
		var got []string
		var last error
		for a, err := range c.Agents.Watch(ctx, "wow-memory") {
			if err != nil {
				last = err
				break
			}
			got = append(got, fmt.Sprintf("%v %s/%s/%s", time.Since(start), a.Status, a.Health, a.Version))
		}
		want := []string{"0s starting/healthy/1", "1s starting/healthy/1", "2s online/healthy/1",
			"3s online/degraded/1", "4s online/degraded/2", "5s online/degraded/2"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Watch (-want +got):\n%s", diff)
		}
		if !errors.Is(last, context.DeadlineExceeded) || !strings.Contains(last.Error(), "wow-memory") {
			t.Errorf("Watch ended with %v", last)
		}
	})
}

func TestAgentWatchReadError(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/platform/agents/nope", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, 404, "not_found", "agent nope not found")
	})
	n := 0
	for _, err := range c.Agents.Watch(t.Context(), "nope") {
		n++
		if !errors.Is(err, platform.ErrNotFound) {
			t.Errorf("Watch: %v", err)
		}
	}
	if n != 1 {
		t.Errorf("Watch yielded %d times, want the error once", n)
	}
}

func TestEventTopicValid(t *testing.T) {
	t.Parallel()
	for _, topic := range []platform.EventTopic{platform.TopicAgents, platform.TopicAlerts, platform.TopicLogs,
		platform.TopicQueues, platform.TopicWorkflows, platform.TopicDeployments, platform.TopicUpgrades} {
		if !topic.Valid() {
			t.Errorf("%q is not valid", topic)
		}
	}
	if platform.EventTopic("metrics").Valid() || platform.EventTopic("").Valid() {
		t.Error("unknown topics are valid")
	}
}
