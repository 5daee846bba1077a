package server

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

// Fault makes matching requests misbehave: answer an error status (with
// the platform error body and an optional Retry-After), wait, drop the
// connection, or answer a malformed body. Faults never apply to the test
// controls under /_mock/ or to /healthz.
type Fault struct {
	// Method matches the request method; "" matches any.
	Method string `json:"method,omitempty"`
	// Path matches the request path; "*" matches one path segment, e.g.
	// "/api/platform/queues/*/dlq/*/retry".
	Path string `json:"path"`
	// Status answers this status (400-599) with the platform error body.
	Status int `json:"status,omitempty"`
	// RetryAfter adds Retry-After: seconds.
	RetryAfter int `json:"retry_after,omitempty"`
	// LatencyMS waits this long (real time) before answering; alone, the
	// request is then served normally.
	LatencyMS int `json:"latency_ms,omitempty"`
	// Drop closes the connection without an answer.
	Drop bool `json:"drop,omitempty"`
	// Malformed answers 200 with a truncated JSON body.
	Malformed bool `json:"malformed,omitempty"`
	// Count fires the fault for the next Count matching requests; 0 until
	// cleared.
	Count int `json:"count,omitempty"`
	// Percent fires the fault on this share of matching requests (1-100);
	// 0 means always.
	Percent int `json:"percent,omitempty"`
}

// validate checks a fault and normalises its method.
func (f *Fault) validate() *core.Error {
	f.Method = strings.ToUpper(f.Method)
	switch {
	case f.Path == "" || f.Path[0] != '/':
		return core.InvalidField("path", "must be a path starting with /, with * for one segment")
	case strings.HasPrefix(f.Path, "/_mock/") || f.Path == "/healthz":
		return core.InvalidField("path", "faults cannot target the /_mock/ controls or /healthz")
	case f.Method != "" && !isToken(f.Method):
		return core.InvalidField("method", "must be an HTTP method such as GET or POST")
	case f.Status != 0 && (f.Status < 400 || f.Status > 599):
		return core.InvalidField("status", "must be from 400 to 599")
	case f.RetryAfter < 0 || f.RetryAfter > 3600:
		return core.InvalidField("retry_after", "must be from 0 to 3600 seconds")
	case f.LatencyMS < 0 || f.LatencyMS > 60000:
		return core.InvalidField("latency_ms", "must be from 0 to 60000")
	case f.Count < 0:
		return core.InvalidField("count", "must not be negative")
	case f.Percent < 0 || f.Percent > 100:
		return core.InvalidField("percent", "must be from 0 to 100")
	case f.Status == 0 && !f.Drop && !f.Malformed && f.LatencyMS == 0:
		return core.InvalidField("status", "say what the fault does: status, drop, malformed or latency_ms")
	case btoi(f.Status != 0)+btoi(f.Drop)+btoi(f.Malformed) > 1:
		return core.InvalidField("status", "choose one of status, drop and malformed")
	}
	return nil
}

// isToken reports whether m is an upper-case HTTP method name.
func isToken(m string) bool {
	for i := 0; i < len(m); i++ {
		if m[i] < 'A' || m[i] > 'Z' {
			return false
		}
	}
	return len(m) <= 16
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

type activeFault struct {
	id   string
	f    Fault
	segs []string
	left int // remaining firings when f.Count > 0
	hits int
}

// spent reports whether a Count fault has fired its count.
func (af *activeFault) spent() bool { return af.f.Count > 0 && af.left <= 0 }

// FaultInfo is a registered fault and how often it fired (GET
// /_mock/faults, Server.Faults).
type FaultInfo struct {
	ID    string `json:"id"`
	Fault Fault  `json:"fault"`
	// Hits counts the requests the fault fired on.
	Hits int `json:"hits"`
	// Active is false once a fault with a Count has fired that often; it
	// stays listed until removed.
	Active bool `json:"active"`
}

// maxFaults bounds the fault table.
const maxFaults = 1000

// faults is the server's fault table.
type faults struct {
	n     atomic.Int32 // active faults, read without the lock on every request
	mu    sync.Mutex
	list  []*activeFault
	seq   int
	rnd   *rand.Rand
	check func(f Fault) *core.Error // that a route can match f (set by New)
}

func newFaults() *faults { return &faults{rnd: rand.New(rand.NewPCG(1, 2))} }

// add registers a fault and returns its id.
func (fs *faults) add(f Fault) (string, *core.Error) {
	if e := f.validate(); e != nil {
		return "", e
	}
	if fs.check != nil {
		if e := fs.check(f); e != nil {
			return "", e
		}
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.list) >= maxFaults {
		return "", core.Conflict("there are %d faults already: remove some (DELETE /_mock/faults/{id}) first", maxFaults)
	}
	fs.seq++
	id := "fault-" + strconv.Itoa(fs.seq)
	fs.list = append(fs.list, &activeFault{id: id, f: f, segs: strings.Split(f.Path[1:], "/"), left: f.Count})
	fs.count()
	return id, nil
}

// count refreshes the number of active faults; fs.mu held.
func (fs *faults) count() {
	n := 0
	for _, af := range fs.list {
		if !af.spent() {
			n++
		}
	}
	fs.n.Store(int32(n))
}

func (fs *faults) clear() {
	fs.mu.Lock()
	fs.list = nil
	fs.n.Store(0)
	fs.rnd = rand.New(rand.NewPCG(1, 2))
	fs.mu.Unlock()
}

// remove deletes the fault with id; it reports whether there was one.
func (fs *faults) remove(id string) bool {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, af := range fs.list {
		if af.id == id {
			fs.list = append(fs.list[:i:i], fs.list[i+1:]...)
			fs.count()
			return true
		}
	}
	return false
}

// infos lists the faults in the order they were added.
func (fs *faults) infos() []FaultInfo {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]FaultInfo, 0, len(fs.list))
	for _, af := range fs.list {
		out = append(out, FaultInfo{ID: af.id, Fault: af.f, Hits: af.hits, Active: !af.spent()})
	}
	return out
}

