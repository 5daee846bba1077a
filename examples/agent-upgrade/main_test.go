package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/servicing"
)

func runTour(t *testing.T, o options) (string, error) {
	t.Helper()
	t.Setenv("WAOOAW_API_URL", "")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	err := run(ctx, &out, o, time.Millisecond)
	return out.String(), err
}

func wantLines(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("the output has no %q:\n%s", w, got)
		}
	}
}

func TestRunCanaryToTheRecommendedVersion(t *testing.T) {
	got, err := runTour(t, options{agent: "wow-memory", strategy: servicing.StrategyCanary})
	if err != nil {
		t.Fatalf("run: %v\n%s", err, got)
	}
	wantLines(t, got,
		"wow-memory runs 0.4.2. Its versions:",
		"0.4.3  available   2025-12-27  RECOMMENDED",
		"Upgrade upg-0007: 0.4.2 → 0.4.3, canary",
		"in_progress: canary_10 (10 % of the traffic)",
		"in_progress: canary_50 (50 % of the traffic)",
		"in_progress: canary_100 (100 % of the traffic)",
		"100%  completed",
		"Completed in 15m5s.",
		"WowMemory runs 0.4.3 and is online, healthy.",
		"Config v1: ",
		"Patched to v2 at 10:17:00, reloaded with 0 s of downtime: rate_limit 100 → 200",
		"upg-0007  2026-01-02  0.4.2→0.4.3  canary  completed  15m5s  admin@waooaw.ai",
		"upg-0004  2025-12-30  0.4.1→0.4.2",
	)
	// Progress only grows.
	last := -1
	for _, m := range regexp.MustCompile(`\] +(\d+)%`).FindAllStringSubmatch(got, -1) {
		p, _ := strconv.Atoi(m[1])
		if p < last {
			t.Errorf("progress went from %d%% to %d%%", last, p)
		}
		last = p
	}
}

func TestRunKnownBadBuildRollsBack(t *testing.T) {
	got, err := runTour(t, options{agent: "wow-memory", version: "0.5.0", strategy: servicing.StrategyRolling})
	if err != nil {
		t.Fatalf("run: %v\n%s", err, got)
	}
	wantLines(t, got,
		"KNOWN-BAD BUILD",
		"rolling_back: rollback",
		"Rolled back: auto-rollback in batch_1: the error rate 12 % is above the threshold of 5 %",
		"WowMemory runs 0.4.2 and is online, healthy.",
		"0.4.2→0.5.0  rolling  rolled_back",
	)
}

func TestRunRefusals(t *testing.T) {
	for _, c := range []struct {
		o  options
		is error
	}{
		{options{agent: "nobody", strategy: servicing.StrategyCanary}, platform.ErrNotFound},
		{options{agent: "wow-search", strategy: servicing.StrategyCanary}, platform.ErrConflict},
		{options{agent: "wow-cache", strategy: "big-bang"}, platform.ErrInvalidArgument},
		{options{agent: "wow-cache", version: "0.2.0", strategy: servicing.StrategyCanary}, platform.ErrConflict},
	} {
		got, err := runTour(t, c.o)
		if !errors.Is(err, c.is) {
			t.Errorf("%+v: %v, want %v\n%s", c.o, err, c.is, got)
		}
	}
}
