package server

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/internal/apicontract"
	"github.com/waooaw/waooaw-go/mockserver/internal/area"
	"github.com/waooaw/waooaw-go/mockserver/internal/authority"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

// DefaultIssuer is the issuer of tokens when none is set (WithIssuer); Start
// and cmd/waooaw-mock set it to the server's URL.
const DefaultIssuer = "http://waooaw-mock.local"

// Server is the mock platform. It is an http.Handler; its state lives in
// memory and each Server is independent of every other.
type Server struct {
	clock       *core.Clock
	auth        *authority.Authority
	issuer      string // WithIssuer, until New builds auth
	router      httpapi.Router
	logger      *slog.Logger
	idem        *httpapi.Idempotency
	debug       bool // the logger takes debug records: log each request
	faults      *faults
	startFaults []Fault // WithFaults: kept across Reset
	faultErr    error   // why a WithFaults fault was refused
	journal     *journal
	seeding     seeding
	reqSeq      atomic.Uint64
	reqPfx      string

	templates  template.Source
	middleware []func(http.Handler) http.Handler

	state atomic.Pointer[core.World]
	// tx is the one transaction lock: every request holds it shared while
	// it runs; Reset, Seed and Advance hold it alone (transact).
	tx sync.RWMutex
	// gen is the state's generation, bumped by every change; answers
	// caches the answers of reads per generation (cache.go).
	gen    atomic.Uint64
	resets atomic.Uint64 // how many times the state was reset

	opts      []Option              // as New had them: sandboxes are made of them
	sandboxes sandboxSet            // (sandboxes.go)
	sandboxed bool                  // this server is a sandbox of another
	contract  *apicontract.Contract // checks clients' requests (WithRequestValidation)
	answers   answerCache
	limits    Limits

	events eventHub  // the event stream's log and streams (events.go)
	env    *area.Env // what the areas' handlers reach the server through
}

// Option configures a Server.
type Option func(*Server)

// WithIssuer sets the tokens' issuer (iss), normally the server's base URL.
func WithIssuer(issuer string) Option {
	return func(s *Server) { s.issuer = strings.TrimRight(issuer, "/") }
}

// WithRealClock runs the clock on real time (plus what Advance adds)
// instead of frozen at Epoch.
func WithRealClock() Option {
	return func(s *Server) { s.clock.Real = time.Now }
}

// WithClockAt freezes the clock at t instead of Epoch.
func WithClockAt(t time.Time) Option {
	return func(s *Server) { s.clock.Start = t.UTC() }
}

// WithLogger logs each request at debug level and problems at warn level.
// Default: silent.
func WithLogger(l *slog.Logger) Option {
	return func(s *Server) { s.logger = l }
}

// WithTemplates serves the factory's templates from src instead of the six
// built-ins alone (e.g. template.Combine(template.Builtins(), pluginHost)).
func WithTemplates(src template.Source) Option {
	return func(s *Server) { s.templates = src }
}

// WithRequestValidation checks every request a client sends to the
// platform API against api/openapi.yaml, as stripe-mock does: one the
// contract does not allow (a missing required field, a value out of its
// range, an unknown query parameter's wrong type, …) is answered 400
// invalid_argument naming the field and the rule, and journaled with its
// violation. The checks run after the server's own (401, 403, 404, the
// body's own 400s). The /_mock/ controls are not checked.
func WithRequestValidation() Option {
	return func(s *Server) {
		c, err := apicontract.Load()
		if err != nil {
			panic("mockserver: the embedded contract does not load: " + err.Error()) // a build defect
		}
		s.contract = c
	}
}

// WithMiddleware wraps the handler that Start and Transport serve with mw
// (the outermost last), e.g. to validate traffic against the OpenAPI
// contract in tests. ServeHTTP itself is never wrapped.
func WithMiddleware(mw func(http.Handler) http.Handler) Option {
	return func(s *Server) { s.middleware = append(s.middleware, mw) }
}

// Handler is the server wrapped in its middleware (see WithMiddleware).
func (s *Server) Handler() http.Handler {
	var h http.Handler = s
	for _, mw := range s.middleware {
		h = mw(h)
	}
	return h
}