// fire returns the fault that fires for the request, if any, and uses up
// one of its firings.
func (fs *faults) fire(method, path string) (string, Fault, bool) {
	if fs.n.Load() == 0 {
		return "", Fault{}, false
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for _, af := range fs.list {
		if af.spent() || af.f.Method != "" && af.f.Method != method || !globMatch(af.segs, segs) {
			continue
		}
		if af.f.Percent > 0 && fs.rnd.IntN(100) >= af.f.Percent {
			continue
		}
		af.hits++
		if af.f.Count > 0 {
			af.left--
			if af.spent() {
				fs.count()
			}
		}
		return af.id, af.f, true
	}
	return "", Fault{}, false
}

// faultRoute checks that some route can answer what f matches: a fault
// with a misspelled method or path would never fire.
func (s *Server) faultRoute(f Fault) *core.Error {
	segs := strings.Split(f.Path[1:], "/")
	var methods []string
	for _, r := range s.router.Routes() {
		if len(r.Segments()) != len(segs) || strings.HasPrefix(r.Pattern, "/_mock/") || r.Pattern == "/healthz" {
			continue
		}
		ok := true
		for i, p := range segs {
			if rs := r.Segments()[i]; p != "*" && p != rs && !(strings.HasPrefix(rs, "{") && p != "") {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if f.Method == "" || f.Method == r.Method || f.Method == http.MethodHead && r.Method == http.MethodGet {
			return nil
		}
		if !slices.Contains(methods, r.Method) {
			methods = append(methods, r.Method)
		}
	}
	if len(methods) > 0 {
		return core.InvalidField("method", fmt.Sprintf("no route answers %s on %s: it takes %s", f.Method, f.Path, strings.Join(methods, ", ")))
	}
	return core.InvalidField("path", fmt.Sprintf("%s matches no route, so the fault would never fire; nearest: %s",
		f.Path, strings.Join(s.router.Nearest(f.Path), ", ")))
}

func globMatch(pattern, segs []string) bool {
	if len(pattern) != len(segs) {
		return false
	}
	for i, p := range pattern {
		if p != "*" && p != segs[i] {
			return false
		}
	}
	return true
}

// apply makes the request misbehave; it reports whether it answered. An
// error status gets the headers the error table requires with it.
func (f Fault) apply(w http.ResponseWriter, r *http.Request, rid string, rt *httpapi.Router) bool {
	if f.LatencyMS > 0 {
		t := time.NewTimer(time.Duration(f.LatencyMS) * time.Millisecond)
		select {
		case <-t.C:
		case <-r.Context().Done():
			// The client gave up: the request is not served (journaled
			// with status 0), as a platform behind a slow network would
			// never have seen it.
			t.Stop()
			panic(http.ErrAbortHandler)
		}
	}
	switch {
	case f.Drop:
		panic(http.ErrAbortHandler) // net/http closes the connection without an answer
	case f.Malformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"error": {"code": "trunc`))
		return true
	case f.Status != 0:
		e := core.Errorf(f.Status, faultCode(f.Status), "fault injected by the mock server (%d)", f.Status)
		e.Header = http.Header{}
		if f.RetryAfter > 0 || f.Status == http.StatusTooManyRequests {
			e.Header.Set("Retry-After", strconv.Itoa(max(f.RetryAfter, 1)))
		}
		switch f.Status {
		case http.StatusUnauthorized:
			e.Header.Set("WWW-Authenticate", `Bearer realm="waooaw", error="invalid_token"`)
		case http.StatusMethodNotAllowed:
			_, _, allowed, _ := rt.Match("", r.URL)
			e.Header.Set("Allow", strings.Join(allowed, ", "))
		}
		httpapi.WriteError(w, rid, e)
		return true
	}
	return false
}

// faultCode is the error code DESIGN.md gives a status.
func faultCode(status int) string {
	switch status {
	case 405:
		return "method_not_allowed"
	case 413:
		return "payload_too_large"
	case 415:
		return "unsupported_media_type"
	case 422:
		return "idempotency_key_reused"
	case 401:
		return "unauthenticated"
	case 403:
		return "permission_denied"
	case 404:
		return "not_found"
	case 409:
		return "conflict"
	case 429:
		return "rate_limited"
	case 504:
		return "deadline_exceeded"
	case 502, 503:
		return "unavailable"
	}
	if status >= 500 {
		return "internal"
	}
	return "invalid_argument"
}

// ParseFault reads the compact fault syntax of the -fault flag:
//
//	[METHOD ]PATH=ACTION[,KEY=VALUE...]
//
// ACTION is STATUS[xCOUNT] (e.g. 503x2), drop[xCOUNT], malformed[xCOUNT] or
// latency (with latency_ms); KEYs are retry_after, latency_ms, percent and
// count. Example: "POST /api/platform/queues/*/dlq/*/retry=503x2,retry_after=1".
func ParseFault(spec string) (Fault, error) {
	var f Fault
	lhs, rhs, ok := strings.Cut(spec, "=")
	if !ok {
		return f, fmt.Errorf("fault %q: want [METHOD ]PATH=ACTION[,KEY=VALUE...]", spec)
	}
	lhs = strings.TrimSpace(lhs)
	if m, p, ok := strings.Cut(lhs, " "); ok {
		f.Method, f.Path = m, strings.TrimSpace(p)
	} else {
		f.Path = lhs
	}
	parts := strings.Split(rhs, ",")
	action, count, _ := strings.Cut(strings.TrimSpace(parts[0]), "x")
	if count != "" {
		n, err := strconv.Atoi(count)
		if err != nil || n < 1 {
			return f, fmt.Errorf("fault %q: count %q must be a positive integer", spec, count)
		}
		f.Count = n
	}
	switch action {
	case "drop":
		f.Drop = true
	case "malformed":
		f.Malformed = true
	case "latency":
	default:
		n, err := strconv.Atoi(action)
		if err != nil {
			return f, fmt.Errorf("fault %q: action %q: want a status, drop, malformed or latency", spec, action)
		}
		f.Status = n
	}
	for _, kv := range parts[1:] {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil {
			return f, fmt.Errorf("fault %q: option %q: want KEY=NUMBER", spec, kv)
		}
		switch k {
		case "retry_after":
			f.RetryAfter = n
		case "latency_ms":
			f.LatencyMS = n
		case "percent":
			f.Percent = n
		case "count":
			f.Count = n
		default:
			return f, fmt.Errorf("fault %q: unknown option %q (retry_after, latency_ms, percent, count)", spec, k)
		}
	}
	if e := f.validate(); e != nil {
		return f, fmt.Errorf("fault %q: %s", spec, e.Msg)
	}
	return f, nil
}

// WithFaults registers faults at the start and again after every Reset
// (the -fault flag of cmd/waooaw-mock). An invalid fault is not registered;
// SeedErr says why (Start fails the test).
func WithFaults(fs ...Fault) Option {
	return func(s *Server) { s.startFaults = append(s.startFaults, fs...) }
}

// addStartFaults registers the WithFaults faults and remembers any refusal.
func (s *Server) addStartFaults() {
	var errs []error
	for _, f := range s.startFaults {
		if _, e := s.faults.add(f); e != nil {
			errs = append(errs, fmt.Errorf("mockserver: fault %s %s: %s", f.Method, f.Path, e.Msg))
		}
	}
	s.seeding.mu.Lock()
	s.faultErr = errors.Join(errs...)
	s.seeding.mu.Unlock()
}

// AddFault registers a fault and returns its id.
func (s *Server) AddFault(f Fault) (string, error) {
	id, e := s.faults.add(f)
	if e != nil {
		return "", e
	}
	return id, nil
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() { s.faults.clear() }

// Faults lists the registered faults, in the order added, with how often
// each fired.
func (s *Server) Faults() []FaultInfo { return s.faults.infos() }

// RemoveFault removes the fault with id; it reports whether there was one.
func (s *Server) RemoveFault(id string) bool { return s.faults.remove(id) }
