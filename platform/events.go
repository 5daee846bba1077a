package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// EventTopic is a family of events; a stream can be limited to some.
type EventTopic string

// Event topics. Each event's Type is "<topic>.<kind>".
const (
	// TopicAgents: agents.created, agents.status_changed, agents.updated
	// (health or version); data is the Agent.
	TopicAgents EventTopic = "agents"
	// TopicAlerts: alerts.created, alerts.acknowledged, alerts.resolved;
	// data is the Alert.
	TopicAlerts EventTopic = "alerts"
	// TopicLogs: logs.appended; data is the LogEntry.
	TopicLogs EventTopic = "logs"
	// TopicQueues: queues.dlq_retried, queues.dlq_deleted,
	// queues.dlq_bulk_retried, queues.dlq_purged.
	TopicQueues EventTopic = "queues"
	// TopicWorkflows: workflows.status_changed; data is the workflow.
	TopicWorkflows EventTopic = "workflows"
	// TopicDeployments: deployments.created, deployments.status_changed.
	TopicDeployments EventTopic = "deployments"
	// TopicUpgrades: upgrades.created, upgrades.status_changed; data is the
	// upgrade.
	TopicUpgrades EventTopic = "upgrades"
)

// Valid reports whether t is one of the topics above. Events does not
// check: a newer platform may have more.
func (t EventTopic) Valid() bool {
	switch t {
	case TopicAgents, TopicAlerts, TopicLogs, TopicQueues, TopicWorkflows, TopicDeployments, TopicUpgrades:
		return true
	}
	return false
}

// EventReset is the Type of the event the platform sends when it cannot
// resume a stream where it left off (the position is older than the events
// it keeps, or the platform's state was reset): events were missed, so
// re-read the state you follow (lists, gets), then carry on with the stream.
const EventReset = "reset"

// Event is one change on the platform, as the event stream tells it.
type Event struct {
	// ID is the event's position in the stream; the stream resumes after
	// the last ID it delivered.
	ID string
	// Type is "<topic>.<kind>", e.g. "agents.status_changed", or
	// EventReset.
	Type string
	// Topic is Type's topic; "" for EventReset and types without a dot.
	Topic EventTopic
	// Data is the event's JSON payload, usually the resource after the
	// change (see the topics); decode it with Decode.
	Data json.RawMessage
	// Time is when the change happened on the platform's clock; zero when
	// the event does not say.
	Time time.Time
}

// Decode decodes the event's data into v, e.g. a *Agent for the agents
// topic.
func (e Event) Decode(v any) error {
	if len(e.Data) == 0 {
		return fmt.Errorf("platform: event %s %q has no data", e.ID, e.Type)
	}
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("platform: decoding event %s %q: %w", e.ID, e.Type, err)
	}
	return nil
}

// eventFromFrame turns a frame into an Event. The platform's data is an
// envelope {"time": …, "data": …}; anything else is passed on as it came.
func eventFromFrame(f sseFrame) Event {
	ev := Event{ID: f.id, Type: f.typ, Data: json.RawMessage(f.data)}
	if topic, _, ok := strings.Cut(f.typ, "."); ok {
		ev.Topic = EventTopic(topic)
	}
	var env struct {
		Time *time.Time      `json:"time"`
		Data json.RawMessage `json:"data"`
	}
	if bytes.HasPrefix(bytes.TrimLeft(f.data, " \t\r\n"), []byte("{")) &&
		json.Unmarshal(f.data, &env) == nil && env.Time != nil && env.Data != nil {
		ev.Time, ev.Data = env.Time.UTC(), env.Data
	}
	return ev
}

// EventFilter says which events a stream delivers.
type EventFilter struct {
	// Topics limits the stream to these topics; empty for all.
	Topics []EventTopic
	// LastEventID resumes after this event (the last ID of an earlier
	// stream); "" starts with the events that happen from now on.
	LastEventID string
}

// DefaultIdleTimeout is how long a stream waits for a byte (an event or a
// heartbeat, which the platform sends every 15 s) before it takes the
// connection for dead and reconnects: three heartbeats.
const DefaultIdleTimeout = 45 * time.Second

// EventOption configures a stream.
type EventOption func(*eventSettings) error

type eventSettings struct {
	idle             time.Duration
	minWait, maxWait time.Duration
}

