package mockserver

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/waooaw/waooaw-go/factory/template"
)

// DefaultIssuer is the issuer of tokens when none is set (WithIssuer); Start
// and cmd/waooaw-mock set it to the server's URL.
const DefaultIssuer = "http://waooaw-mock.local"

// Server is the mock platform. It is an http.Handler; its state lives in
// memory and each Server is independent of every other.
type Server struct {
	clock       *clock
	auth        *authority
	router      router
	logger      *slog.Logger
	idem        *idempotency
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

	state atomic.Pointer[stores]

	events eventHub // the event stream's log and streams (events.go)
}

// Option configures a Server.
type Option func(*Server)

// WithIssuer sets the tokens' issuer (iss), normally the server's base URL.
func WithIssuer(issuer string) Option {
	return func(s *Server) { s.auth.issuer = strings.TrimRight(issuer, "/") }
}

// WithRealClock runs the clock on real time (plus what Advance adds)
// instead of frozen at Epoch.
func WithRealClock() Option {
	return func(s *Server) { s.clock.real = time.Now }
}

// WithClockAt freezes the clock at t instead of Epoch.
func WithClockAt(t time.Time) Option {
	return func(s *Server) { s.clock.start = t.UTC() }
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
		clock:  &clock{start: Epoch()},
		logger: slog.New(slog.DiscardHandler),
	}
	s.auth = newAuthority(s.clock, DefaultIssuer)
	s.idem = newIdempotency(s.clock)
	s.faults = newFaults()
	s.journal = newJournal()
	for _, o := range opts {
		o(s)
	}
	s.debug = s.logger.Enabled(context.Background(), slog.LevelDebug)
	if s.templates == nil {
		s.templates = template.Builtins()
	}
	sum := sha256.Sum256([]byte(randomID("")))
	s.reqPfx = "req-" + strings.ToLower(strconv.FormatUint(uint64(sum[0])<<8|uint64(sum[1]), 36)) + "-"
	s.addStartFaults()
	s.seed()
	s.routes()
	return s
}

// seed (re)builds every store from the start's seed data (seeding.go).
func (s *Server) seed() { s.start() }

// Reset puts seed data, clock offset, sessions and users back to the start.
func (s *Server) Reset() {
	s.clock.reset()
	s.auth.reset()
	s.idem.reset()
	s.faults.clear()
	s.addStartFaults()
	s.journal.clear()
	s.seed()
	s.observe() // event streams learn of the reset
}

// Now is the server's clock.
func (s *Server) Now() time.Time { return s.clock.Now() }

// Advance moves the server's clock forward by d; state moves with it, and
// event streams are told of the changes it brings.
func (s *Server) Advance(d time.Duration) time.Time { return s.advance(d) }

// Issuer is the issuer (iss) of the server's tokens.
func (s *Server) Issuer() string { return s.auth.issuer }

// Token mints an access token for email (a known user, or a new one) with
// role ("viewer", "operator" or "admin"; "" for the user's own role) living
// ttl on the server's clock (0 for 15 minutes).
func (s *Server) Token(email, role string, ttl time.Duration) (string, error) {
	u := s.auth.user(email)
	if role == "" {
		role = u.Role
	}
	if _, ok := parseRole(role); !ok {
		return "", invalid("unknown role %q: want viewer, operator or admin", role)
	}
	if ttl <= 0 {
		ttl = AccessTokenTTL
	}
	tok, _, err := s.auth.mint(u, role, ttl, Audience, s.auth.newSession(u.Sub))
	return tok, err
}

// reqCtx is one request on its way through the server.
type reqCtx struct {
	s      *Server
	r      *http.Request
	params map[string]string
	id     string
	who    *principal
	body   []byte
	header http.Header // headers the handler adds to its answer
	now    time.Time
}

func (rc *reqCtx) param(name string) string { return rc.params[name] }

// decode decodes the required JSON body into v (strict).
func (rc *reqCtx) decode(v any) *apiError {
	if len(rc.body) == 0 {
		return invalid("a JSON body is required")
	}
	return decodeStrict(rc.body, v)
}

