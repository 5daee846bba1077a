package mockserver

import (
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/mockserver/internal/server"
	"github.com/waooaw/waooaw-go/platform"
)

// Server is the mock platform. It is an http.Handler; its state lives in
// memory and each Server is independent of every other.
type Server struct {
	e    *server.Server
	opts []server.Option // what the Options asked for, until New builds e
}

// Option configures a Server.
type Option func(*Server)

// option is an Option of the server inside.
func option(o server.Option) Option {
	return func(s *Server) { s.opts = append(s.opts, o) }
}

// New builds a server with the default seed data (none with
// WithEmptyStart) and the WithSeed seeds; SeedErr reports a refused seed.
func New(opts ...Option) *Server {
	s := &Server{}
	for _, o := range opts {
		o(s)
	}
	s.e, s.opts = server.New(s.opts...), nil
	return s
}

// WithIssuer sets the tokens' issuer (iss), normally the server's base URL.
func WithIssuer(issuer string) Option { return option(server.WithIssuer(issuer)) }

// WithRealClock runs the clock on real time (plus what Advance adds)
// instead of frozen at Epoch.
func WithRealClock() Option { return option(server.WithRealClock()) }

// WithClockAt freezes the clock at t instead of Epoch.
func WithClockAt(t time.Time) Option { return option(server.WithClockAt(t)) }

// WithLogger logs each request at debug level and problems at warn level.
// Default: silent.
func WithLogger(l *slog.Logger) Option { return option(server.WithLogger(l)) }

// WithTemplates serves the factory's templates from src instead of the six
// built-ins alone (e.g. template.Combine(template.Builtins(), pluginHost)).
func WithTemplates(src template.Source) Option { return option(server.WithTemplates(src)) }

// WithRequestValidation checks every request a client sends to the
// platform API against api/openapi.yaml, as stripe-mock does: one the
// contract does not allow (a missing required field, a value out of its
// range, an unknown query parameter's wrong type, …) is answered 400
// invalid_argument naming the field and the rule, and journaled with its
// violation. The checks run after the server's own (401, 403, 404, the
// body's own 400s). The /_mock/ controls are not checked.
func WithRequestValidation() Option { return option(server.WithRequestValidation()) }

// WithMiddleware wraps the handler that Start and Transport serve with mw
// (the outermost last), e.g. to validate traffic against the OpenAPI
// contract in tests. ServeHTTP itself is never wrapped.
func WithMiddleware(mw func(http.Handler) http.Handler) Option {
	return option(server.WithMiddleware(mw))
}

// WithHeartbeat sets how often open event streams send a heartbeat comment
// (real time, not the server's clock); 0 or less keeps DefaultHeartbeat.
// Tests of idle watchdogs shorten it.
func WithHeartbeat(d time.Duration) Option { return option(server.WithHeartbeat(d)) }

// WithLimits sets the server's bounds; zero fields keep their defaults.
func WithLimits(l Limits) Option { return option(server.WithLimits(server.Limits(l))) }

// WithFaults registers faults at the start and again after every Reset
// (the -fault flag of cmd/waooaw-mock). An invalid fault is not registered;
// SeedErr says why (Start fails the test).
func WithFaults(fs ...Fault) Option {
	return option(server.WithFaults(convert(fs, func(f Fault) server.Fault { return server.Fault(f) })...))
}

// WithSeed adds seed at the start and again after every Reset, on top of
// the default seed data (or of nothing, with WithEmptyStart). Seeds are
// applied in order, each all or nothing; one that is refused leaves the
// server without it, and SeedErr says why (Start fails the test).
func WithSeed(seed Seed) Option { return option(server.WithSeed(seed.inner())) }

// WithEmptyStart starts the server with no agents, queues, workflows or
// customers: only what WithSeed adds. The demo users stay, so tokens work.
// Reset goes back to this start.
func WithEmptyStart() Option { return option(server.WithEmptyStart()) }

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.e.ServeHTTP(w, r) }

// Handler is the server wrapped in its middleware (see WithMiddleware).
func (s *Server) Handler() http.Handler { return s.e.Handler() }

// Routes lists the server's routes as "METHOD /pattern", for contract tests.
func (s *Server) Routes() []string { return s.e.Routes() }

// Limits returns the server's bounds.
func (s *Server) Limits() Limits { return Limits(s.e.Limits()) }

// Reset puts seed data, clock offset, sessions and users back to the start,
// atomically: a request in flight finishes before it, and one that comes
// during it waits and sees only the new state.
func (s *Server) Reset() { s.e.Reset() }

// Now is the server's clock.
func (s *Server) Now() time.Time { return s.e.Now() }

// Advance moves the server's clock forward by d; state moves with it, and
// event streams are told of the changes it brings. The clock never moves
// back: a negative d leaves it where it is (TestServer.Advance fails the
// test then).
func (s *Server) Advance(d time.Duration) time.Time { return s.e.Advance(d) }

// Seed adds seed to the server, all or nothing, and returns the ids of
// what it added. A refused seed returns a *SeedError listing every
// problem. What Seed adds lasts until Reset, which goes back to the start
// (see WithSeed).
func (s *Server) Seed(seed Seed) (SeedResult, error) {
	r, err := s.e.Seed(seed.inner())
	return SeedResult(r), outerError(err)
}

