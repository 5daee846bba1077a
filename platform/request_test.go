package platform_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/platform"
)

func TestPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		ids     []string
		want    string
	}{
		{"/api/platform/agents/{}", []string{"a/b c"}, "/api/platform/agents/a%2Fb%20c"},
		{"/api/platform/agents/{}/restart", []string{"wow-memory"}, "/api/platform/agents/wow-memory/restart"},
		{"/api/platform/queues/{}/dlq/{}", []string{"agent-tasks", "m?1#x"}, "/api/platform/queues/agent-tasks/dlq/m%3F1%23x"},
		{"/api/platform/agents/{}", []string{"../admin"}, "/api/platform/agents/..%2Fadmin"},
		{"/api/platform/agents/{}", []string{"%2F"}, "/api/platform/agents/%252F"},
		{"/api/platform/agents/{}", []string{"..."}, "/api/platform/agents/..."},
		{"/api/platform/metrics", nil, "/api/platform/metrics"},
	}
	for _, tt := range tests {
		got, err := platform.Path(tt.pattern, tt.ids...)
		if err != nil {
			t.Errorf("Path(%q, %q): %v", tt.pattern, tt.ids, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Path(%q, %q) = %q, want %q", tt.pattern, tt.ids, got, tt.want)
		}
	}
}

func TestPathRefusesDotAndEmptyIDs(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"", ".", ".."} {
		p, err := platform.Path("/api/platform/agents/{}/stop", id)
		if !errors.Is(err, platform.ErrInvalidArgument) {
			t.Errorf("Path(_, %q) = %q, %v; want ErrInvalidArgument", id, p, err)
		}
	}
	// The second id is checked too.
	if _, err := platform.Path("/q/{}/dlq/{}", "ok", ".."); !errors.Is(err, platform.ErrInvalidArgument) {
		t.Errorf("Path with \"..\" as its second id: %v, want ErrInvalidArgument", err)
	}
}

func TestPathHoleCountMismatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		ids     []string
	}{
		{"/api/platform/agents", []string{"x"}},
		{"/api/platform/agents/{}", nil},
		{"/api/platform/queues/{}/dlq/{}", []string{"q"}},
		{"/api/platform/agents/{}", []string{"a", "b"}},
	}
	for _, tt := range tests {
		if p, err := platform.Path(tt.pattern, tt.ids...); err == nil {
			t.Errorf("Path(%q, %q) = %q, want an error", tt.pattern, tt.ids, p)
		}
	}
}

// What the server's socket receives, not what the client's URL says.
func TestPathEscapedOnTheWire(t *testing.T) {
	t.Parallel()
	c, mux := setupServer(t)
	var hits atomic.Int32
	mux.HandleFunc("GET /api/platform/agents/{id}", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if got, want := r.RequestURI, baseURLPath+"/api/platform/agents/a%2Fb%20c"; got != want {
			t.Errorf("request URI = %q, want %q", got, want)
		}
		if got := r.PathValue("id"); got != "a/b c" {
			t.Errorf("path id = %q, want %q", got, "a/b c")
		}
		writeJSON(w, 200, `{"agent_id":"a/b c"}`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unescaped id reached another route: %s", r.RequestURI)
		writeError(w, 404, "not_found", "no route")
	})
	a, err := c.Agents.Get(context.Background(), "a/b c")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if n := hits.Load(); a.AgentID != "a/b c" || n != 1 {
		t.Errorf("got agent %q after %d hit(s)", a.AgentID, n)
	}
}

func TestDoSendsJSONAndDecodes(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/api/platform/things", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		testCommonHeaders(t, r)
		testHeader(t, r, "Content-Type", "application/json")
		testQuery(t, r, url.Values{"dry_run": {"true"}, "q": {"a b&c"}})
		testBody(t, r, `{"name":"acme","size":3}`)
		writeJSON(w, 201, `{"id":"t-1","name":"acme","size":3,"added_later":{"x":1}}`)
	})
	type thing struct {
		ID   string `json:"id,omitempty"`
		Name string `json:"name"`
		Size int    `json:"size"`
	}
	var got thing
	err := c.Do(context.Background(), "POST", "/api/platform/things",
		url.Values{"dry_run": {"true"}, "q": {"a b&c"}}, thing{Name: "acme", Size: 3}, &got)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	if diff := cmp.Diff(thing{ID: "t-1", Name: "acme", Size: 3}, got); diff != "" {
		t.Errorf("Do decoded (-want +got):\n%s", diff)
	}
}

