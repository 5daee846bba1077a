package core

import "time"

// Timeline is work done in steps of planned durations from a start: the
// one model of progress of deployments (their steps) and upgrades (their
// phases). Nothing moves it: a step's state, like the whole's, is derived
// from the clock when read.
type Timeline struct {
	Start time.Time
	Durs  []time.Duration
}

// StepState is where a step of a timeline stands at a time.
type StepState int

const (
	StepPending StepState = iota
	StepRunning
	StepDone
)

// EndOf is when step i ends (i = -1: the start).
func (tl Timeline) EndOf(i int) time.Time {
	t := tl.Start
	for _, d := range tl.Durs[:i+1] {
		t = t.Add(d)
	}
	return t
}

// End is when the last step ends.
func (tl Timeline) End() time.Time { return tl.EndOf(len(tl.Durs) - 1) }

// Step is step i at now: its state, when it starts and when it ends.
func (tl Timeline) Step(i int, now time.Time) (state StepState, from, to time.Time) {
	from = tl.EndOf(i - 1)
	to = from.Add(tl.Durs[i])
	switch {
	case now.Before(from):
		return StepPending, from, to
	case now.Before(to):
		return StepRunning, from, to
	}
	return StepDone, from, to
}

// Percent is how much of the whole timeline has passed at t, 0 to 100
// (truncated: 100 only at the end).
func (tl Timeline) Percent(t time.Time) int {
	total := tl.End().Sub(tl.Start)
	if total <= 0 || !t.Before(tl.End()) {
		return 100
	}
	if t.Before(tl.Start) {
		return 0
	}
	return int(100 * t.Sub(tl.Start) / total)
}
