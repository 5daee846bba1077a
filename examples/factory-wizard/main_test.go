package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	t.Setenv("WAOOAW_API_URL", "")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, "support-memory", time.Millisecond); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"1. Template: ok",
		"2. Configure: ok",
		"3. Resources: ok",
		"$23.00 a month on professional", // (10 × 1 + 5 × 2) × 1 + 0.10 × 20 + 1
		`{"max_context_size":10000,"memory_type":"hybrid","retention_days":90}`,
		"5. Deploy: agent agent-101, deployment dep-0001",
		"  0%  pending",
		"100%  completed",
		"Agent support-memory (agent-101) is online.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the output has no %q:\n%s", want, got)
		}
	}
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

func TestRunRefusesABadName(t *testing.T) {
	t.Setenv("WAOOAW_API_URL", "")
	var out bytes.Buffer
	err := run(t.Context(), &out, "bad name!", time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "agent_name") {
		t.Fatalf("run with a bad name: %v, want an agent_name problem", err)
	}
}
