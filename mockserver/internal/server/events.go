package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

// The event stream (GET /api/platform/events).
//
// What is published, and when: the World tells of every change itself
// (core: news.go). A change made through the API is published before the
// request that made it is answered; each change the clock brings is
// published at its own time, in order, when a request, an Advance or (on
// a real clock) an open stream's timer settles the World past it:
//
//	agents       created, status_changed, updated (health or version)
//	workflows    created, status_changed, updated (task counts)
//	queues       created, status_changed; dlq_retried, dlq_deleted,
//	             dlq_bulk_retried, dlq_purged (the actions)
//	deployments  created, status_changed
//	upgrades     created, status_changed
//	alerts       created (an agent in error, an upgrade that failed or
//	             rolled back), acknowledged, resolved
//	logs         appended (what actions did and what happened)
//
// Not published: progress within a state (a deployment's steps, an
// upgrade's phases, queue figures), reads, and the test controls
// themselves (a Reset ends every stream's position: its next event is a
// reset).

const (
	// DefaultHeartbeat is how often an open stream sends a heartbeat
	// comment (real time).
	DefaultHeartbeat = 15 * time.Second
)

// eventTopics are the topics a stream can ask for, in bit order.
var eventTopics = []string{"agents", "alerts", "logs", "queues", "workflows", "deployments", "upgrades"}

func topicBit(topic string) uint {
	if i := slices.Index(eventTopics, topic); i >= 0 {
		return 1 << i
	}
	return 0
}

// WithHeartbeat sets how often open event streams send a heartbeat comment
// (real time, not the server's clock); 0 or less keeps DefaultHeartbeat.
// Tests of idle watchdogs shorten it.
func WithHeartbeat(d time.Duration) Option {
	return func(s *Server) { s.events.heartbeat = d }
}

// hubEvent is one published event, encoded once as its stream frame.
type hubEvent struct {
	id    uint64
	topic uint
	frame []byte
}

// eventHub is the server's event log and its open streams. Its zero value
// is ready: ids start at 1.
type eventHub struct {
	heartbeat time.Duration // set by options, before serving
	size      int           // events kept (Limits.Events), set before serving

	mu      sync.Mutex
	log     []hubEvent // ids first … next-1, oldest first
	next    uint64     // the id of the next event
	subs    map[*eventSub]struct{}
	stop    chan struct{} // closed by CloseStreams
	closed  bool          // endStreams was called: no new stream starts
	servers map[*http.Server]bool
}

type eventSub struct{ wake chan struct{} }

// bounds returns the first id kept and the last id published; h.mu held.
func (h *eventHub) bounds() (first, head uint64) {
	if h.next == 0 {
		h.next = 1
	}
	head = h.next - 1
	first = h.next
	if len(h.log) > 0 {
		first = h.log[0].id
	}
	return first, head
}

// add appends an event with the next id; h.mu held.
func (h *eventHub) add(topic uint, typ string, at time.Time, data any) {
	h.bounds()
	id := h.next
	h.next++
	env := httpapi.Encode(struct {
		Time time.Time `json:"time"`
		Data any       `json:"data"`
	}{at.UTC(), data})
	var b bytes.Buffer
	fmt.Fprintf(&b, "id: %d\nevent: %s\ndata: ", id, typ)
	b.Write(bytes.TrimSuffix(env, []byte("\n")))
	b.WriteString("\n\n")
	h.log = append(h.log, hubEvent{id: id, topic: topic, frame: b.Bytes()})
	if len(h.log) > h.size {
		h.log = h.log[len(h.log)-h.size:]
	}
	h.wake()
}

// wake wakes every stream: to send what is new, or to look again at when
// the next change is due (the clock moved); h.mu held.
func (h *eventHub) wake() {
	for sub := range h.subs {
		select {
		case sub.wake <- struct{}{}:
		default:
		}
	}
}

// forget drops every event and skips an id, so that no earlier position
// can be resumed (the state was reset); h.mu held.
func (h *eventHub) forget() {
	h.bounds()
	h.next++
	h.log = nil
	h.wake()
}