func TestDoWithoutBodySendsNoContentType(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/platform/health", func(w http.ResponseWriter, r *http.Request) {
		testCommonHeaders(t, r)
		testNoHeader(t, r, "Content-Type")
		testNoHeader(t, r, "Idempotency-Key")
		testQuery(t, r, nil)
		testBody(t, r, "")
		writeJSON(w, 200, `{"status":"healthy"}`)
	})
	if err := c.Do(context.Background(), "GET", "/api/platform/health", nil, nil, nil); err != nil {
		t.Fatalf("Do: %v", err)
	}
}

func TestDoNoContent(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("DELETE /api/platform/queues/q/dlq/m", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	out := map[string]any{"untouched": true}
	if err := c.Do(context.Background(), "DELETE", "/api/platform/queues/q/dlq/m", nil, nil, &out); err != nil {
		t.Fatalf("Do: %v", err)
	}
	if diff := cmp.Diff(map[string]any{"untouched": true}, out); diff != "" {
		t.Errorf("out changed by a 204 (-want +got):\n%s", diff)
	}
}

func TestDoBadAnswerIsAnError(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/platform/metrics", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `<html>oops</html>`)
	})
	_, err := c.Metrics(context.Background())
	if err == nil || !strings.Contains(err.Error(), "decoding") {
		t.Errorf("Metrics over a non-JSON 200 = %v, want a decoding error", err)
	}
}

func TestDoRefusesBadInputWithoutSending(t *testing.T) {
	t.Parallel()
	c, _, mt := setup(t)
	ctx := context.Background()
	if err := c.Do(ctx, "GET", "api/platform/metrics", nil, nil, nil); err == nil {
		t.Error("Do with a path without a leading / succeeded")
	}
	if err := c.Do(ctx, "POST", "/api/platform/things", nil, make(chan int), nil); err == nil ||
		!strings.Contains(err.Error(), "encoding") {
		t.Errorf("Do with an unencodable body = %v, want an encoding error", err)
	}
	if n := mt.GetTotalCallCount(); n != 0 {
		t.Errorf("%d request(s) sent, want 0", n)
	}
}

var sdkKey = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestIdempotencyKeyOnMutationsOnly(t *testing.T) {
	t.Parallel()
	for _, method := range []string{"GET", "POST", "PATCH", "DELETE"} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var keys []string
			mux.HandleFunc("/api/platform/things/x", func(w http.ResponseWriter, r *http.Request) {
				testMethod(t, r, method)
				keys = r.Header.Values("Idempotency-Key")
				writeJSON(w, 200, `{}`)
			})
			for _, ctx := range []context.Context{
				context.Background(),
				platform.WithIdempotencyKey(context.Background(), "caller-key"),
			} {
				if err := c.Do(ctx, method, "/api/platform/things/x", nil, nil, nil); err != nil {
					t.Fatalf("Do: %v", err)
				}
				caller := ctx != context.Background()
				switch {
				case method == "GET" && len(keys) != 0:
					t.Errorf("GET carries Idempotency-Key %q", keys)
				case method != "GET" && caller && !cmp.Equal(keys, []string{"caller-key"}):
					t.Errorf("Idempotency-Key = %q, want the caller's [caller-key]", keys)
				case method != "GET" && !caller && (len(keys) != 1 || !sdkKey.MatchString(keys[0])):
					t.Errorf("Idempotency-Key = %q, want one random hex key", keys)
				}
			}
		})
	}
}

func TestIdempotencyKeyFreshPerCall(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var rc recorder
	mux.HandleFunc("POST /api/platform/agents/a/restart", func(w http.ResponseWriter, r *http.Request) {
		rc.add(r)
		writeJSON(w, 200, `{"agent_id":"a","status":"starting"}`)
	})
	for range 2 {
		if _, err := c.Agents.Restart(context.Background(), "a"); err != nil {
			t.Fatalf("Restart: %v", err)
		}
	}
	got := rc.all()
	if len(got) != 2 || len(got[0].idemKey) != 1 || len(got[1].idemKey) != 1 {
		t.Fatalf("attempts = %+v, want 2 each with one key", got)
	}
	if got[0].idemKey[0] == got[1].idemKey[0] {
		t.Errorf("two logical calls share the key %q", got[0].idemKey[0])
	}
}