// WithIdleTimeout sets how long a stream waits for any byte from the
// platform, heartbeats included, before it reconnects; 0 never gives up on
// a quiet connection. Default DefaultIdleTimeout. Time spent outside Next
// does not count.
func WithIdleTimeout(d time.Duration) EventOption {
	return func(s *eventSettings) error {
		if d < 0 {
			return fmt.Errorf("platform: WithIdleTimeout: %v is negative", d)
		}
		s.idle = d
		return nil
	}
}

// WithReconnectBackoff sets the first and the longest wait before a
// reconnection; the wait doubles, with jitter, while reconnections fail.
// Default: the client's backoff (WithBackoff). A retry field from the
// platform replaces min, within min and max.
func WithReconnectBackoff(min, max time.Duration) EventOption {
	return func(s *eventSettings) error {
		if min < 0 || max < min {
			return fmt.Errorf("platform: WithReconnectBackoff: need 0 <= min <= max, got %v and %v", min, max)
		}
		s.minWait, s.maxWait = min, max
		return nil
	}
}

// ErrStreamClosed is what Next returns after Close.
var ErrStreamClosed = errors.New("platform: event stream closed")

// EventStream is a live stream of the platform's events (Server-Sent
// Events on GET /api/platform/events). It reconnects by itself when the
// connection drops or goes quiet, resuming after the last event it
// delivered, so a reader sees each event once and in order; when the
// platform cannot resume it delivers an EventReset event. Read it with
// Next or All from one goroutine; Close, LastEventID and Reconnects may be
// called from any.
type EventStream struct {
	c        *Client
	ctx      context.Context
	cancel   context.CancelFunc
	topics   string
	settings eventSettings

	closed  atomic.Bool
	reconns atomic.Int64

	mu     sync.Mutex // guards lastID
	lastID string

	// Only Next touches these.
	conn  *sseConn      // nil between connections
	retry time.Duration // the platform's retry field, kept across connections
	fails int           // reconnections failed in a row
	err   error         // the error that ended the stream
}

// sseConn is one connection of a stream.
type sseConn struct {
	body      io.ReadCloser
	parser    *sseParser
	end       context.CancelFunc
	watch     *time.Timer // the idle watchdog; nil when disabled
	delivered bool        // the connection gave at least one event
	idle      time.Duration
	idled     *atomic.Bool // the watchdog ended the connection
}

// Events opens a stream of the platform's events matching filter. It
// connects before it returns: an unknown topic (ErrInvalidArgument), a
// missing role or token, or an unreachable platform is reported here. After
// that, dropped or quiet connections are reconnected with backoff (each
// wait ends when ctx is done) and only errors that reconnecting cannot fix
// end the stream. The stream lives until ctx is done or Close is called;
// always Close it.
func (c *Client) Events(ctx context.Context, filter EventFilter, opts ...EventOption) (*EventStream, error) {
	set := eventSettings{idle: DefaultIdleTimeout, minWait: c.policy.minWait, maxWait: c.policy.maxWait}
	for _, o := range opts {
		if err := o(&set); err != nil {
			return nil, err
		}
	}
	names := make([]string, 0, len(filter.Topics))
	for _, t := range filter.Topics {
		if t == "" || strings.ContainsAny(string(t), ", ") {
			return nil, fmt.Errorf("platform: events: %q is not a topic: %w", t, ErrInvalidArgument)
		}
		names = append(names, string(t))
	}
	sctx, cancel := context.WithCancel(ctx)
	s := &EventStream{c: c, ctx: sctx, cancel: cancel, topics: strings.Join(names, ","),
		settings: set, lastID: filter.LastEventID}
	if err := s.connect(); err != nil {
		cancel()
		return nil, err
	}
	return s, nil
}

// LastEventID is the position the stream would resume from: the ID of the
// last event it delivered (or the filter's LastEventID before any). Pass
// it as EventFilter.LastEventID to resume in a later stream.
func (s *EventStream) LastEventID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastID
}

// Reconnects counts the connections the stream made after its first one.
func (s *EventStream) Reconnects() int { return int(s.reconns.Load()) }

// Close ends the stream and its connection. A Next in progress returns
// ErrStreamClosed. Close is safe to call more than once, from any goroutine.
func (s *EventStream) Close() error {
	s.closed.Store(true)
	s.cancel()
	return nil
}

