package server

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

// idemTTL is how long the server remembers an Idempotency-Key.
const idemTTL = 24 * time.Hour

// idempotency remembers the answers to mutations by Idempotency-Key, scoped
// to the caller and the route: the same key and body replay the first
// answer, another body is refused (422), a key still in flight conflicts
// (409). 429 and 5xx answers are not kept, so a retry runs again.
//
// It keeps at most max keys: past that the oldest finished key is
// forgotten (keys live idemTTL in the order they came, so the oldest is
// also the first to expire), so hostile clients cannot grow it.
type idempotency struct {
	clock *core.Clock
	max   int
	mu    sync.Mutex
	byKey map[string]*idemEntry
	order []string // scopes, oldest first (order[head:] are live)
	head  int
}

type idemEntry struct {
	sum     [32]byte
	done    bool
	status  int
	header  http.Header
	body    []byte
	expires time.Time
}

func newIdempotency(c *core.Clock, max int) *idempotency {
	return &idempotency{clock: c, max: max, byKey: map[string]*idemEntry{}}
}

func (m *idempotency) reset() {
	m.mu.Lock()
	m.byKey, m.order, m.head = map[string]*idemEntry{}, nil, 0
	m.mu.Unlock()
}

// checkIdempotencyKey refuses keys longer than max bytes or not printable
// ASCII.
func checkIdempotencyKey(key string, max int) *core.Error {
	if len(key) > max {
		return core.InvalidField("header.Idempotency-Key", fmt.Sprintf("is %d bytes: at most %d", len(key), max))
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; c < 0x20 || c > 0x7e {
			return core.InvalidField("header.Idempotency-Key", "must be printable ASCII")
		}
	}
	return nil
}

// scope is where a key lives: the caller, the route and its decoded ids
// (so /agents/wow%2Dmemory/stop and /agents/wow-memory/stop are one scope).
func scope(rc *httpapi.Request, rt *httpapi.Route, key string) string {
	caller := ""
	if rc.Who != nil {
		caller = rc.Who.Sub
	}
	return caller + "\x00" + rt.Method + " " + rt.Pattern + "\x00" + paramsKey(rc.Params) + "\x00" + key
}

// replayed is e's answer again, marked as a replay.
func (e *idemEntry) replayed() answer {
	h := e.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Idempotent-Replayed", "true")
	return answer{status: e.status, header: h, body: e.body}
}

// replay is the answer of a finished request with the same key and body,
// if there is one.
func (m *idempotency) replay(rc *httpapi.Request, rt *httpapi.Route, key string) (answer, bool) {
	sum := sha256.Sum256(rc.Body)
	now := m.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.byKey[scope(rc, rt, key)]
	if e == nil || !e.done || e.sum != sum || !now.Before(e.expires) {
		return answer{}, false
	}
	return e.replayed(), true
}

// serve runs the request once for its key (with run) and remembers the
// answer.
func (m *idempotency) serve(rc *httpapi.Request, rt *httpapi.Route, key string, run func() (int, http.Header, []byte)) answer {
	scope := scope(rc, rt, key)
	sum := sha256.Sum256(rc.Body)
	now := m.clock.Now()

	m.mu.Lock()
	e := m.byKey[scope]
	if e != nil && !now.Before(e.expires) {
		e = nil
	}
	switch {
	case e != nil && e.sum != sum:
		m.mu.Unlock()
		return errAnswer(rc.ID, core.Errorf(http.StatusUnprocessableEntity, "idempotency_key_reused",
			"Idempotency-Key %q was used with another body: use a new key for a new request", key))
	case e != nil && !e.done:
		m.mu.Unlock()
		// Retry-After tells a client that retried too early to try again,
		// rather than take it for a state conflict.
		e := core.Conflict("a request with Idempotency-Key %q is still in flight: retry shortly", key)
		e.Header = http.Header{"Retry-After": {"1"}}
		return errAnswer(rc.ID, e)
	case e != nil:
		m.mu.Unlock()
		return e.replayed()
	}
	e = &idemEntry{sum: sum, expires: now.Add(idemTTL)}
	if _, known := m.byKey[scope]; !known {
		m.order = append(m.order, scope)
	}
	m.byKey[scope] = e
	m.evict(now)
	m.mu.Unlock()

	status, hdr, body := run()

	m.mu.Lock()
	if status == http.StatusTooManyRequests || status >= 500 {
		delete(m.byKey, scope)
	} else {
		e.done, e.status, e.header, e.body = true, status, hdr.Clone(), body
	}
	m.mu.Unlock()
	return answer{status: status, header: hdr, body: body}
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

// evict forgets expired keys and, past the bound, the oldest finished
// ones; m.mu must be held. Each scope is looked at once from the front of
// order, so a request costs O(1) amortized. A key in flight is never
// forgotten: the bound is exceeded by at most the requests in flight.
func (m *idempotency) evict(now time.Time) {
	for m.head < len(m.order) {
		sc := m.order[m.head]
		e, ok := m.byKey[sc]
		switch {
		case !ok: // deleted (a 5xx) or replaced: drop the slot
		case !now.Before(e.expires) && e.done, len(m.byKey) > m.max && e.done:
			delete(m.byKey, sc)
		default:
			m.compact()
			return
		}
		m.order[m.head] = ""
		m.head++
	}
	m.compact()
}

// compact drops the forgotten front of order once it is half of it.
func (m *idempotency) compact() {
	if m.head > 0 && m.head >= len(m.order)/2 {
		m.order = append(m.order[:0], m.order[m.head:]...)
		m.head = 0
	}
}
