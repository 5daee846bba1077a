package mockserver

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/server"
	"github.com/waooaw/waooaw-go/platform"
)

// TestServer is a Server listening on loopback for one test.
type TestServer struct {
	*Server
	// URL is the server's base URL, e.g. "http://127.0.0.1:41234".
	URL string
	tb  testing.TB
	hs  *httptest.Server
}

// Start starts a seeded server on loopback and closes it when the test ends.
// A WithSeed seed that is refused fails the test.
func Start(tb testing.TB, opts ...Option) *TestServer {
	tb.Helper()
	hs := httptest.NewUnstartedServer(nil)
	hs.Config.DisableGeneralOptionsHandler = true // OPTIONS * gets the platform's answer too
	hs.Start()
	s := New(append([]Option{WithIssuer(hs.URL)}, opts...)...)
	hs.Config.Handler = s.Handler()
	tb.Cleanup(hs.Close)
	tb.Cleanup(s.e.EndStreams) // runs first: open event streams would keep hs.Close waiting
	if err := s.SeedErr(); err != nil {
		tb.Fatalf("mockserver: %v", err)
	}
	return &TestServer{Server: s, URL: hs.URL, tb: tb, hs: hs}
}

// Advance moves the server's clock forward by d, as Server.Advance does. A
// negative d fails the test (the clock never moves back; over HTTP it is a
// 400) and leaves the clock where it is.
func (ts *TestServer) Advance(d time.Duration) time.Time {
	if d < 0 {
		ts.tb.Helper() // only here: Advance may run where tb is a fuzz target's *testing.F
		ts.tb.Errorf("mockserver: Advance(%v): the clock never moves back", d)
		return ts.Now()
	}
	return ts.Server.Advance(d)
}

// HTTPClient is an *http.Client for the server's listener.
func (ts *TestServer) HTTPClient() *http.Client { return ts.hs.Client() }

// Client returns a *platform.Client signed in as the user with email (a
// demo user such as OperatorEmail, or any address: unknown users are
// created with a role for their domain). Tokens are renewed as the server's
// clock moves. opts are applied after the defaults (base URL, token source,
// no environment, short backoff).
func (ts *TestServer) Client(email string, opts ...platform.Option) *platform.Client {
	ts.tb.Helper()
	pc, err := platform.New(append(ts.ClientOptions(email), opts...)...)
	if err != nil {
		ts.tb.Fatalf("mockserver: building a client: %v", err)
	}
	return pc
}

// ClientOptions are the options of Client, for building a client yourself,
// e.g. the SDK's root client:
//
//	c, err := waooaw.New(ts.ClientOptions(mockserver.OperatorEmail)...)
func (ts *TestServer) ClientOptions(email string) []platform.Option {
	return []platform.Option{
		platform.WithBaseURL(ts.URL),
		platform.WithHTTPClient(ts.hs.Client()),
		platform.WithTokenSource(ts.TokenSource(email)),
		platform.WithoutEnvironment(),
		platform.WithBackoff(time.Millisecond, 10*time.Millisecond),
		platform.WithRetryAfterCap(10 * time.Millisecond),
		platform.WithClock(ts.e.Clock()),
	}
}

// AssertCalls fails the test (Errorf) unless exactly n journaled requests
// match f, and returns those that do. The failure says what did come:
// the requests that match all of f but its Body, each with a diff of its
// body against f.Body (- want, + got, only the keys f.Body names), or
// when there are none the last requests the server answered.
//
//	ts.AssertCalls(mockserver.JournalFilter{
//		Method: "POST", Path: "/api/platform/factory/agents",
//		Body:   map[string]any{"template_id": "tmpl-memory"},
//	}, 1)
func (ts *TestServer) AssertCalls(f JournalFilter, n int) []JournalEntry {
	ts.tb.Helper()
	got, problem := ts.e.CheckCalls(server.JournalFilter(f), n)
	if problem != "" {
		ts.tb.Errorf("%s", problem)
	}
	return convert(got, outerEntry)
}