// SeedErr is why a WithSeed seed or a WithFaults fault was refused when the
// server started or was last reset; nil when all of them were applied.
func (s *Server) SeedErr() error { return outerError(s.e.SeedErr()) }

// CloseStreams ends every open event stream (clients see the connection
// end and reconnect, resuming where they were). When a test ends, Start
// ends the streams for good, and so does http.Server.Shutdown for servers
// that have served a stream: then reconnecting clients get 204, the end.
func (s *Server) CloseStreams() { s.e.CloseStreams() }

// Issuer is the issuer (iss) of the server's tokens.
func (s *Server) Issuer() string { return s.e.Issuer() }

// Token mints an access token for email (a known user, or a new one) with
// role ("viewer", "operator" or "admin"; "" for the user's own role) living
// ttl on the server's clock (0 for 15 minutes).
func (s *Server) Token(email, role string, ttl time.Duration) (string, error) {
	return s.e.Token(email, role, ttl)
}

// AddUser adds (or replaces) a user who can sign in.
func (s *Server) AddUser(email, name, role string) User {
	return User(s.e.Authority().AddUser(email, name, role))
}

// QueueLogin makes the next browser login without a login_hint sign in as
// email (a known user, or a new one).
func (s *Server) QueueLogin(email string) { s.e.Authority().QueueLogin(email) }

// RevokeSession revokes a session (the sid claim): its access and refresh
// tokens stop working at once. It reports whether the session exists.
func (s *Server) RevokeSession(sid string) bool { return s.e.Authority().RevokeSession(sid) }

// RotateKey makes a new key generation current (an Ed25519 and an RSA
// key) and returns the Ed25519 key's id, the kid of new access tokens. The
// old public keys stay published while tokens they signed can live.
func (s *Server) RotateKey() string { return s.e.Authority().RotateKey() }

// SetIDTokenAlg chooses how new ID tokens are signed: "RS256" (the
// default, with the RSA key of the JWKS) or "EdDSA" (with the Ed25519 key,
// as access tokens are). POST /_mock/reset goes back to RS256.
func (s *Server) SetIDTokenAlg(alg string) error { return s.e.Authority().SetIDTokenAlg(alg) }

// RetireKey drops a key generation at once, named by either of its key
// ids: tokens its keys signed are refused from now on. The current one
// cannot be retired; rotate first.
func (s *Server) RetireKey(kid string) error { return s.e.Authority().RetireKey(kid) }

// FailNextOAuth makes the next OAuth step (GET /auth/google or
// POST /auth/token) fail with the RFC 6749 error code and status (0 for
// the code's usual status).
func (s *Server) FailNextOAuth(code string, status int) error {
	return s.e.Authority().FailNextOAuth(code, status)
}

// AddFault registers a fault and returns its id.
func (s *Server) AddFault(f Fault) (string, error) { return s.e.AddFault(server.Fault(f)) }

// ClearFaults removes every fault.
func (s *Server) ClearFaults() { s.e.ClearFaults() }

// Faults lists the registered faults, in the order added, with how often
// each fired.
func (s *Server) Faults() []FaultInfo { return convert(s.e.Faults(), outerFaultInfo) }

// RemoveFault removes the fault with id; it reports whether there was one.
func (s *Server) RemoveFault(id string) bool { return s.e.RemoveFault(id) }

// Journal returns the requests the server answered that match f, oldest
// first (within Limits.JournalEntries and JournalBytes of the last). A
// Body that is not JSON matches nothing.
func (s *Server) Journal(f JournalFilter) []JournalEntry {
	return convert(s.e.Journal(server.JournalFilter(f)), outerEntry)
}

// Calls counts the journaled requests matching method and path ("*" for a
// segment).
func (s *Server) Calls(method, path string) int { return s.e.Calls(method, path) }

// NewClient returns a *platform.Client signed in as email (a demo user such
// as OperatorEmail, or any address) whose requests the server serves
// in-process, with no listener: for examples, tools and benchmarks outside
// a test (in a test, Start(t).Client is the same over loopback). The client
// reads the server's clock; opts are applied after these defaults.
func (s *Server) NewClient(email string, opts ...platform.Option) (*platform.Client, error) {
	return s.e.NewClient(email, opts...)
}

// ClientOptions are the options of NewClient, for building a client
// yourself, e.g. the SDK's root client served in-process:
//
//	c, err := waooaw.New(srv.ClientOptions(mockserver.OperatorEmail)...)
func (s *Server) ClientOptions(email string) []platform.Option { return s.e.ClientOptions(email) }

// TokenSource returns a token source signed in as email with the user's
// role. It mints a new token when the server's clock has passed the last
// one's expiry, and on Invalidate.
func (s *Server) TokenSource(email string) oauth2.TokenSource { return s.e.TokenSource(email) }

// Responder serves a request in-process. Its type fits
// github.com/jarcoal/httpmock's Responder, so code already tested with
// httpmock can put the whole mock platform behind it:
//
//	httpmock.RegisterNoResponder(srv.Responder())
func (s *Server) Responder() func(*http.Request) (*http.Response, error) { return s.e.Responder() }

// Transport serves requests in-process, with no listener: give it to an
// http.Client (or platform.WithHTTPClient) for tests that want no socket.
func (s *Server) Transport() http.RoundTripper { return s.e.Transport() }