// New builds a server with the default seed data (none with
// WithEmptyStart) and the WithSeed seeds; SeedErr reports a refused seed.
func New(opts ...Option) *Server {
	s := &Server{
		clock:  &core.Clock{Start: core.Epoch()},
		logger: slog.New(slog.DiscardHandler),
		issuer: DefaultIssuer,
	}
	s.faults = newFaults()
	s.limits = DefaultLimits()
	s.opts = slices.Clip(opts)
	s.sandboxes.now = time.Now
	for _, o := range opts {
		o(s)
	}
	s.idem = httpapi.NewIdempotency(s.clock, s.limits.IdempotencyKeys)
	s.auth = authority.New(s.clock, s.issuer, s.limits.Sessions)
	s.journal = newJournal(s.limits)
	s.events.size = s.limits.Events
	s.debug = s.logger.Enabled(context.Background(), slog.LevelDebug)
	if s.templates == nil {
		s.templates = template.Builtins()
	}
	sum := sha256.Sum256([]byte(core.RandomID("")))
	s.reqPfx = "req-" + strings.ToLower(strconv.FormatUint(uint64(sum[0])<<8|uint64(sum[1]), 36)) + "-"
	s.env = &area.Env{World: s.world, Templates: s.templateSource()}
	s.seed()
	s.routes()
	s.faults.check = s.faultRoute
	s.addStartFaults()
	return s
}

// seed (re)builds every store from the start's seed data (seeding.go).
func (s *Server) seed() { s.start() }

// Reset puts seed data, clock offset, sessions and users back to the start,
// atomically: a request in flight finishes before it, and one that comes
// during it waits and sees only the new state.
func (s *Server) Reset() {
	s.tx.Lock()
	defer s.tx.Unlock()
	s.reset()
}

// reset is Reset in an exclusive transaction.
func (s *Server) reset() {
	defer s.changed()
	defer s.resets.Add(1)
	s.clock.Reset()
	s.auth.Reset()
	s.idem.Reset()
	s.faults.clear()
	s.addStartFaults()
	s.journal.clear()
	s.seed()
	// The events told of the state before are no longer true: every
	// stream gets a reset.
	h := &s.events
	h.mu.Lock()
	h.forget()
	h.mu.Unlock()
}

// Now is the server's clock.
func (s *Server) Now() time.Time { return s.clock.Now() }

// Advance moves the server's clock forward by d; state moves with it, and
// event streams are told of the changes it brings. The clock never moves
// back: a negative d leaves it where it is (TestServer.Advance fails the
// test then).
func (s *Server) Advance(d time.Duration) time.Time {
	s.tx.Lock()
	defer s.tx.Unlock()
	defer s.changed()
	return s.advance(d)
}

// Issuer is the issuer (iss) of the server's tokens.
func (s *Server) Issuer() string { return s.auth.Issuer() }

