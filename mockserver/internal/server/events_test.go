package server_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/workflows"
)

// openStream opens an event stream that gives up after 10 s, so that a
// missing event fails the test instead of hanging it.
func openStream(t *testing.T, pc *platform.Client, f platform.EventFilter) *platform.EventStream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	st, err := pc.Events(ctx, f)
	if err != nil {
		cancel()
		t.Fatalf("Events: %v", err)
	}
	t.Cleanup(func() { st.Close(); cancel() })
	return st
}

func nextEvent(t *testing.T, st *platform.EventStream) platform.Event {
	t.Helper()
	ev, err := st.Next()
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return ev
}

// agentEvent reads the next event and its agent.
func agentEvent(t *testing.T, st *platform.EventStream) (platform.Event, platform.Agent) {
	t.Helper()
	ev := nextEvent(t, st)
	var a platform.Agent
	if err := ev.Decode(&a); err != nil {
		t.Fatal(err)
	}
	return ev, a
}

// TestEventsAgentRestart: a stream sees the restart at once and the online
// transition when the clock has moved 30 s (through Advance and through
// POST /_mock/clock/advance).
func TestEventsAgentRestart(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ctx := context.Background()
	ops := ts.Client(mockserver.OperatorEmail)
	st := openStream(t, ts.Client(mockserver.ViewerEmail), platform.EventFilter{Topics: []platform.EventTopic{platform.TopicAgents}})

	if _, err := ops.Agents.Restart(ctx, "wow-memory"); err != nil {
		t.Fatal(err)
	}
	ev, a := agentEvent(t, st)
	if ev.Type != "agents.status_changed" || ev.Topic != platform.TopicAgents || a.AgentID != "wow-memory" ||
		a.Status != platform.AgentStarting || !ev.Time.Equal(mockserver.Epoch()) {
		t.Errorf("after restart: %s %s %+v", ev.Type, ev.Time, a)
	}
	ts.Advance(30 * time.Second)
	ev, a = agentEvent(t, st)
	if ev.Type != "agents.status_changed" || a.Status != platform.AgentOnline || !ev.Time.Equal(mockserver.Epoch().Add(30*time.Second)) {
		t.Errorf("after 30 s: %s %s %+v", ev.Type, ev.Time, a)
	}

	if _, err := ops.Agents.Stop(ctx, "wow-cache"); err != nil {
		t.Fatal(err)
	}
	if _, err := ops.Agents.Start(ctx, "wow-cache"); err != nil {
		t.Fatal(err)
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/clock/advance", Body: `{"seconds": 29}`}, 200, "")
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/clock/advance", Body: `{"seconds": 1}`}, 200, "")
	var got []string
	for range 3 {
		ev, a := agentEvent(t, st)
		got = append(got, fmt.Sprintf("%s %s %s +%v", ev.Type, a.AgentID, a.Status, ev.Time.Sub(mockserver.Epoch())))
	}
	want := []string{
		"agents.status_changed wow-cache offline +30s",
		"agents.status_changed wow-cache starting +30s",
		"agents.status_changed wow-cache online +1m0s",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestEventsEachAtItsTime: a clock moved past several changes at once
// publishes each of them, in order, at the time it happened.
func TestEventsEachAtItsTime(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ctx := context.Background()
	ops := ts.Client(mockserver.OperatorEmail)
	if _, err := ops.Agents.Restart(ctx, "wow-memory"); err != nil {
		t.Fatal(err)
	}
	ts.Advance(10 * time.Second)
	if _, err := ops.Agents.Stop(ctx, "wow-cache"); err != nil {
		t.Fatal(err)
	}
	if _, err := ops.Agents.Start(ctx, "wow-cache"); err != nil {
		t.Fatal(err)
	}
	st := openStream(t, ts.Client(mockserver.ViewerEmail), platform.EventFilter{Topics: []platform.EventTopic{platform.TopicAgents}})
	ts.Advance(10 * time.Minute)
	var got []string
	for range 2 {
		ev, a := agentEvent(t, st)
		got = append(got, fmt.Sprintf("%s %s %s +%v", ev.Type, a.AgentID, a.Status, ev.Time.Sub(mockserver.Epoch())))
	}
	want := []string{
		"agents.status_changed wow-memory online +30s",
		"agents.status_changed wow-cache online +40s",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestEventsOfActions: alerts, logs, queues and workflows publish their
// changes; a topic filter keeps the others out.
func TestEventsOfActions(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ctx := context.Background()
	ops := ts.Client(mockserver.OperatorEmail)
	all := openStream(t, ops, platform.EventFilter{})
	alerts := openStream(t, ops, platform.EventFilter{Topics: []platform.EventTopic{platform.TopicAlerts, platform.TopicWorkflows}})

	if _, err := ops.Alerts.Acknowledge(ctx, "alert-1"); err != nil {
		t.Fatal(err)
	}
	token := mocktest.Token(t, ts, mockserver.OperatorEmail, "")
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/queues/notifications/dlq/retry", Token: token, Body: `{}`}, 200, "")
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/orchestration/workflows/wf-001/pause", Token: token}, 200, "")

	var got []string
	for {
		ev := nextEvent(t, all)
		got = append(got, ev.Type)
		if ev.Type == "workflows.status_changed" {
			var w workflows.Workflow
			if err := ev.Decode(&w); err != nil || w.WorkflowID != "wf-001" || w.Status != workflows.StatusPaused {
				t.Errorf("workflow event: %+v %v", w, err)
			}
			break
		}
		if len(got) > 20 {
			t.Fatalf("no workflows.status_changed in %v", got)
		}
	}
	for _, want := range []string{"alerts.acknowledged", "logs.appended", "queues.dlq_bulk_retried"} {
		if !strings.Contains(strings.Join(got, " "), want) {
			t.Errorf("no %s in %v", want, got)
		}
	}
	ev := nextEvent(t, alerts)
	var a platform.Alert
	if err := ev.Decode(&a); err != nil || ev.Type != "alerts.acknowledged" || a.AlertID != "alert-1" || a.AcknowledgedBy != mockserver.OperatorEmail {
		t.Errorf("alerts stream: %s %+v %v", ev.Type, a, err)
	}
	if ev := nextEvent(t, alerts); ev.Type != "workflows.status_changed" {
		t.Errorf("alerts and workflows stream: %s after alerts.acknowledged", ev.Type)
	}
}

// TestEventsResume: a stream that resumes after an event gets exactly the
// events after it, over every topic: no gap, nothing twice; a server that
// drops the stream (CloseStreams, then a dropped reconnection) changes
// nothing of that.
func TestEventsResume(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ctx := context.Background()
	ops := ts.Client(mockserver.OperatorEmail)
	st := openStream(t, ops, platform.EventFilter{})

	if _, err := ops.Agents.Restart(ctx, "wow-memory"); err != nil {
		t.Fatal(err)
	}
	first := nextEvent(t, st)
	ts.CloseStreams()
	if _, err := ts.AddFault(mockserver.Fault{Method: "GET", Path: "/api/platform/events", Drop: true, Count: 1}); err != nil {
		t.Fatal(err)
	}
	// While the stream is down:
	if _, err := ops.Agents.Stop(ctx, "wow-cache"); err != nil {
		t.Fatal(err)
	}
	ts.Advance(30 * time.Second)
	if _, err := ops.Alerts.Resolve(ctx, "alert-2"); err != nil {
		t.Fatal(err)
	}

	// A second stream resumes from the first event: the reference.
	ref := openStream(t, ops, platform.EventFilter{LastEventID: first.ID})
	var want []string
	for {
		ev := nextEvent(t, ref)
		want = append(want, ev.ID+" "+ev.Type)
		if ev.Type == "alerts.resolved" {
			break
		}
	}
	var got []string
	for len(got) < len(want) {
		ev := nextEvent(t, st)
		got = append(got, ev.ID+" "+ev.Type)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after the drop (-want +got):\n%s", diff)
	}
	n, _ := strconv.Atoi(first.ID)
	for i, e := range got {
		if id, _ := strconv.Atoi(strings.Fields(e)[0]); id != n+1+i {
			t.Errorf("event %d has id %d, want %d: a gap or a repeat in %v", i, id, n+1+i, got)
			break
		}
	}
	dropped := false
	for _, e := range ts.Journal(mockserver.JournalFilter{Method: "GET", Path: "/api/platform/events"}) {
		dropped = dropped || e.Status == 0
	}
	if !dropped || st.Reconnects() == 0 {
		t.Errorf("reconnects %d; a reconnection dropped: %v", st.Reconnects(), dropped)
	}
}

// TestEventsReset: a position the server does not have, and a Reset,
// start the stream with a reset event.
func TestEventsReset(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ops := ts.Client(mockserver.OperatorEmail)
	st := openStream(t, ops, platform.EventFilter{LastEventID: "12345", Topics: []platform.EventTopic{platform.TopicAgents}})
	ev := nextEvent(t, st)
	var why struct {
		Reason        string `json:"reason"`
		OldestEventID string `json:"oldest_event_id"`
	}
	if err := ev.Decode(&why); err != nil || ev.Type != platform.EventReset || ev.Topic != "" || why.Reason == "" || ev.ID != "0" {
		t.Errorf("unknown position: %+v %+v %v", ev, why, err)
	}

	if _, err := ops.Agents.Restart(context.Background(), "wow-memory"); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, st)
	ts.Reset()
	if ev := nextEvent(t, st); ev.Type != platform.EventReset {
		t.Errorf("after Reset: %s", ev.Type)
	}
	// Over POST /_mock/reset too, and the position after a reset is good.
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/reset"}, 204, "")
	ev = nextEvent(t, st)
	if ev.Type != platform.EventReset {
		t.Errorf("after POST /_mock/reset: %s", ev.Type)
	}
	if _, err := ops.Agents.Restart(context.Background(), "wow-memory"); err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, st); ev.Type != "agents.status_changed" {
		t.Errorf("after the reset: %s", ev.Type)
	}
}

// TestEventsRefusals: what is refused before the stream starts.
func TestEventsRefusals(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	viewer := mocktest.Token(t, ts, mockserver.ViewerEmail, "")
	mocktest.Expect(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/events"}, 401, "unauthenticated")
	for _, tt := range []struct {
		query, header, field string
	}{
		{"topic=agents,bogus", "", "topic"},
		{"topic=agents&topic=", "", "topic"},
		{"topic=Agents", "", "topic"},
		{"last_event_id=abc", "", "last_event_id"},
		{"last_event_id=-1", "", "last_event_id"},
		{"last_event_id=+1", "", "last_event_id"},
		{"", "x", "Last-Event-ID"},
	} {
		c := mocktest.Call{Method: "GET", Path: "/api/platform/events?" + tt.query, Token: viewer}
		if tt.header != "" {
			c.Header = map[string]string{"Last-Event-ID": tt.header}
		}
		a := mocktest.Expect(t, ts, c, 400, "invalid_argument")
		if !strings.Contains(string(a.Raw), `"field":"`+tt.field+`"`) {
			t.Errorf("%s: %s does not name %s", tt.query, a.Raw, tt.field)
		}
	}
	_, err := ts.Client(mockserver.ViewerEmail).Events(context.Background(), platform.EventFilter{Topics: []platform.EventTopic{"metrics"}})
	if !errors.Is(err, platform.ErrInvalidArgument) || !strings.Contains(err.Error(), "metrics") {
		t.Errorf("Events with an unknown topic: %v", err)
	}
}

// TestEventsWire: the stream's headers, heartbeats, and an event's frame,
// read as plain HTTP.
func TestEventsWire(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t, mockserver.WithHeartbeat(5*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/platform/events?topic=alerts&topic=logs", nil)
	req.Header.Set("Authorization", "Bearer "+mocktest.Token(t, ts, mockserver.OperatorEmail, ""))
	resp, err := ts.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" ||
		resp.Header.Get("Cache-Control") != "no-cache" || resp.Header.Get("X-Request-Id") == "" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	r := bufio.NewReader(resp.Body)
	readLine := func() string {
		t.Helper()
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		return strings.TrimSuffix(l, "\n")
	}
	if l := readLine(); l != ": heartbeat" {
		t.Errorf("first line %q, want a heartbeat", l)
	}
	mocktest.Expect(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/alerts/alert-2/acknowledge", Token: mocktest.Token(t, ts, mockserver.OperatorEmail, "")}, 200, "")
	var frame []string
	for len(frame) < 4 {
		l := readLine()
		if l == ": heartbeat" || l == "" && len(frame) == 0 {
			continue
		}
		frame = append(frame, l)
	}
	if !strings.HasPrefix(frame[0], "id: ") || frame[1] != "event: alerts.acknowledged" ||
		!strings.HasPrefix(frame[2], `data: {"time":"2026-01-02T10:00:00Z","data":{"alert_id":"alert-2",`) || frame[3] != "" {
		t.Errorf("frame %q", frame)
	}
}

// TestEventsEndWithTheClient: a stream ends when its client goes away (no
// handler outlives it) and when the server shuts down.
func TestEventsEndWithTheClient(t *testing.T) {
	t.Parallel()
	t.Run("in process", func(t *testing.T) {
		t.Parallel()
		synctest.Test(t, func(t *testing.T) {
			srv := mockserver.New()
			pc, err := platform.New(platform.WithBaseURL("http://mock.invalid"), platform.WithoutEnvironment(),
				platform.WithHTTPClient(&http.Client{Transport: srv.Transport()}),
				platform.WithTokenSource(srv.TokenSource(mockserver.OperatorEmail)))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			st, err := pc.Events(ctx, platform.EventFilter{Topics: []platform.EventTopic{platform.TopicAgents}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pc.Agents.Stop(ctx, "wow-cache"); err != nil {
				t.Fatal(err)
			}
			if ev := nextEvent(t, st); ev.Type != "agents.status_changed" {
				t.Errorf("first event %s", ev.Type)
			}
			time.Sleep(time.Minute) // heartbeats go by
			synctest.Wait()
			if n := srv.Calls("GET", "/api/platform/events"); n != 0 {
				t.Errorf("%d streams ended while open", n)
			}
			cancel()
			synctest.Wait() // the handler has returned: it is in the journal
			if n := srv.Calls("GET", "/api/platform/events"); n != 1 {
				t.Errorf("%d streams ended after cancel, want 1", n)
			}
			if _, err := st.Next(); !errors.Is(err, context.Canceled) {
				t.Errorf("Next after cancel: %v", err)
			}
		})
	})
	t.Run("shutdown", func(t *testing.T) {
		t.Parallel()
		srv := mockserver.New()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		hs := &http.Server{Handler: srv}
		served := make(chan error, 1)
		go func() { served <- hs.Serve(ln) }()
		pc, err := platform.New(platform.WithBaseURL("http://"+ln.Addr().String()), platform.WithoutEnvironment(),
			platform.WithTokenSource(srv.TokenSource(mockserver.OperatorEmail)))
		if err != nil {
			t.Fatal(err)
		}
		st, err := pc.Events(context.Background(), platform.EventFilter{})
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hs.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown with an open stream: %v", err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
}

// TestEventsRecorderEnds: a request whose context never ends (a recorder)
// gets what there is and an ended stream, never a hang.
func TestEventsRecorderEnds(t *testing.T) {
	t.Parallel()
	srv := mockserver.New()
	tok, err := srv.Token(mockserver.ViewerEmail, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "/api/platform/events?last_event_id=99", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "event: reset") {
		t.Errorf("%d %q", rec.Code, rec.Body.String())
	}
}

// BenchmarkAgentRestartHandler is the server's own cost of an agent
// restart, with the events and log lines it publishes, with one stream
// open or none.
func BenchmarkAgentRestartHandler(b *testing.B) {
	srv := mockserver.New()
	tok, err := srv.Token(mockserver.OperatorEmail, "", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/api/platform/agents/wow-memory/restart", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
