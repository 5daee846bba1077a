package server

import "time"

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
func DefaultLimits() Limits {
	return Limits{
		IdempotencyKeys:     10000,
		IdempotencyKeyBytes: 255,
		JournalEntries:      10000,
		JournalBytes:        8 << 20,
		JournalFieldBytes:   2048,
		JournalBodyBytes:    8192,
		LogLines:            10000,
		Events:              1000,
		Sessions:            100000,
		Sandboxes:           32,
		SandboxIdle:         10 * time.Minute,
	}
}

// WithLimits sets the server's bounds; zero fields keep their defaults.
func WithLimits(l Limits) Option {
	return func(s *Server) { s.limits = l.orDefaults() }
}

// orDefaults is l with every unset field at its default.
func (l Limits) orDefaults() Limits {
	d := DefaultLimits()
	pick := func(v, def int) int {
		if v > 0 {
			return v
		}
		return def
	}
	return Limits{
		IdempotencyKeys:     pick(l.IdempotencyKeys, d.IdempotencyKeys),
		IdempotencyKeyBytes: pick(l.IdempotencyKeyBytes, d.IdempotencyKeyBytes),
		JournalEntries:      pick(l.JournalEntries, d.JournalEntries),
		JournalBytes:        pick(l.JournalBytes, d.JournalBytes),
		JournalFieldBytes:   pick(l.JournalFieldBytes, d.JournalFieldBytes),
		JournalBodyBytes:    pick(l.JournalBodyBytes, d.JournalBodyBytes),
		LogLines:            pick(l.LogLines, d.LogLines),
		Events:              pick(l.Events, d.Events),
		Sessions:            pick(l.Sessions, d.Sessions),
		Sandboxes:           pick(l.Sandboxes, d.Sandboxes),
		SandboxIdle:         time.Duration(pick(int(l.SandboxIdle), int(d.SandboxIdle))),
	}
}

// Limits returns the server's bounds.
func (s *Server) Limits() Limits { return s.limits }