// since returns the frames after cursor for the topics mask and the new
// cursor; gap is true when events after cursor are no longer kept (or
// cursor is not a position of this server).
func (h *eventHub) since(cursor uint64, mask uint) (frames [][]byte, next uint64, gap bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	first, head := h.bounds()
	if cursor+1 < first || cursor > head {
		return nil, head, true
	}
	for _, ev := range h.log[cursor+1-first:] {
		if ev.topic&mask != 0 {
			frames = append(frames, ev.frame)
		}
	}
	return frames, head, false
}

// publish adds an event of type typ ("<topic>.<kind>") with data at the
// time at on the server's clock.
func (s *Server) publish(at time.Time, typ string, data any) {
	// The World tells of every change it makes: each moves the state's
	// generation, before the request that made it is answered.
	s.changed()
	topic, _, _ := strings.Cut(typ, ".")
	h := &s.events
	h.mu.Lock()
	h.add(topicBit(topic), typ, at, data)
	h.mu.Unlock()
}

// CloseStreams ends every open event stream (clients see the connection
// end and reconnect, resuming where they were). When a test ends, Start
// ends the streams for good, and so does http.Server.Shutdown for servers
// that have served a stream: then reconnecting clients get 204, the end.
func (s *Server) CloseStreams() { s.closeStreams(false) }

// endStreams ends every stream for good, for a server going away: a client
// that reconnects gets 204 (the stream is over) instead of a new stream
// that would hold the shutdown.
func (s *Server) endStreams() { s.closeStreams(true) }

func (s *Server) closeStreams(forGood bool) {
	s.closeSandboxStreams(forGood)
	h := &s.events
	h.mu.Lock()
	defer h.mu.Unlock()
	if forGood {
		h.closed = true
	}
	if h.stop != nil {
		close(h.stop)
		h.stop = nil
	}
}

// subscribe registers a stream and returns it, the channel that ends it
// and the last id published; no stream (nil) once endStreams was called.
func (h *eventHub) subscribe(hs *http.Server, closeAll func()) (*eventSub, <-chan struct{}, uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, nil, 0
	}
	if h.subs == nil {
		h.subs = map[*eventSub]struct{}{}
	}
	if h.stop == nil {
		h.stop = make(chan struct{})
	}
	if hs != nil && !h.servers[hs] {
		if h.servers == nil {
			h.servers = map[*http.Server]bool{}
		}
		h.servers[hs] = true
		hs.RegisterOnShutdown(closeAll)
	}
	sub := &eventSub{wake: make(chan struct{}, 1)}
	h.subs[sub] = struct{}{}
	_, head := h.bounds()
	return sub, h.stop, head
}

func (h *eventHub) unsubscribe(sub *eventSub) {
	h.mu.Lock()
	delete(h.subs, sub)
	h.mu.Unlock()
}

// streamParams are a stream request's query: the topics and where to
// resume.
type streamParams struct {
	mask   uint
	resume bool
	after  uint64
}

func parseStreamParams(r *http.Request) (streamParams, *core.Error) {
	var p streamParams
	q := r.URL.Query()
	for _, v := range q["topic"] {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			bit := topicBit(t)
			if bit == 0 {
				return p, core.InvalidField("topic", fmt.Sprintf("unknown topic %q: want %s (repeat topic, or separate topics with commas)",
					t, strings.Join(eventTopics, ", ")))
			}
			p.mask |= bit
		}
	}
	if p.mask == 0 {
		p.mask = 1<<len(eventTopics) - 1
	}
	field, id := "Last-Event-ID", r.Header.Get("Last-Event-ID")
	if id == "" {
		field, id = "last_event_id", q.Get("last_event_id")
	}
	if id != "" {
		n, err := strconv.ParseUint(id, 10, 64)
		if err != nil || id[0] == '+' {
			return p, core.InvalidField(field, "must be the id of an event of this stream (a non-negative integer)")
		}
		p.resume, p.after = true, n
	}
	return p, nil
}

