package server

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// role is what a caller may do; each route needs one.
type role int

const (
	rolePublic role = iota // no token needed
	roleViewer
	roleOperator
	roleAdmin
)

func (r role) String() string {
	return [...]string{"public", "viewer", "operator", "admin"}[r]
}

func parseRole(s string) (role, bool) {
	switch s {
	case "viewer":
		return roleViewer, true
	case "operator":
		return roleOperator, true
	case "admin":
		return roleAdmin, true
	}
	return 0, false
}

// handler answers a matched request: a status and a value to encode as
// JSON (nil for no body), or an *apiError.
type handler func(rc *reqCtx) (int, any, *apiError)

// route is one method and path pattern; "{name}" segments match one
// non-empty path segment.
type route struct {
	method  string
	pattern string
	role    role
	handle  handler
	raw     http.HandlerFunc // instead of handle: writes its own answer
	// lookup, when set, answers 404 for path resources that do not exist,
	// before the body is read: checks run 401, 403, 404, then 400s, 409.
	lookup func(rc *reqCtx) *apiError
	// exclusive routes replace or move the whole state (reset, seed, clock):
	// they run alone, no other request in flight.
	exclusive bool
	// stream routes (the event stream) hold no transaction while they run.
	stream bool
	// cached reads keep their answers per state generation (cache.go);
	// stable says until when an answer holds as the clock moves.
	cached bool
	stable func(s *Server, now time.Time) time.Time
	segs   []string
}

// router finds the route of a request.
type router struct {
	routes []*route
	byLen  map[int][]*route // routes by their number of segments
}

func (rt *router) add(rs ...*route) {
	if rt.byLen == nil {
		rt.byLen = map[int][]*route{}
	}
	for _, r := range rs {
		r.segs = strings.Split(strings.TrimPrefix(r.pattern, "/"), "/")
		rt.routes = append(rt.routes, r)
		rt.byLen[len(r.segs)] = append(rt.byLen[len(r.segs)], r)
	}
}

// match finds the route for method and path. It returns the route and its
// path parameters; or no route and the methods allowed on the path (empty
// when the path is unknown); or a bad-path error.
func (rt *router) match(method string, u *url.URL) (*route, map[string]string, []string, *apiError) {
	raw := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	var allowed []string
	for _, r := range rt.byLen[len(raw)] {
		var params map[string]string
		ok := true
		for i, s := range r.segs {
			if len(s) > 1 && s[0] == '{' {
				v, err := url.PathUnescape(raw[i])
				if err != nil {
					return nil, nil, nil, invalid("bad path segment %q", raw[i])
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
		if r.method == method || (method == http.MethodHead && r.method == http.MethodGet) {
			return r, params, nil, nil
		}
		if !slices.Contains(allowed, r.method) {
			allowed = append(allowed, r.method)
		}
	}
	return nil, nil, allowed, nil
}

// nearest names up to three documented routes closest to path, for the
// message of a 404 on an unknown route.
func (rt *router) nearest(path string) []string {
	type cand struct {
		name  string
		score int
	}
	segs := undouble(strings.Split(strings.TrimPrefix(path, "/"), "/"))
	var cs []cand
	seen := map[string]bool{}
	for _, r := range rt.routes {
		name := r.method + " " + r.pattern
		if seen[name] || strings.HasPrefix(r.pattern, "/_mock/google") {
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
