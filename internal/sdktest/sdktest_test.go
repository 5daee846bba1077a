package sdktest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/waooaw/waooaw-go/internal/sdktest"
)

// reports is a testing.TB that keeps what is reported instead of failing
// the test; Fatal and Fatalf end the check early with a panic that check
// recovers.
type reports struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

type fatal struct{}

func (r *reports) Helper() {}

func (r *reports) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *reports) Fatalf(format string, args ...any) { r.Errorf(format, args...); panic(fatal{}) }
func (r *reports) Fatal(args ...any)                 { r.Errorf("%s", fmt.Sprint(args...)); panic(fatal{}) }

// check runs f against a fresh reports and returns what it reported.
func check(t *testing.T, f func(tb testing.TB)) []string {
	t.Helper()
	r := &reports{TB: t}
	func() {
		defer func() {
			if v := recover(); v != nil {
				if _, ok := v.(fatal); !ok {
					panic(v)
				}
			}
		}()
		f(r)
	}()
	return r.errs
}

func request(method, target, body string, header ...string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	return r
}

func TestAssertions(t *testing.T) {
	t.Parallel()
	auth := "Bearer " + sdktest.Token
	tests := []struct {
		name string
		f    func(tb testing.TB)
		want int // reports
	}{
		{"method ok", func(tb testing.TB) { sdktest.TestMethod(tb, request("GET", "/", ""), "GET") }, 0},
		{"method wrong", func(tb testing.TB) { sdktest.TestMethod(tb, request("POST", "/", ""), "GET") }, 1},
		{"query nil wants none", func(tb testing.TB) { sdktest.TestQuery(tb, request("GET", "/", ""), nil) }, 0},
		{"query extra", func(tb testing.TB) { sdktest.TestQuery(tb, request("GET", "/?a=1", ""), nil) }, 1},
		{"query ok", func(tb testing.TB) {
			sdktest.TestQuery(tb, request("GET", "/?a=1&a=2", ""), url.Values{"a": {"1", "2"}})
		}, 0},
		{"header wrong", func(tb testing.TB) { sdktest.TestHeader(tb, request("GET", "/", "", "X", "1"), "X", "2") }, 1},
		{"request ok", func(tb testing.TB) {
			sdktest.TestRequest(tb, request("GET", "/?q=x", "", "Authorization", auth, "Accept", "application/json"), "GET", url.Values{"q": {"x"}})
		}, 0},
		{"request without auth or accept", func(tb testing.TB) { sdktest.TestRequest(tb, request("GET", "/", ""), "GET", nil) }, 2},
		{"body exact", func(tb testing.TB) { sdktest.TestBody(tb, request("POST", "/", `{"a":1}`), `{"a":1}`) }, 0},
		{"body spacing counts", func(tb testing.TB) { sdktest.TestBody(tb, request("POST", "/", `{"a": 1}`), `{"a":1}`) }, 1},
		{"json body ok", func(tb testing.TB) {
			sdktest.TestJSONBody(tb, request("POST", "/", `{"b":2, "a":1}`, "Content-Type", "application/json"), `{"a":1,"b":2}`)
		}, 0},
		{"json body differs", func(tb testing.TB) {
			sdktest.TestJSONBody(tb, request("POST", "/", `{"a":2}`, "Content-Type", "application/json"), `{"a":1}`)
		}, 1},
		{"json body without content type", func(tb testing.TB) { sdktest.TestJSONBody(tb, request("POST", "/", `{"a":1}`), `{"a":1}`) }, 1},
		{"json body not json", func(tb testing.TB) {
			sdktest.TestJSONBody(tb, request("POST", "/", `nope`, "Content-Type", "application/json"), `{"a":1}`)
		}, 1},
		{"json body none wanted", func(tb testing.TB) { sdktest.TestJSONBody(tb, request("DELETE", "/", ""), "") }, 0},
		{"json body unwanted", func(tb testing.TB) { sdktest.TestJSONBody(tb, request("DELETE", "/", "{}"), "") }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := check(t, tt.f); len(got) != tt.want {
				t.Errorf("reported %q, want %d reports", got, tt.want)
			}
		})
	}
}

func TestSetupReachesTheMuxBelowTheBasePath(t *testing.T) {
	t.Parallel()
	pc, mux := sdktest.Setup(t)
	var calls sdktest.Counter
	mux.HandleFunc("GET /api/platform/queues", func(w http.ResponseWriter, r *http.Request) {
		calls.Add()
		sdktest.TestAuth(t, r)
		sdktest.WriteJSON(w, http.StatusOK, `{"queues":[]}`)
	})
	var out struct {
		Queues []any `json:"queues"`
	}
	if err := pc.Do(context.Background(), "GET", "/api/platform/queues", nil, nil, &out); err != nil {
		t.Fatal(err)
	}
	if n := calls.Get(); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestSetupFailsRequestsOutsideTheBasePath(t *testing.T) {
	t.Parallel()
	got := check(t, func(tb testing.TB) {
		_, _, mt := sdktest.SetupTransport(tb)
		resp, err := (&http.Client{Transport: mt}).Get(sdktest.Host + "/api/platform/queues")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	})
	if len(got) != 1 || !strings.Contains(got[0], "outside the base URL path") {
		t.Errorf("reported %q, want one report of a request outside the base URL path", got)
	}
}