// Next waits for the next event and returns it. It returns an error when
// the stream has ended, and the same error on every later call:
// ErrStreamClosed after Close, ctx's error once the stream's context is
// done, io.EOF when the platform ended the stream for good (204), or the
// error that made reconnecting pointless (the token was refused, the role
// is too low, the answer is not an event stream, an event over 4 MiB).
func (s *EventStream) Next() (Event, error) {
	for {
		if s.err == nil {
			if s.closed.Load() {
				s.fail(ErrStreamClosed)
			} else if s.ctx.Err() != nil {
				s.fail(fmt.Errorf("platform: events: %w", context.Cause(s.ctx)))
			}
		}
		if s.err != nil {
			return Event{}, s.err
		}
		if s.conn == nil {
			if err := s.reconnect(); err != nil {
				s.fail(err)
				continue
			}
		}
		f, err := s.conn.read()
		if p := s.conn.parser; p.retry > 0 {
			s.retry = p.retry
		}
		s.mu.Lock()
		s.lastID = s.conn.parser.dispatched
		s.mu.Unlock()
		if err == nil {
			s.fails = 0
			s.conn.delivered = true
			return eventFromFrame(f), nil
		}
		if !s.conn.delivered {
			// Connected, then ended before a single event: back off
			// further each time, or every client would hammer the platform.
			s.fails++
		}
		s.drop()
		if errors.Is(err, errSSETooLarge) {
			s.fail(fmt.Errorf("platform: events: %w", err))
		}
		// Anything else (the connection ended, broke or went quiet):
		// reconnect, after the last event delivered.
	}
}

// All iterates over the stream's events until it ends; the error that
// ends it (ctx's error once ctx is done) is yielded once, except after
// Close, which just ends the loop. Breaking out of the loop leaves the
// stream open:
//
//	for ev, err := range stream.All() {
//		if err != nil {
//			return err
//		}
//		...
//	}
func (s *EventStream) All() iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for {
			ev, err := s.Next()
			if err != nil {
				if !errors.Is(err, ErrStreamClosed) {
					yield(Event{}, err)
				}
				return
			}
			if !yield(ev, nil) {
				return
			}
		}
	}
}

func (s *EventStream) fail(err error) {
	if s.closed.Load() {
		err = ErrStreamClosed // whatever Close interrupted
	}
	s.err = err
	s.drop()
	s.cancel()
}

// drop closes the current connection, if any.
func (s *EventStream) drop() {
	if s.conn != nil {
		s.conn.close()
		s.conn = nil
	}
}

// reconnect waits and connects again until it succeeds, the stream's
// context ends, or the platform answers something reconnecting cannot fix.
func (s *EventStream) reconnect() error {
	wait := s.wait()
	for {
		if err := Sleep(s.ctx, wait); err != nil {
			return fmt.Errorf("platform: events: %w", context.Cause(s.ctx))
		}
		s.reconns.Add(1)
		err := s.connect()
		if err == nil {
			return nil
		}
		if !retryableStreamError(err) || s.ctx.Err() != nil {
			return err
		}
		s.fails++
		wait = s.wait()
		var pe *Error
		if errors.As(err, &pe) && pe.RetryAfter > 0 {
			wait = min(pe.RetryAfter, s.c.policy.retryAfterCap)
		}
	}
}

// wait is the pause before the next connection when the platform asked
// for none (Retry-After): its retry field (within the backoff's bounds),
// doubled for each failure in a row, with jitter.
func (s *EventStream) wait() time.Duration {
	lo, hi := s.settings.minWait, s.settings.maxWait
	if s.retry > 0 {
		lo = min(max(s.retry, lo), hi)
	}
	return backoff(lo, hi, s.fails)
}

// retryableStreamError reports whether connecting again may help: network
// trouble, 408, 429 and 5xx.
func retryableStreamError(err error) bool {
	var te *streamTerminal
	if errors.As(err, &te) {
		return false
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe.StatusCode == http.StatusRequestTimeout || pe.StatusCode == http.StatusTooManyRequests ||
			pe.StatusCode >= 500
	}
	return true
}

// streamTerminal marks a connection failure that reconnecting cannot fix.
type streamTerminal struct{ err error }

func (e *streamTerminal) Error() string { return e.err.Error() }
func (e *streamTerminal) Unwrap() error { return e.err }

