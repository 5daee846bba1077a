package mockserver

import (
	"crypto/sha256"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// idemTTL is how long the server remembers an Idempotency-Key.
const idemTTL = 24 * time.Hour

// idempotency remembers the answers to mutations by Idempotency-Key, scoped
// to the caller and the route: the same key and body replay the first
// answer, another body is refused (422), a key still in flight conflicts
// (409). 429 and 5xx answers are not kept, so a retry runs again.
type idempotency struct {
	clock *clock
	mu    sync.Mutex
	byKey map[string]*idemEntry
}

type idemEntry struct {
	sum     [32]byte
	done    bool
	status  int
	header  http.Header
	body    []byte
	expires time.Time
}

func newIdempotency(c *clock) *idempotency {
	return &idempotency{clock: c, byKey: map[string]*idemEntry{}}
}

func (m *idempotency) reset() {
	m.mu.Lock()
	m.byKey = map[string]*idemEntry{}
	m.mu.Unlock()
}

// scope is where a key lives: the caller, the route and its decoded ids
// (so /agents/wow%2Dmemory/stop and /agents/wow-memory/stop are one scope).
func scope(rc *reqCtx, rt *route, key string) string {
	caller := ""
	if rc.who != nil {
		caller = rc.who.sub
	}
	return caller + "\x00" + rt.method + " " + rt.pattern + "\x00" + paramsKey(rc.params) + "\x00" + key
}

// replay answers a finished request with the same key and body again; it
// reports whether it did.
func (m *idempotency) replay(w http.ResponseWriter, rc *reqCtx, rt *route, key string) bool {
	sum := sha256.Sum256(rc.body)
	now := m.clock.Now()
	m.mu.Lock()
	e := m.byKey[scope(rc, rt, key)]
	if e == nil || !e.done || e.sum != sum || !now.Before(e.expires) {
		m.mu.Unlock()
		return false
	}
	status, hdr, body := e.status, e.header.Clone(), e.body
	m.mu.Unlock()
	if hdr == nil {
		hdr = http.Header{}
	}
	hdr.Set("Idempotent-Replayed", "true")
	writeAnswer(w, status, hdr, body)
	return true
}

func (m *idempotency) serve(w http.ResponseWriter, rc *reqCtx, rt *route, key string) {
	scope := scope(rc, rt, key)
	sum := sha256.Sum256(rc.body)
	now := m.clock.Now()

	m.mu.Lock()
	e := m.byKey[scope]
	if e != nil && !now.Before(e.expires) {
		e = nil
	}
	switch {
	case e != nil && e.sum != sum:
		m.mu.Unlock()
		writeError(w, rc.id, errf(http.StatusUnprocessableEntity, "idempotency_key_reused",
			"Idempotency-Key %q was used with another body: use a new key for a new request", key))
		return
	case e != nil && !e.done:
		m.mu.Unlock()
		// Retry-After tells a client that retried too early to try again,
		// rather than take it for a state conflict.
		e := conflict("a request with Idempotency-Key %q is still in flight: retry shortly", key)
		e.header = http.Header{"Retry-After": {"1"}}
		writeError(w, rc.id, e)
		return
	case e != nil:
		m.mu.Unlock()
		h := e.header.Clone()
		if h == nil {
			h = http.Header{}
		}
		h.Set("Idempotent-Replayed", "true")
		writeAnswer(w, e.status, h, e.body)
		return
	}
	e = &idemEntry{sum: sum, expires: now.Add(idemTTL)}
	m.byKey[scope] = e
	if len(m.byKey) > 4096 {
		m.sweep(now)
	}
	m.mu.Unlock()

	status, hdr, body := rc.s.run(rc, rt)

	m.mu.Lock()
	if status == http.StatusTooManyRequests || status >= 500 {
		delete(m.byKey, scope)
	} else {
		e.done, e.status, e.header, e.body = true, status, hdr.Clone(), body
	}
	m.mu.Unlock()
	writeAnswer(w, status, hdr, body)
}

// paramsKey is the route's path ids in a stable order.
func paramsKey(params map[string]string) string {
	keys := slices.Sorted(maps.Keys(params))
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + params[k] + "\x00")
	}
	return b.String()
}

// sweep forgets expired keys; m.mu must be held.
func (m *idempotency) sweep(now time.Time) {
	for k, e := range m.byKey {
		if e.done && !now.Before(e.expires) {
			delete(m.byKey, k)
		}
	}
}