// decodeOptional decodes the body into v when there is one.
func (rc *reqCtx) decodeOptional(v any) *apiError {
	if len(rc.body) == 0 {
		return nil
	}
	return decodeStrict(rc.body, v)
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	if journaled(r.URL) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			status := sw.status // 0 when a fault dropped the connection
			s.journal.add(JournalEntry{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
				Status: status, IdempotencyKey: r.Header.Get("Idempotency-Key"), RequestID: rid, At: s.clock.Now()})
		}()
		w = sw
		if f, ok := s.faults.fire(r.Method, r.URL.Path); ok && f.apply(w, r, rid, &s.router) {
			return
		}
	}

	rt, params, allowed, perr := s.router.match(r.Method, r.URL)
	switch {
	case perr != nil:
		writeError(w, rid, perr)
		return
	case rt == nil && len(allowed) > 0:
		e := errf(http.StatusMethodNotAllowed, "method_not_allowed",
			"%s is not allowed on %s: use %s", r.Method, r.URL.Path, strings.Join(allowed, ", "))
		e.header = http.Header{"Allow": {strings.Join(allowed, ", ")}}
		writeError(w, rid, e)
		return
	case rt == nil:
		writeError(w, rid, notFound("no route %s %s; nearest: %s", r.Method, r.URL.Path,
			strings.Join(s.router.nearest(r.URL.Path), ", ")))
		return
	}
	if rt.raw != nil {
		rt.raw(w, r)
		return
	}
	rc := &reqCtx{s: s, r: r, params: params, id: rid, now: s.clock.Now()}
	if rt.role != rolePublic {
		p, e := s.auth.authenticate(r)
		if e != nil {
			writeError(w, rid, e)
			return
		}
		if p.role < rt.role {
			writeError(w, rid, errf(http.StatusForbidden, "permission_denied",
				"%s %s needs the %s role; you are %s", r.Method, rt.pattern, rt.role, p.role))
			return
		}
		rc.who = p
	}
	for name, v := range params {
		if !validPathID(v) {
			writeError(w, rid, invalidField("path."+name, "is not a valid id: use letters, digits and . _ : @ - (at most 128)"))
			return
		}
	}
	var bodyErr *apiError
	if r.Method != http.MethodGet && r.Method != http.MethodHead { // a GET's body is ignored
		rc.body, bodyErr = readBody(r)
	}
	// The /_mock/ controls act every time they are called: no replays.
	key := r.Header.Get("Idempotency-Key")
	keyed := key != "" && isMutation(r.Method) && !strings.HasPrefix(r.URL.Path, "/_mock/")
	// A finished request replays even if its resource is gone since (a
	// retried DELETE must not turn into a 404).
	if keyed && bodyErr == nil && s.idem.replay(w, rc, rt, key) {
		return
	}
	if rt.lookup != nil {
		if e := rt.lookup(rc); e != nil {
			writeError(w, rid, e)
			return
		}
	}
	if _, err := url.ParseQuery(r.URL.RawQuery); err != nil {
		writeError(w, rid, invalid("malformed query string: %v", err))
		return
	}
	if bodyErr != nil {
		writeError(w, rid, bodyErr)
		return
	}
	if keyed {
		s.idem.serve(w, rc, rt, key)
		return
	}
	status, hdr, out := s.run(rc, rt)
	writeAnswer(w, status, hdr, out)
}

// run calls the route's handler and encodes its answer.
func (s *Server) run(rc *reqCtx, rt *route) (status int, hdr http.Header, body []byte) {
	defer func() {
		// A handler bug must not take the server down or leave a key in flight.
		if p := recover(); p != nil {
			s.logger.Error("mockserver: handler panicked", "route", rt.pattern, "panic", p)
			e := errf(http.StatusInternalServerError, "internal", "the mock server failed on %s %s: %v", rt.method, rt.pattern, p)
			status, hdr, body = e.status, nil, encodeError(rc.id, e)
		}
	}()
	status, v, e := rt.handle(rc)
	if e != nil {
		for k, vs := range e.header {
			if rc.header == nil {
				rc.header = http.Header{}
			}
			rc.header[k] = vs
		}
		return e.status, rc.header, encodeError(rc.id, e)
	}
	if v == nil {
		return status, rc.header, nil
	}
	b, err := encodeChecked(v)
	if err != nil {
		e := errf(http.StatusInternalServerError, "internal", "encoding the answer of %s %s: %v", rt.method, rt.pattern, err)
		return e.status, nil, encodeError(rc.id, e)
	}
	return status, rc.header, append(b, '\n')
}

func isMutation(method string) bool {
	return method == http.MethodPost || method == http.MethodPatch || method == http.MethodDelete
}

// validPathID reports whether v can be an id in a path. Ids never hold
// slashes, spaces or dot segments.
func validPathID(v string) bool {
	if v == "" || len(v) > 128 || v == "." || v == ".." {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '.' || c == '_' || c == ':' || c == '@' || c == '-') {
			return false
		}
	}
	return true
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