// connect opens one connection through the client's one request path
// (with its stream HTTP client: no per-attempt timeout, no retries),
// resuming after the last event delivered.
func (s *EventStream) connect() error {
	const path = "/api/platform/events"
	// The token source's own errors are never retried: ask it first, so
	// that they are not taken for network trouble.
	if s.c.tokens != nil {
		if _, err := s.c.tokens.Token(); err != nil {
			return &streamTerminal{fmt.Errorf("platform: GET %s: %w", path, err)}
		}
	}
	q := url.Values{}
	if s.topics != "" {
		q.Set("topic", s.topics)
	}
	var hdr http.Header
	if id := s.LastEventID(); id != "" {
		hdr = http.Header{"Last-Event-ID": {id}}
	}
	cctx, cancel := context.WithCancel(s.ctx)
	// The idle watchdog covers connecting too: a platform that takes the
	// connection but never answers is given up on like a silent one.
	hung := new(atomic.Bool)
	answered := func() {}
	if idle := s.settings.idle; idle > 0 {
		t := time.AfterFunc(idle, func() { hung.Store(true); cancel() })
		answered = func() { t.Stop() }
	}
	resp, err := s.c.send(cctx, "GET", path, q, nil, hdr, true)
	var pe *Error
	if errors.As(err, &pe) && pe.StatusCode == http.StatusUnauthorized {
		if inv, ok := s.c.tokens.(Invalidator); ok {
			inv.Invalidate()
			resp, err = s.c.send(cctx, "GET", path, q, nil, hdr, true)
		}
	}
	answered()
	if err != nil && hung.Load() && s.ctx.Err() == nil {
		cancel()
		return fmt.Errorf("platform: events: no answer within %v, reconnecting", s.settings.idle)
	}
	if err != nil {
		cancel()
		if s.ctx.Err() != nil || !retryableStreamError(err) {
			return &streamTerminal{err}
		}
		return err
	}
	fail := func(err error) error {
		resp.Body.Close()
		cancel()
		return &streamTerminal{err}
	}
	if resp.StatusCode == http.StatusNoContent {
		return fail(fmt.Errorf("platform: GET %s: the platform ended the stream (204): %w", path, io.EOF))
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		return fail(fmt.Errorf("platform: GET %s: the answer is %q, not text/event-stream", path, resp.Header.Get("Content-Type")))
	}
	cn := &sseConn{body: resp.Body, end: cancel, idle: s.settings.idle, idled: new(atomic.Bool)}
	cn.parser = newSSEParser(&activityReader{cn}, s.LastEventID())
	if cn.idle > 0 {
		idled := cn.idled
		cn.watch = time.AfterFunc(cn.idle, func() {
			idled.Store(true)
			cancel()
		})
		cn.watch.Stop() // it runs only while Next reads
	}
	s.conn = cn
	return nil
}

// read reads the connection's next event, with the idle watchdog running
// while it waits.
func (cn *sseConn) read() (sseFrame, error) {
	if cn.watch != nil {
		cn.watch.Reset(cn.idle)
		defer cn.watch.Stop()
	}
	f, err := cn.parser.next()
	if err != nil && cn.idled.Load() {
		err = fmt.Errorf("platform: events: no byte for %v, reconnecting: %w", cn.idle, err)
	}
	return f, err
}

func (cn *sseConn) close() {
	if cn.watch != nil {
		cn.watch.Stop()
	}
	cn.end()
	cn.body.Close()
}

// activityReader feeds the idle watchdog: every byte read winds it up
// again.
type activityReader struct{ cn *sseConn }

func (a *activityReader) Read(p []byte) (int, error) {
	n, err := a.cn.body.Read(p)
	if n > 0 && a.cn.watch != nil && !a.cn.idled.Load() {
		a.cn.watch.Reset(a.cn.idle)
	}
	return n, err
}

// Watch follows one agent without an event stream: it reads the agent at
// once and then every poll interval (WithPollInterval), yielding each
// reading, until ctx ends (an agent's work is never done) or the loop
// stops. It ends after yielding an error: a failed read, or ctx's error
// once ctx is done (waits end at once). Events with TopicAgents tells the
// same without polling, and only when something changed.
func (s *AgentService) Watch(ctx context.Context, id string) iter.Seq2[Agent, error] {
	return func(yield func(Agent, error) bool) {
		read := func(ctx context.Context) (Agent, error) {
			a, err := s.Get(ctx, id)
			if err != nil {
				return Agent{}, err
			}
			return *a, nil
		}
		for a, err := range Poll(ctx, s.c.PollInterval(), read, func(Agent) bool { return false }) {
			if err != nil && errors.Is(err, ctx.Err()) {
				err = fmt.Errorf("platform: watch agent %s: %w", id, err)
			}
			if !yield(a, err) || err != nil {
				return
			}
		}
	}
}
