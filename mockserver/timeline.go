package mockserver

import "time"

// timeline is work done in steps of planned durations from a start: the
// one model of progress of deployments (their steps) and upgrades (their
// phases). Nothing moves it: a step's state, like the whole's, is derived
// from the clock when read.
type timeline struct {
	start time.Time
	durs  []time.Duration
}

// stepState is where a step of a timeline stands at a time.
type stepState int

const (
	stepPending stepState = iota
	stepRunning
	stepDone
)

// endOf is when step i ends (i = -1: the start).
func (tl timeline) endOf(i int) time.Time {
	t := tl.start
	for _, d := range tl.durs[:i+1] {
		t = t.Add(d)
	}
	return t
}

// end is when the last step ends.
func (tl timeline) end() time.Time { return tl.endOf(len(tl.durs) - 1) }

// step is step i at now: its state, when it starts and when it ends.
func (tl timeline) step(i int, now time.Time) (state stepState, from, to time.Time) {
	from = tl.endOf(i - 1)
	to = from.Add(tl.durs[i])
	switch {
	case now.Before(from):
		return stepPending, from, to
	case now.Before(to):
		return stepRunning, from, to
	}
	return stepDone, from, to
}

// percent is how much of the whole timeline has passed at t, 0 to 100
// (truncated: 100 only at the end).
func (tl timeline) percent(t time.Time) int {
	total := tl.end().Sub(tl.start)
	if total <= 0 || !t.Before(tl.end()) {
		return 100
	}
	if t.Before(tl.start) {
		return 0
	}
	return int(100 * t.Sub(tl.start) / total)
}
