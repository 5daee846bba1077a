package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/mockserver/internal/authority"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/platform"
)

// Clock is the server's clock, for clients that read it (platform.WithClock).
func (s *Server) Clock() *core.Clock { return s.clock }

// EndStreams ends every event stream for good, for a server going away
// (TestServer's cleanup): reconnecting clients get 204.
func (s *Server) EndStreams() { s.endStreams() }

// NewClient returns a *platform.Client signed in as email (a demo user such
// as OperatorEmail, or any address) whose requests the server serves
// in-process, with no listener: for examples, tools and benchmarks outside
// a test (in a test, Start(t).Client is the same over loopback). The client
// reads the server's clock; opts are applied after these defaults.
func (s *Server) NewClient(email string, opts ...platform.Option) (*platform.Client, error) {
	return platform.New(append(s.ClientOptions(email), opts...)...)
}

// ClientOptions are the options of NewClient, for building a client
// yourself, e.g. the SDK's root client served in-process:
//
//	c, err := waooaw.New(srv.ClientOptions(mockserver.OperatorEmail)...)
func (s *Server) ClientOptions(email string) []platform.Option {
	return []platform.Option{
		platform.WithBaseURL(s.auth.Issuer()),
		platform.WithHTTPClient(&http.Client{Transport: s.Transport()}),
		platform.WithTokenSource(s.TokenSource(email)),
		platform.WithClock(s.clock),
		platform.WithoutEnvironment(),
	}
}

// TokenSource returns a token source signed in as email with the user's
// role. It mints a new token when the server's clock has passed the last
// one's expiry, and on Invalidate.
func (s *Server) TokenSource(email string) oauth2.TokenSource {
	return &userTokens{s: s, email: email}
}

type userTokens struct {
	s      *Server
	email  string
	mu     sync.Mutex
	tok    *oauth2.Token
	resets uint64 // the server's Reset count when tok was minted
}

func (u *userTokens) Token() (*oauth2.Token, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	resets := u.s.resets.Load()
	// A Reset ends every session: a token from before it would only earn
	// a 401 (and a journal entry) before the client asked for a new one.
	if u.tok != nil && u.resets == resets && u.s.clock.Now().Add(time.Minute).Before(u.tok.Expiry) {
		return u.tok, nil
	}
	u.resets = resets
	user := u.s.auth.User(u.email)
	tok, exp, err := u.s.auth.Mint(user, user.Role, authority.AccessTokenTTL, authority.Audience)
	if err != nil {
		return nil, err
	}
	u.tok = &oauth2.Token{AccessToken: tok, TokenType: "Bearer", Expiry: exp}
	return u.tok, nil
}

// Invalidate drops the cached token.
func (u *userTokens) Invalidate() {
	u.mu.Lock()
	u.tok = nil
	u.mu.Unlock()
}

// Responder serves a request in-process. Its type fits
// github.com/jarcoal/httpmock's Responder, so code already tested with
// httpmock can put the whole mock platform behind it:
//
//	httpmock.RegisterNoResponder(srv.Responder())
func (s *Server) Responder() func(*http.Request) (*http.Response, error) {
	return inProcess{s}.RoundTrip
}

// Transport serves requests in-process, with no listener: give it to an
// http.Client (or platform.WithHTTPClient) for tests that want no socket.
func (s *Server) Transport() http.RoundTripper { return inProcess{s} }

type inProcess struct{ s *Server }

// RoundTrip serves req. A fault that drops the connection becomes an error,
// as it would over a socket.
func (t inProcess) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	defer func() {
		if p := recover(); p != nil {
			if p != http.ErrAbortHandler {
				panic(p)
			}
			if cerr := req.Context().Err(); cerr != nil {
				resp, err = nil, cerr // the caller gave up (a latency fault saw it)
				return
			}
			resp, err = nil, fmt.Errorf("mockserver: %s %s: connection dropped by a fault", req.Method, req.URL.Path)
		}
	}()
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	if isEventStream(req) {
		return t.streamInProcess(req) // events.go
	}
	rec := httptest.NewRecorder()
	// The handler sees the caller's context (a latency fault ends with it),
	// and a caller who gave up gets its context's error, as over a socket.
	r := req.Clone(req.Context())
	if r.Body == nil {
		r.Body = http.NoBody
	}
	r.RequestURI = req.URL.RequestURI()
	r.RemoteAddr = "127.0.0.1:0"
	t.s.Handler().ServeHTTP(rec, r)
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	resp = rec.Result()
	resp.Request = req
	return resp, nil
}