func (s *Server) eventRoutes() []*httpapi.Route {
	return []*httpapi.Route{
		// raw: the stream writes as it goes; it checks the token itself.
		{Method: "GET", Pattern: "/api/platform/events", Role: core.RoleViewer, Raw: s.streamEvents, Stream: true},
	}
}

// streamEvents serves GET /api/platform/events: checks in the order of
// every route (401, 403, 400), then the stream. A request whose context
// can never end (httptest.NewRecorder) gets the events to catch up on and
// an ended stream, so that it cannot hang.
func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request) {
	rid := w.Header().Get("X-Request-Id")
	p, e := s.auth.Authenticate(r)
	if e != nil {
		httpapi.WriteError(w, rid, e)
		return
	}
	if p.Role < core.RoleViewer {
		httpapi.WriteError(w, rid, core.Errorf(http.StatusForbidden, "permission_denied",
			"GET /api/platform/events needs the viewer role; you are %s", p.Role))
		return
	}
	params, e := parseStreamParams(r)
	if e != nil {
		httpapi.WriteError(w, rid, e)
		return
	}
	s.settleTx()
	// The position is taken before the answer starts: a client that acts
	// once it has the answer's headers sees the events of what it did.
	hs, _ := r.Context().Value(http.ServerContextKey).(*http.Server)
	sub, stop, head := s.events.subscribe(hs, s.endStreams)
	if sub == nil {
		// The server's streams were closed for good (shutdown, test end):
		// 204 tells clients the stream is over, not to reconnect.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	defer s.events.unsubscribe(sub)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	rc := http.NewResponseController(w)
	rc.Flush()
	cursor := head
	if params.resume {
		cursor = params.after
	}
	beat := s.events.heartbeat
	if beat <= 0 {
		beat = DefaultHeartbeat
	}
	ticker := time.NewTicker(beat)
	defer ticker.Stop()
	done := r.Context().Done()
	// A write blocked on a client that stopped reading must not keep the
	// stream (and the server's shutdown) waiting: stopping ends it too.
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-stop:
			rc.SetWriteDeadline(time.Now())
		case <-finished:
		}
	}()
	// On a real clock, changes fall due without requests: the stream
	// settles at the next one's time, so its event comes on time.
	due := time.NewTimer(time.Hour)
	defer due.Stop()
	for {
		frames, next, gap := s.events.since(cursor, params.mask)
		if gap {
			frames = [][]byte{s.resetFrame(next)}
		}
		cursor = next
		for _, f := range frames {
			if _, err := w.Write(f); err != nil {
				return
			}
		}
		if len(frames) > 0 && rc.Flush() != nil {
			return
		}
		if done == nil {
			return
		}
		dueC := s.armDue(due)
		select {
		case <-done:
			return
		case <-stop:
			return
		case <-dueC:
			s.settleTx()
		case <-sub.wake:
		case <-ticker.C:
			// A real clock moves without requests: look before beating.
			s.settleTx()
			if _, err := io.WriteString(w, ": heartbeat\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		}
	}
}

// resetFrame tells a stream that it cannot resume: re-read the state. Its
// id is the last event published, where the stream goes on from.
func (s *Server) resetFrame(head uint64) []byte {
	h := &s.events
	h.mu.Lock()
	first, _ := h.bounds()
	h.mu.Unlock()
	env := httpapi.Encode(struct {
		Time time.Time `json:"time"`
		Data any       `json:"data"`
	}{s.clock.Now(), map[string]any{
		"reason":          "the events after your position are no longer kept (or the state was reset): re-read the state",
		"oldest_event_id": strconv.FormatUint(first, 10),
	}})
	return fmt.Appendf(nil, "id: %d\nevent: reset\ndata: %s\n\n", head, bytes.TrimSuffix(env, []byte("\n")))
}

// advance moves the clock forward by d and tells of the changes it brings
// (Server.Advance, POST /_mock/clock/advance), in an exclusive
// transaction.
func (s *Server) advance(d time.Duration) time.Time {
	t := s.clock.Advance(d)
	s.settle()
	// On a real clock, what falls due next is nearer now: streams re-arm.
	s.events.mu.Lock()
	s.events.wake()
	s.events.mu.Unlock()
	return t
}

// errStreamDropped is what an in-process stream's reader gets when a fault
// drops the connection.
var errStreamDropped = errors.New("mockserver: connection dropped by a fault")

// isEventStream reports whether the in-process transport must stream req's
// answer instead of recording it whole.
func isEventStream(req *http.Request) bool {
	p := req.URL.Path
	if strings.HasPrefix(p, "/sandboxes/") { // a sandbox's stream
		_, rest, _ := strings.Cut(strings.TrimPrefix(p, "/sandboxes/"), "/")
		p = "/" + rest
	}
	return (req.Method == http.MethodGet || req.Method == http.MethodHead) && p == "/api/platform/events"
}

// streamInProcess serves req with its answer's body streamed through a
// pipe, for the in-process transport: the handler runs in its own
// goroutine until the stream ends, which closing the body or cancelling
// req's context does.
func (t inProcess) streamInProcess(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	r := req.Clone(ctx)
	r.Body = http.NoBody
	r.RequestURI = req.URL.RequestURI()
	r.RemoteAddr = "127.0.0.1:0"
	pr, pw := io.Pipe()
	// As over a socket, a client that has gone makes writes fail (here: at
	// once, instead of when a buffer fills).
	stop := context.AfterFunc(ctx, func() { pr.CloseWithError(context.Canceled) })
	w := &pipeWriter{header: http.Header{}, pw: pw, ready: make(chan struct{})}
	go func() {
		defer stop()
		defer func() {
			err := io.EOF
			if p := recover(); p != nil {
				err = errStreamDropped
				if p != http.ErrAbortHandler {
					err = fmt.Errorf("mockserver: the handler of %s %s panicked: %v", req.Method, req.URL.Path, p)
				}
				w.fail(err)
			}
			w.WriteHeader(http.StatusOK) // a handler that wrote nothing answers 200
			pw.CloseWithError(err)
			cancel()
		}()
		t.s.Handler().ServeHTTP(w, r)
	}()
	select {
	case <-w.ready:
	case <-req.Context().Done():
		cancel()
		pr.Close()
		return nil, req.Context().Err()
	}
	if w.err != nil {
		cancel()
		pr.Close()
		return nil, w.err
	}
	return &http.Response{
		Status: strconv.Itoa(w.status) + " " + http.StatusText(w.status), StatusCode: w.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: w.sent, Body: &pipeBody{pr, cancel}, ContentLength: -1, Request: req,
	}, nil
}

// pipeWriter is an http.ResponseWriter whose body goes through a pipe.
type pipeWriter struct {
	header http.Header
	sent   http.Header // the header as of WriteHeader
	status int
	pw     *io.PipeWriter
	once   sync.Once
	ready  chan struct{} // closed once the status is known
	err    error         // the handler failed before answering
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(code int) {
	w.once.Do(func() {
		w.status, w.sent = code, w.header.Clone()
		close(w.ready)
	})
}

// fail makes the answer an error when no status was written yet.
func (w *pipeWriter) fail(err error) {
	w.once.Do(func() {
		w.err = err
		close(w.ready)
	})
}

func (w *pipeWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.pw.Write(b)
}

// Flush does nothing: every Write reaches the reader.
func (w *pipeWriter) Flush() {}

// SetWriteDeadline in the past ends a blocked Write (the stream is being
// stopped); the in-process pipe has no other deadline.
func (w *pipeWriter) SetWriteDeadline(t time.Time) error {
	if !t.After(time.Now()) {
		w.pw.CloseWithError(os.ErrDeadlineExceeded)
	}
	return nil
}

// pipeBody is the reader's end; closing it ends the handler.
type pipeBody struct {
	*io.PipeReader
	cancel context.CancelFunc
}

func (b *pipeBody) Close() error {
	b.cancel()
	return b.PipeReader.Close()
}