// Token mints an access token for email (a known user, or a new one) with
// role ("viewer", "operator" or "admin"; "" for the user's own role) living
// ttl on the server's clock (0 for 15 minutes).
func (s *Server) Token(email, role string, ttl time.Duration) (string, error) {
	u := s.auth.User(email)
	if role == "" {
		role = u.Role
	}
	if _, ok := core.ParseRole(role); !ok {
		return "", core.Invalid("unknown role %q: want viewer, operator or admin", role)
	}
	if ttl <= 0 {
		ttl = authority.AccessTokenTTL
	}
	tok, _, err := s.auth.Mint(u, role, ttl, authority.Audience)
	return tok, err
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if sb, id, rest, ok := s.sandboxFor(r); ok {
		s.serveSandbox(w, r, sb, id, rest)
		return
	}
	rid := r.Header.Get("X-Request-Id")
	if !validRequestID(rid) {
		rid = s.reqPfx + strconv.FormatUint(s.reqSeq.Add(1), 10)
	}
	w.Header().Set("X-Request-Id", rid)

	if s.debug {
		lw := &statusWriter{ResponseWriter: w}
		start := time.Now()
		defer func() {
			// Never the Authorization header: tokens stay out of logs.
			s.logger.Debug("mockserver: request", "method", r.Method, "path", r.URL.Path,
				"status", lw.status, "request_id", rid, "duration", time.Since(start))
		}()
		w = lw
	}
	// rec is what the journal learns of the request on its way.
	var rec journalRecord
	if journaled(r.URL) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() { s.journal.add(s.journalEntry(r, rid, sw, &rec)) }()
		w = sw
		if id, f, ok := s.faults.fire(r.Method, r.URL.Path); ok {
			rec.fault = id
			if f.apply(w, r, rid, &s.router) {
				return
			}
		}
	}

	rt, params, allowed, perr := s.router.Match(r.Method, r.URL)
	switch {
	case perr != nil:
		httpapi.WriteError(w, rid, perr)
		return
	case rt == nil && len(allowed) > 0:
		e := core.Errorf(http.StatusMethodNotAllowed, "method_not_allowed",
			"%s is not allowed on %s: use %s", r.Method, r.URL.Path, strings.Join(allowed, ", "))
		e.Header = http.Header{"Allow": {strings.Join(allowed, ", ")}}
		httpapi.WriteError(w, rid, e)
		return
	case rt == nil:
		httpapi.WriteError(w, rid, core.NotFound("no route %s %s; nearest: %s", r.Method, r.URL.Path,
			strings.Join(s.router.Nearest(r.URL.Path), ", ")))
		return
	}
	switch {
	case rt.Stream:
		rt.Raw(w, r) // holds no transaction: it takes one per look (events.go)
		return
	case rt.Raw != nil:
		s.transact(rt, func(time.Time) httpapi.Answer { rt.Raw(w, r); return httpapi.Answer{} })
		return
	}
	// The body is read before the transaction (a slow sender holds no
	// state); its errors are answered in their turn, after 401, 403, 404.
	var body []byte
	var bodyErr *core.Error
	if r.Method != http.MethodGet && r.Method != http.MethodHead { // a GET's body is ignored
		body, bodyErr = httpapi.ReadBody(r)
		rec.body = body
	}
	a := s.transact(rt, func(now time.Time) httpapi.Answer { return s.answer(r, rt, params, rid, now, body, bodyErr) })
	rec.who, rec.violation = a.Who, a.Violation
	if a.JournalBody != nil {
		rec.body = a.JournalBody
	}
	httpapi.WriteAnswer(w, a.Status, a.Header, a.Body)
}

// transact runs fn as one transaction: the state it sees is one
// generation, which a Reset, Seed or Advance (exclusive) never splits.
// Every request that reads or changes state runs in one, and it starts by
// telling of the changes the clock brought since (settle): fn gets the
// time it settled to, the request's time, so that what it reads is settled
// already.
func (s *Server) transact(rt *httpapi.Route, fn func(now time.Time) httpapi.Answer) httpapi.Answer {
	if rt.Exclusive {
		s.tx.Lock()
		defer s.tx.Unlock()
	} else {
		s.tx.RLock()
		defer s.tx.RUnlock()
	}
	now := s.clock.Now()
	s.settleAt(now)
	return fn(now)
}

// answer checks and serves a matched request in its transaction: the
// checks run 401, 403, 404, then 400s, then the handler.
func (s *Server) answer(r *http.Request, rt *httpapi.Route, params map[string]string, rid string, now time.Time, body []byte, bodyErr *core.Error) httpapi.Answer {
	rc := &httpapi.Request{R: r, Params: params, ID: rid, Now: now, Body: body}
	if rt.Role != core.RolePublic {
		p, e := s.auth.Authenticate(r)
		if e != nil {
			return httpapi.ErrAnswer(rid, e)
		}
		if p.Role < rt.Role {
			return httpapi.ErrAnswer(rid, core.Errorf(http.StatusForbidden, "permission_denied",
				"%s %s needs the %s role; you are %s", r.Method, rt.Pattern, rt.Role, p.Role))
		}
		rc.Who = p
	}
	a := s.checked(rc, rt, params, rid, bodyErr)
	a.Who, a.JournalBody = rc.Who, rc.JournalBody
	return a
}

