package server

import (
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
	"github.com/waooaw/waooaw-go/platform"
)

// seeding is how a server starts: the default seed data or none, plus
// seeds. mu serialises Seed with the start's (re)building; the seed itself
// is applied under the World's one lock (core.World.ApplySeed).
type seeding struct {
	mu    sync.Mutex
	empty bool
	seeds []core.Seed
	err   error
}

// WithSeed adds seed at the start and again after every Reset, on top of
// the default seed data (or of nothing, with WithEmptyStart). Seeds are
// applied in order, each all or nothing; one that is refused leaves the
// server without it, and SeedErr says why (Start fails the test).
func WithSeed(seed core.Seed) Option {
	return func(s *Server) { s.seeding.seeds = append(s.seeding.seeds, seed) }
}

// WithEmptyStart starts the server with no agents, queues, workflows or
// customers: only what WithSeed adds. The demo users stay, so tokens work.
// Reset goes back to this start.
func WithEmptyStart() Option {
	return func(s *Server) { s.seeding.empty = true }
}

// SeedErr is why a WithSeed seed or a WithFaults fault was refused when the
// server started or was last reset; nil when all of them were applied.
func (s *Server) SeedErr() error {
	s.seeding.mu.Lock()
	defer s.seeding.mu.Unlock()
	return errors.Join(s.seeding.err, s.faultErr)
}

// start (re)builds the state the server starts with and publishes it at
// once: requests never see a part of it.
func (s *Server) start() {
	s.seeding.mu.Lock()
	defer s.seeding.mu.Unlock()
	now := s.clock.Now()
	st := core.NewWorld(now, s.limits.LogLines, s.publish)
	if s.seeding.empty {
		st.Clear()
	}
	var errs []error
	for _, seed := range s.seeding.seeds {
		next, _, err := s.applySeed(st, seed, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		st = next
	}
	s.seeding.err = errors.Join(errs...)
	st.Note(now) // the start is noted, not told: the World tells from here
	s.state.Store(st)
}

// Seed adds seed to the server, all or nothing, and returns the ids of
// what it added. A refused seed returns a *SeedError listing every
// problem. What Seed adds lasts until Reset, which goes back to the start
// (see WithSeed).
func (s *Server) Seed(seed core.Seed) (core.SeedResult, error) {
	s.tx.Lock()
	defer s.tx.Unlock()
	defer s.changed()
	return s.seedNow(seed)
}

// seedNow is Seed in an exclusive transaction.
func (s *Server) seedNow(seed core.Seed) (core.SeedResult, error) {
	s.seeding.mu.Lock()
	defer s.seeding.mu.Unlock()
	st := s.world()
	now := s.clock.Now()
	st.Settle(now) // what fell due before the seed is told before it
	next, res, err := s.applySeed(st, seed, now)
	if err != nil {
		return core.SeedResult{}, err
	}
	if next != st {
		s.state.Store(next)
	}
	return res, nil
}

// applySeed applies seed to st (World.ApplySeed) and adds its users; the
// seeding lock is held.
func (s *Server) applySeed(st *core.World, seed core.Seed, now time.Time) (*core.World, core.SeedResult, error) {
	next, res, users, err := st.ApplySeed(seed, now)
	for _, u := range users {
		s.auth.AddUser(u.Email, u.Name, u.Role)
	}
	return next, res, err
}

// seedRoutes are the seeding control, POST /_mock/seed (api/mock.yaml).
func (s *Server) seedRoutes() []*httpapi.Route {
	return []*httpapi.Route{{Method: "POST", Pattern: "/_mock/seed", Handle: s.seedControl, Exclusive: true}}
}

func (s *Server) seedControl(rc *httpapi.Request) (int, any, *core.Error) {
	if len(rc.Body) == 0 {
		return 0, nil, core.Invalid("a JSON body is required: a seed such as {\"agents\": [{\"name\": \"Test Agent\"}]}")
	}
	seed, probs := core.DecodeSeed(rc.Body)
	var res core.SeedResult
	if probs == nil {
		var err error
		res, err = s.seedNow(seed)
		var se *core.SeedError
		if errors.As(err, &se) {
			probs = se.Problems
		} else if err != nil {
			return 0, nil, core.Errorf(http.StatusInternalServerError, "internal", "seeding: %v", err)
		}
	}
	if probs != nil {
		e := core.Invalid("the seed was refused and nothing was added: %s", core.ProblemList(probs, core.MaxProblemsShown))
		for _, pr := range probs {
			field := pr.Path
			if field == "" {
				field = "body"
			}
			e.Details = append(e.Details, platform.FieldIssue{Field: field, Issue: pr.Issue})
		}
		return 0, nil, e
	}
	return http.StatusOK, res.OrEmpty(), nil
}
