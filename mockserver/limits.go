package mockserver

import (
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/server"
)

// Limits bounds what the server keeps, so that no client, however hostile,
// grows it without end. Each bound is documented in api/mock.yaml; a field
// left zero (or negative) keeps its default (DefaultLimits).
type Limits struct {
	// IdempotencyKeys is how many Idempotency-Keys the server remembers;
	// past it, the oldest finished key is forgotten.
	IdempotencyKeys int
	// IdempotencyKeyBytes is the longest Idempotency-Key accepted; a longer
	// one is refused with 400.
	IdempotencyKeyBytes int
	// JournalEntries and JournalBytes bound the journal: past either, the
	// oldest entries are dropped.
	JournalEntries int
	JournalBytes   int
	// JournalFieldBytes is how much of a request's path, query and
	// Idempotency-Key an entry keeps; a longer one is cut there and ends in
	// "…" (the request itself is served whole).
	JournalFieldBytes int
	// JournalBodyBytes is how much of a request's body an entry keeps; a
	// longer one is cut there and ends in "…".
	JournalBodyBytes int
	// LogLines is how many lines the platform log keeps (a ring: the oldest
	// line goes first).
	LogLines int
	// Events is how many events the server keeps for streams that resume;
	// a position older than that resumes with a reset event.
	Events int
	// Sessions is how many sign-in sessions the server keeps (every minted
	// token has one); past it the oldest goes, and its tokens get 401.
	Sessions int
	// Sandboxes is how many sandboxes (POST /_mock/sandboxes) can live at
	// once; SandboxIdle is how long one lives unused (real time).
	Sandboxes   int
	SandboxIdle time.Duration
}

// DefaultLimits are the bounds a server has unless WithLimits changes them.
func DefaultLimits() Limits { return Limits(server.DefaultLimits()) }