// checked is answer once the caller is known.
func (s *Server) checked(rc *httpapi.Request, rt *httpapi.Route, params map[string]string, rid string, bodyErr *core.Error) httpapi.Answer {
	r := rc.R
	for name, v := range params {
		if !core.ValidPathID(v) {
			return httpapi.ErrAnswer(rid, core.InvalidField("path."+name, "is not a valid id: use letters, digits and . _ : @ - (at most 128)"))
		}
	}
	// The /_mock/ controls act every time they are called: no replays.
	key := r.Header.Get("Idempotency-Key")
	keyed := key != "" && isMutation(r.Method) && !strings.HasPrefix(r.URL.Path, "/_mock/")
	if keyed {
		if e := httpapi.CheckIdempotencyKey(key, s.limits.IdempotencyKeyBytes); e != nil {
			return httpapi.ErrAnswer(rid, e)
		}
	}
	// A finished request replays even if its resource is gone since (a
	// retried DELETE must not turn into a 404).
	if keyed && bodyErr == nil {
		if a, ok := s.idem.Replay(rc, rt, key); ok {
			return a
		}
	}
	if rt.Lookup != nil {
		if e := rt.Lookup(rc); e != nil {
			return httpapi.ErrAnswer(rid, e)
		}
	}
	if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
		return httpapi.ErrAnswer(rid, core.Invalid("malformed query string: %v", err))
	}
	if bodyErr != nil {
		return httpapi.ErrAnswer(rid, bodyErr)
	}
	if s.contract != nil && !strings.HasPrefix(r.URL.Path, "/_mock/") {
		if v := s.contract.CheckRequest(r, rc.Body); v != nil {
			a := httpapi.ErrAnswer(rid, core.InvalidField(v.Field, "does not match api/openapi.yaml: "+v.Issue))
			a.Violation = v.Error()
			return a
		}
	}
	switch {
	case r.Method != http.MethodGet && r.Method != http.MethodHead && strings.HasPrefix(r.URL.Path, "/_mock/"):
		// A control changes what the World does not tell of (a seed's
		// customers and dead letters, the clock): a read after it is fresh.
		// The platform's own changes move the generation as the World
		// tells of them (publish).
		defer s.changed()
	case rt.Cached && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		return s.cached(rc, rt)
	}
	if keyed {
		return s.idem.Serve(rc, rt, key, func() (int, http.Header, []byte) { return s.run(rc, rt) })
	}
	status, hdr, out := s.run(rc, rt)
	return httpapi.Answer{Status: status, Header: hdr, Body: out}
}

// run calls the route's handler and encodes its answer.
func (s *Server) run(rc *httpapi.Request, rt *httpapi.Route) (status int, hdr http.Header, body []byte) {
	defer func() {
		// A handler bug must not take the server down or leave a key in flight.
		if p := recover(); p != nil {
			s.logger.Error("mockserver: handler panicked", "route", rt.Pattern, "panic", p)
			e := core.Errorf(http.StatusInternalServerError, "internal", "the mock server failed on %s %s: %v", rt.Method, rt.Pattern, p)
			status, hdr, body = e.Status, nil, httpapi.EncodeError(rc.ID, e)
		}
	}()
	status, v, e := rt.Handle(rc)
	if e != nil {
		for k, vs := range e.Header {
			if rc.Header == nil {
				rc.Header = http.Header{}
			}
			rc.Header[k] = vs
		}
		return e.Status, rc.Header, httpapi.EncodeError(rc.ID, e)
	}
	if v == nil {
		return status, rc.Header, nil
	}
	b, err := httpapi.EncodeChecked(v)
	if err != nil {
		e := core.Errorf(http.StatusInternalServerError, "internal", "encoding the answer of %s %s: %v", rt.Method, rt.Pattern, err)
		return e.Status, nil, httpapi.EncodeError(rc.ID, e)
	}
	return status, rc.Header, append(b, '\n')
}

func isMutation(method string) bool {
	return method == http.MethodPost || method == http.MethodPatch || method == http.MethodDelete
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// Authority is the server's sign-in: keys, sessions, users and OAuth.
func (s *Server) Authority() *authority.Authority { return s.auth }

// world is the current state.
func (s *Server) world() *core.World { return s.state.Load() }

// templateSource is where the factory's templates come from (WithTemplates;
// the built-ins by default).
func (s *Server) templateSource() template.Source {
	if s.templates == nil {
		// New sets the default; this keeps a zero Server from panicking.
		return template.Builtins()
	}
	return s.templates
}
