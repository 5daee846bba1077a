package server

// observe publishes what changed in the state since it last looked, at the
// clock's time. The first look only takes note; a look at state that was
// reset since (Reset, POST /_mock/reset) forgets every event instead, so
// that every stream gets a reset.
func (s *Server) observe() {
	h := &s.events
	h.obs.Lock()
	defer h.obs.Unlock()
	s.observeLocked()
}

// observeTx is observe in a transaction of its own, for the event stream,
// which holds none while it runs.
func (s *Server) observeTx() {
	s.tx.RLock()
	defer s.tx.RUnlock()
	s.observe()
}

// observeMoved is observe when only the clock can have changed the state
// since the last look (before a handler runs): nothing to do while the
// clock stands still.
func (s *Server) observeMoved() {
	h := &s.events
	h.obs.Lock()
	defer h.obs.Unlock()
	if h.observer.Fresh(s.world(), s.clock.Now()) {
		return
	}
	s.observeLocked()
}

// observeLocked is observe; h.obs is held.
func (s *Server) observeLocked() {
	// What the observer finds it also logs and alerts on: cached reads of
	// the log and the alerts are stale.
	defer s.changed()
	h := &s.events
	if h.observer.Look(s.world(), s.clock.Now()) {
		h.mu.Lock()
		h.forget()
		h.mu.Unlock()
	}
}
