// Package sdktest is the go-github style test setup of the area clients
// (helpdesk, workflows, servicing, factory, queues): a platform client whose
// requests reach an http.ServeMux in memory, and the small assertions the
// handlers make about the requests they see.
//
// The client's base URL has a non-empty path, BaseURLPath, and only requests
// below it reach the mux: a method that builds an absolute path instead of
// one relative to the base URL reaches a catch-all handler that fails the
// test (go-github's trick). The transport is an httpmock one, with no socket,
// so the setup is safe inside a testing/synctest bubble.
//
// Only tests import this package.
package sdktest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"
	"golang.org/x/oauth2"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

const (
	// Host is the host of the in-memory API.
	Host = "https://api.waooaw.test"
	// BaseURLPath is the path of the client's base URL; requests outside it
	// fail the test.
	BaseURLPath = "/api-base"
	// Token is the access token Setup's client sends.
	Token = "sdktest-token"
)

// Setup returns a platform client whose requests reach mux in memory. The
// client reads no environment, has the static token Token and does not
// retry, so each call is one request; opts come last and override all that.
func Setup(t testing.TB, opts ...platform.Option) (*platform.Client, *http.ServeMux) {
	t.Helper()
	pc, mux, _ := SetupTransport(t, opts...)
	return pc, mux
}

// SetupTransport is Setup that also returns the transport, for call counts.
func SetupTransport(t testing.TB, opts ...platform.Option) (*platform.Client, *http.ServeMux, *httpmock.MockTransport) {
	t.Helper()
	mux := http.NewServeMux()
	api := http.NewServeMux()
	api.Handle(BaseURLPath+"/", http.StripPrefix(BaseURLPath, mux))
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request %s %s is outside the base URL path %q", r.Method, r.URL, BaseURLPath)
		http.Error(w, "outside the base URL path", http.StatusBadRequest)
	})
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		return rec.Result(), nil
	})
	pc, err := platform.New(append([]platform.Option{
		platform.WithBaseURL(Host + BaseURLPath),
		platform.WithHTTPClient(&http.Client{Transport: mt}),
		platform.WithoutEnvironment(),
		platform.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: Token})),
		platform.WithRetries(0),
	}, opts...)...)
	if err != nil {
		t.Fatalf("platform.New: %v", err)
	}
	return pc, mux, mt
}

// MockClient is a platform client signed in as email on srv, in memory,
// that waits at most a millisecond between attempts; opts come last.
func MockClient(t testing.TB, srv *mockserver.Server, email string, opts ...platform.Option) *platform.Client {
	t.Helper()
	pc, err := platform.New(append([]platform.Option{
		platform.WithBaseURL("http://waooaw-mock.local"),
		platform.WithHTTPClient(&http.Client{Transport: srv.Transport()}),
		platform.WithTokenSource(srv.TokenSource(email)),
		platform.WithoutEnvironment(),
		platform.WithBackoff(time.Microsecond, time.Millisecond),
	}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return pc
}

// Counter counts the requests a handler saw; its zero value is ready.
type Counter struct {
	mu sync.Mutex
	n  int
}

// Add counts one request and returns the count so far.
func (c *Counter) Add() int { c.mu.Lock(); defer c.mu.Unlock(); c.n++; return c.n }

// Get returns the count.
func (c *Counter) Get() int { c.mu.Lock(); defer c.mu.Unlock(); return c.n }

// TestMethod checks a request's method.
func TestMethod(t testing.TB, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("method = %s, want %s", r.Method, want)
	}
}

// TestQuery checks a request's whole query; nil wants none.
func TestQuery(t testing.TB, r *http.Request, want url.Values) {
	t.Helper()
	if want == nil {
		want = url.Values{}
	}
	if diff := cmp.Diff(want, r.URL.Query()); diff != "" {
		t.Errorf("query (-want +got):\n%s", diff)
	}
}

// TestHeader checks one request header.
func TestHeader(t testing.TB, r *http.Request, name, want string) {
	t.Helper()
	if got := r.Header.Get(name); got != want {
		t.Errorf("%s = %q, want %q", name, got, want)
	}
}

// TestAuth checks that a request carries Setup's token.
func TestAuth(t testing.TB, r *http.Request) {
	t.Helper()
	TestHeader(t, r, "Authorization", "Bearer "+Token)
}

// TestRequest checks a request's method, Setup's token, that it accepts
// JSON, and its whole query (nil wants none).
func TestRequest(t testing.TB, r *http.Request, method string, query url.Values) {
	t.Helper()
	TestMethod(t, r, method)
	TestAuth(t, r)
	TestHeader(t, r, "Accept", "application/json")
	TestQuery(t, r, query)
}

// TestBody checks a request's body byte for byte ("" wants none).
func TestBody(t testing.TB, r *http.Request, want string) {
	t.Helper()
	if r.Body == nil {
		r.Body = http.NoBody
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != want {
		t.Errorf("body = %q, want %q", b, want)
	}
}

// TestJSONBody checks a request's body as JSON, whatever its spacing and key
// order, and its JSON Content-Type; want "" wants no body.
func TestJSONBody(t testing.TB, r *http.Request, want string) {
	t.Helper()
	var got []byte
	if r.Body != nil {
		got, _ = io.ReadAll(r.Body)
	}
	if want == "" {
		if len(got) != 0 {
			t.Errorf("body %s, want none", got)
		}
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want body is not JSON: %v: %s", err, want)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

// WriteJSON answers with status and a JSON body.
func WriteJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}
