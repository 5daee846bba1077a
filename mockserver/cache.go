package mockserver

import (
	"net/http"
	"sync"
	"time"
)

// The answer cache. A read of the state is a function of the state's
// generation (bumped by every change: each non-GET request, Reset, Seed,
// Advance), the clock's time, its path and its query, and for the routes
// below of nothing else: not of the caller beyond the role the route
// needs. Their encoded answers are kept until the generation or the clock
// moves, so a list read again and again is encoded once. Answers are kept
// for one (generation, time) at a time, at most maxCachedAnswers of them.
const maxCachedAnswers = 512

// cachedReads are the routes whose answers are cached. Not in it: reads
// that depend on the caller (/auth/me), on the template source (plugins
// come and go), and the test controls.
var cachedReads = []string{
	"GET /api/platform/agents",
	"GET /api/platform/agents/{id}",
	"GET /api/platform/metrics",
	"GET /api/platform/health",
	"GET /api/platform/queues",
	"GET /api/platform/queues/{name}",
	"GET /api/platform/queues/{name}/dlq",
	"GET /api/platform/orchestration/workflows",
	"GET /api/platform/orchestration/workflows/{id}",
	"GET /api/platform/factory/deployments/{id}",
	"GET /api/platform/agents/{id}/versions",
	"GET /api/platform/agents/{id}/config",
	"GET /api/platform/upgrades/{id}",
	"GET /api/platform/servicing/history",
	"GET /api/platform/helpdesk/customers/search",
	"GET /api/platform/helpdesk/customers/{id}/overview",
	"GET /api/platform/helpdesk/incidents",
	"GET /api/platform/helpdesk/playbooks",
	"GET /api/platform/helpdesk/playbooks/{id}",
	"GET /api/platform/logs",
	"GET /api/platform/alerts",
}

// answerCache holds the encoded answers of one (generation, time).
type answerCache struct {
	mu  sync.Mutex
	gen uint64
	at  time.Time
	m   map[string]answer
}

// get returns the answer kept for key at (gen, at).
func (c *answerCache) get(gen uint64, at time.Time, key string) (answer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || !c.at.Equal(at) {
		return answer{}, false
	}
	a, ok := c.m[key]
	return a, ok
}

// put keeps a for key at (gen, at), unless the state has moved on since
// (now is the generation when a was made: a read that raced a change is
// not kept under the generation the change ended).
func (c *answerCache) put(gen uint64, at time.Time, key string, a answer, now uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != now {
		return
	}
	if c.gen != gen || !c.at.Equal(at) || len(c.m) >= maxCachedAnswers {
		c.gen, c.at, c.m = gen, at, make(map[string]answer, 16)
	}
	c.m[key] = a
}

// cached serves rc from the cache, or runs the route and keeps its answer.
// Only 200 answers are kept: errors carry the request's id.
func (s *Server) cached(rc *reqCtx, rt *route) answer {
	key := rc.r.URL.Path + "?" + rc.r.URL.RawQuery
	gen := s.gen.Load()
	if a, ok := s.answers.get(gen, rc.now, key); ok {
		return a
	}
	status, hdr, body := s.run(rc, rt)
	a := answer{status: status, header: hdr, body: body}
	if status == http.StatusOK && len(hdr) == 0 {
		s.answers.put(gen, rc.now, key, a, s.gen.Load())
	}
	return a
}

// changed bumps the state's generation: every cached answer is stale.
func (s *Server) changed() { s.gen.Add(1) }

// markCached flags the routes of cachedReads; called once the routes are
// built.
func (s *Server) markCached() {
	set := make(map[string]bool, len(cachedReads))
	for _, r := range cachedReads {
		set[r] = true
	}
	for _, rt := range s.router.routes {
		if set[rt.method+" "+rt.pattern] {
			rt.cached = true
			delete(set, rt.method+" "+rt.pattern)
		}
	}
	for r := range set {
		panic("mockserver: cachedReads names no route " + r)
	}
}
