package server

import (
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
)

// settle tells of the changes due on the clock by now (core.World.Settle):
// every transaction starts with it, so what a request reads or changes is
// settled and told of first.
func (s *Server) settle() { s.settleAt(s.clock.Now()) }

// settleAt is settle to now. What it tells of moves the generation
// (publish).
func (s *Server) settleAt(now time.Time) { s.world().Settle(now) }

// settleTx is settle in a transaction of its own, for the event stream,
// which holds none while it runs.
func (s *Server) settleTx() {
	s.tx.RLock()
	defer s.tx.RUnlock()
	s.settle()
}

// armDue sets t to fire when the next change on the clock is due and
// returns its channel; nil (never) on a frozen clock, where only Advance
// brings changes, or when none is due.
func (s *Server) armDue(t *time.Timer) <-chan time.Time {
	t.Stop()
	if s.clock.Real == nil {
		return nil
	}
	next := s.world().NextDue()
	if next.Equal(core.MaxTime) {
		return nil
	}
	t.Reset(max(next.Sub(s.clock.Now()), 0))
	return t.C
}
