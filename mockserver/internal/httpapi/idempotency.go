package httpapi

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
)

// idemTTL is how long the server remembers an Idempotency-Key.
const idemTTL = 24 * time.Hour

// Idempotency remembers the answers to mutations by Idempotency-Key, scoped
// to the caller and the route: the same key and body replay the first
// answer, another body is refused (422), a key still in flight conflicts
// (409). 429 and 5xx answers are not kept, so a retry runs again.
//
// It keeps at most max keys: past that the oldest finished key is
// forgotten (keys live idemTTL in the order they came, so the oldest is
// also the first to expire), so hostile clients cannot grow it.
type Idempotency struct {
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

// NewIdempotency keeps at most max keys, living on clock c.
func NewIdempotency(c *core.Clock, max int) *Idempotency {
	return &Idempotency{clock: c, max: max, byKey: map[string]*idemEntry{}}
}

// Reset forgets every key.
func (m *Idempotency) Reset() {
	m.mu.Lock()
	m.byKey, m.order, m.head = map[string]*idemEntry{}, nil, 0
	m.mu.Unlock()
}

// CheckIdempotencyKey refuses keys longer than max bytes or not printable
// ASCII.
func CheckIdempotencyKey(key string, max int) *core.Error {
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
func scope(rc *Request, rt *Route, key string) string {
	caller := ""
	if rc.Who != nil {
		caller = rc.Who.Sub
	}
	return caller + "\x00" + rt.Method + " " + rt.Pattern + "\x00" + paramsKey(rc.Params) + "\x00" + key
}

// replayed is e's answer again, marked as a replay.
func (e *idemEntry) replayed() Answer {
	h := e.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Idempotent-Replayed", "true")
	return Answer{Status: e.status, Header: h, Body: e.body}
}

// Replay is the answer of a finished request with the same key and body,
// if there is one.
func (m *Idempotency) Replay(rc *Request, rt *Route, key string) (Answer, bool) {
	sum := sha256.Sum256(rc.Body)
	now := m.clock.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.byKey[scope(rc, rt, key)]
	if e == nil || !e.done || e.sum != sum || !now.Before(e.expires) {
		return Answer{}, false
	}
	return e.replayed(), true
}

// Serve runs the request once for its key (with run) and remembers the
// answer.
func (m *Idempotency) Serve(rc *Request, rt *Route, key string, run func() (int, http.Header, []byte)) Answer {
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
		return ErrAnswer(rc.ID, core.Errorf(http.StatusUnprocessableEntity, "idempotency_key_reused",
			"Idempotency-Key %q was used with another body: use a new key for a new request", key))
	case e != nil && !e.done:
		m.mu.Unlock()
		// Retry-After tells a client that retried too early to try again,
		// rather than take it for a state conflict.
		e := core.Conflict("a request with Idempotency-Key %q is still in flight: retry shortly", key)
		e.Header = http.Header{"Retry-After": {"1"}}
		return ErrAnswer(rc.ID, e)
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
	return Answer{Status: status, Header: hdr, Body: body}
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
func (m *Idempotency) evict(now time.Time) {
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
func (m *Idempotency) compact() {
	if m.head > 0 && m.head >= len(m.order)/2 {
		m.order = append(m.order[:0], m.order[m.head:]...)
		m.head = 0
	}
}
