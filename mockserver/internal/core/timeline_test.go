package core

import (
	"testing"
	"time"
)

func TestTimeline(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	tl := Timeline{Start: t0, Durs: []time.Duration{time.Minute, 3 * time.Minute}}
	if !tl.End().Equal(t0.Add(4*time.Minute)) || !tl.EndOf(0).Equal(t0.Add(time.Minute)) || !tl.EndOf(-1).Equal(t0) {
		t.Errorf("end %v, endOf(0) %v", tl.End(), tl.EndOf(0))
	}
	tests := []struct {
		at      time.Duration
		s0, s1  StepState
		percent int
	}{
		{-time.Second, StepPending, StepPending, 0},
		{0, StepRunning, StepPending, 0},
		{time.Minute, StepDone, StepRunning, 25},
		{3 * time.Minute, StepDone, StepRunning, 75},
		{4 * time.Minute, StepDone, StepDone, 100},
	}
	for _, tt := range tests {
		now := t0.Add(tt.at)
		s0, _, _ := tl.Step(0, now)
		s1, from, to := tl.Step(1, now)
		if s0 != tt.s0 || s1 != tt.s1 || tl.Percent(now) != tt.percent || !from.Equal(t0.Add(time.Minute)) || !to.Equal(tl.End()) {
			t.Errorf("at +%v: steps %v %v, %d%%; want %v %v, %d%%", tt.at, s0, s1, tl.Percent(now), tt.s0, tt.s1, tt.percent)
		}
	}
}
