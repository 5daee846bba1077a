package mockserver

import (
	"testing"
	"time"
)

func TestTimeline(t *testing.T) {
	t.Parallel()
	t0 := Epoch()
	tl := timeline{start: t0, durs: []time.Duration{time.Minute, 3 * time.Minute}}
	if !tl.end().Equal(t0.Add(4*time.Minute)) || !tl.endOf(0).Equal(t0.Add(time.Minute)) || !tl.endOf(-1).Equal(t0) {
		t.Errorf("end %v, endOf(0) %v", tl.end(), tl.endOf(0))
	}
	tests := []struct {
		at      time.Duration
		s0, s1  stepState
		percent int
	}{
		{-time.Second, stepPending, stepPending, 0},
		{0, stepRunning, stepPending, 0},
		{time.Minute, stepDone, stepRunning, 25},
		{3 * time.Minute, stepDone, stepRunning, 75},
		{4 * time.Minute, stepDone, stepDone, 100},
	}
	for _, tt := range tests {
		now := t0.Add(tt.at)
		s0, _, _ := tl.step(0, now)
		s1, from, to := tl.step(1, now)
		if s0 != tt.s0 || s1 != tt.s1 || tl.percent(now) != tt.percent || !from.Equal(t0.Add(time.Minute)) || !to.Equal(tl.end()) {
			t.Errorf("at +%v: steps %v %v, %d%%; want %v %v, %d%%", tt.at, s0, s1, tl.percent(now), tt.s0, tt.s1, tt.percent)
		}
	}
}
