package server

import (
	"net/http"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

// The answer cache. A read of the state is a function of the state's
// generation (moved by every change the World tells of, and by the /_mock/
// controls: Reset, Seed, Advance), the clock's time, its path and its query, and for the routes
// below of nothing else: not of the caller beyond the role the route
// needs. Their encoded answers are kept until the generation moves, and
// for as long as the clock stands still or, for stableReads, until their
// area's next change on its own is due: a list read again and again is
// encoded once. At most maxCachedAnswers are kept.
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

// stableReads are the cached reads whose answers stay the same while the
// clock moves, until a time their area can tell: they are kept until then
// (on a real clock too). The others are kept for the one time they were
// made at.
var stableReads = map[string]func(s *Server, now time.Time) time.Time{
	// An agent changes on its own only when the World's schedule says so
	// (the next change due of any kind: no later than the agents' next).
	"GET /api/platform/agents":      untilDue,
	"GET /api/platform/agents/{id}": untilDue,
	// The log, the alerts and the playbooks change only by changes that
	// move the generation, never on the clock.
	"GET /api/platform/logs":                    forever,
	"GET /api/platform/alerts":                  forever,
	"GET /api/platform/helpdesk/playbooks":      forever,
	"GET /api/platform/helpdesk/playbooks/{id}": forever,
}

func untilDue(s *Server, _ time.Time) time.Time { return s.world().NextDue() }
func forever(*Server, time.Time) time.Time      { return core.MaxTime }

// answerCache holds the encoded answers of one generation, each for the
// span of clock time it holds for.
type answerCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]cachedAnswer
}

type cachedAnswer struct {
	a           httpapi.Answer
	from, until time.Time // valid for from <= now < until
}

// get returns the answer kept for key at (gen, now).
func (c *answerCache) get(gen uint64, now time.Time, key string) (httpapi.Answer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return httpapi.Answer{}, false
	}
	e, ok := c.m[key]
	if !ok || now.Before(e.from) || !now.Before(e.until) {
		return httpapi.Answer{}, false
	}
	return e.a, true
}

// put keeps a for key in generation gen, for [from, until), unless the
// state has moved on since (now is the generation when a was made: a read
// that raced a change is not kept under the generation the change ended).
func (c *answerCache) put(gen uint64, key string, e cachedAnswer, now uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != now {
		return
	}
	if c.m == nil || c.gen != gen || len(c.m) >= maxCachedAnswers {
		c.gen, c.m = gen, make(map[string]cachedAnswer, 16)
	}
	c.m[key] = e
}

// cached serves rc from the cache, or runs the route and keeps its answer.
// Only 200 answers are kept: errors carry the request's id.
func (s *Server) cached(rc *httpapi.Request, rt *httpapi.Route) httpapi.Answer {
	key := rc.R.URL.Path + "?" + rc.R.URL.RawQuery
	gen := s.gen.Load()
	if a, ok := s.answers.get(gen, rc.Now, key); ok {
		return a
	}
	status, hdr, body := s.run(rc, rt)
	a := httpapi.Answer{Status: status, Header: hdr, Body: body}
	if status == http.StatusOK && len(hdr) == 0 {
		until := rc.Now.Add(time.Nanosecond) // this very time
		if rt.Stable != nil {
			until = rt.Stable(rc.Now)
		}
		s.answers.put(gen, key, cachedAnswer{a, rc.Now, until}, s.gen.Load())
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
	for _, rt := range s.router.Routes() {
		if set[rt.Method+" "+rt.Pattern] {
			rt.Cached = true
			if f := stableReads[rt.Method+" "+rt.Pattern]; f != nil {
				rt.Stable = func(now time.Time) time.Time { return f(s, now) }
			}
			delete(set, rt.Method+" "+rt.Pattern)
		}
	}
	for r := range set {
		panic("mockserver: cachedReads names no route " + r)
	}
}
