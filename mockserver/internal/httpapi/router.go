package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
)

// Handler answers a matched request: a status and a value to encode as
// JSON (nil for no body), or an *core.Error.
type Handler func(rc *Request) (int, any, *core.Error)

// Route is one method and path pattern; "{name}" segments match one
// non-empty path segment.
type Route struct {
	Method  string
	Pattern string
	Role    core.Role
	Handle  Handler
	Raw     http.HandlerFunc // instead of Handle: writes its own answer
	// Lookup, when set, answers 404 for path resources that do not exist,
	// before the body is read: checks run 401, 403, 404, then 400s, 409.
	Lookup func(rc *Request) *core.Error
	// Exclusive routes replace or move the whole state (reset, seed, clock):
	// they run alone, no other request in flight.
	Exclusive bool
	// Stream routes (the event stream) hold no transaction while they run.
	Stream bool
	// Cached reads keep their answers per state generation; Stable says
	// until when an answer holds as the clock moves.
	Cached bool
	Stable func(now time.Time) time.Time
	segs   []string
}

// Router finds the route of a request.
type Router struct {
	routes []*Route
	byLen  map[int][]*Route // routes by their number of segments
}

// Add adds routes, matched in the order added.
func (rt *Router) Add(rs ...*Route) {
	if rt.byLen == nil {
		rt.byLen = map[int][]*Route{}
	}
	for _, r := range rs {
		r.segs = strings.Split(strings.TrimPrefix(r.Pattern, "/"), "/")
		rt.routes = append(rt.routes, r)
		rt.byLen[len(r.segs)] = append(rt.byLen[len(r.segs)], r)
	}
}

// Match finds the route for method and path. It returns the route and its
// path parameters; or no route and the methods allowed on the path (empty
// when the path is unknown); or a bad-path error.
func (rt *Router) Match(method string, u *url.URL) (*Route, map[string]string, []string, *core.Error) {
	raw := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	var allowed []string
	for _, r := range rt.byLen[len(raw)] {
		var params map[string]string
		ok := true
		for i, s := range r.segs {
			if len(s) > 1 && s[0] == '{' {
				v, err := url.PathUnescape(raw[i])
				if err != nil {
					return nil, nil, nil, core.Invalid("bad path segment %q", raw[i])
				}
				if v == "" {
					ok = false
					break
				}
				if params == nil {
					params = make(map[string]string, 2)
				}
				params[s[1:len(s)-1]] = v
				continue
			}
			if s != raw[i] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if r.Method == method || (method == http.MethodHead && r.Method == http.MethodGet) {
			return r, params, nil, nil
		}
		if !slices.Contains(allowed, r.Method) {
			allowed = append(allowed, r.Method)
		}
	}
	return nil, nil, allowed, nil
}

// Nearest names up to three documented routes closest to path, for the
// message of a 404 on an unknown route.
func (rt *Router) Nearest(path string) []string {
	type cand struct {
		name  string
		score int
	}
	segs := undouble(strings.Split(strings.TrimPrefix(path, "/"), "/"))
	var cs []cand
	seen := map[string]bool{}
	for _, r := range rt.routes {
		name := r.Method + " " + r.Pattern
		if seen[name] || strings.HasPrefix(r.Pattern, "/_mock/google") {
			continue
		}
		seen[name] = true
		score := 0
		for i := 0; i < len(segs) && i < len(r.segs); i++ {
			if segs[i] == r.segs[i] || (strings.HasPrefix(r.segs[i], "{") && segs[i] != "") {
				score += 2
				continue
			}
			if !strings.HasPrefix(r.segs[i], "{") && editDistance(segs[i], r.segs[i]) <= 2 {
				score++ // a typo: "agent" for "agents"
			}
			break
		}
		score -= abs(len(segs) - len(r.segs))
		cs = append(cs, cand{name, score})
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return b.score - a.score })
	var out []string
	for i := 0; i < len(cs) && i < 3; i++ {
		out = append(out, cs[i].name)
	}
	return out
}

// undouble drops a leading run of segments that is written twice, as when
// a base URL that ends in /api/platform meets a path that starts with it:
// /api/platform/api/platform/agents is meant as /api/platform/agents.
func undouble(segs []string) []string {
	for {
		k := 0
		for n := len(segs) / 2; n >= 1; n-- {
			if slices.Equal(segs[:n], segs[n:2*n]) {
				k = n
				break
			}
		}
		if k == 0 {
			return segs
		}
		segs = segs[k:]
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// editDistance is the Levenshtein distance of a and b (bytes), or 3 when
// it is more than 2 (all nearest needs).
func editDistance(a, b string) int {
	if abs(len(a)-len(b)) > 2 {
		return 3
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], 3)
}

// Routes are the routes, in the order added.
func (rt *Router) Routes() []*Route { return rt.routes }

// Segments are the pattern's path segments ("{name}" for a parameter).
func (r *Route) Segments() []string { return r.segs }
