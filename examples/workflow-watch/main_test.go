package main

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/waooaw/waooaw-go/platform"
)

func noEnv(string) string { return "" }

func TestFollowsTheRunningWorkflowToTheEnd(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	if err := run(context.Background(), []string{"-interval", "1ms", "-width", "20"}, &out, noEnv); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	headers := regexp.MustCompile(`(?m)^── wf-001 · reading (\d+) · (\S+) · (\w+) · (\d+)%`).FindAllStringSubmatch(got, -1)
	if len(headers) < 3 {
		t.Fatalf("%d readings, want several:\n%s", len(headers), got)
	}
	if first, last := headers[0], headers[len(headers)-1]; first[3] != "running" || first[4] != "60" ||
		last[3] != "completed" || last[4] != "100" || last[2] != "10:10:00" {
		t.Errorf("first reading %q, last %q", first[0], last[0])
	}
	if strings.Contains(got, "\x1b[") {
		t.Error("screen control codes written to a non-terminal")
	}
	if !strings.HasSuffix(got, "wf-001 \"Customer Onboarding\" for Acme Corp ended completed after 25m0s.\n") {
		t.Errorf("no summary at the end:\n%s", got[max(0, len(got)-300):])
	}
}

func TestFollowsOtherWorkflows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want []string
	}{
		// Failed: one reading, and how to retry.
		{[]string{"-id", "wf-003"}, []string{"reading 1 ", "ended failed", `RetryTask(ctx, "wf-003", "task-101")`, "API timeout after 30s"}},
		// Pending: it starts 45 minutes in and then runs to the end.
		{[]string{"-id", "wf-004", "-step", "10m", "-interval", "1ms"}, []string{"· pending ·", "· running ·", "ended completed"}},
		// Redrawn for terminals.
		{[]string{"-id", "wf-002", "-redraw"}, []string{"\x1b[H\x1b[2J── wf-002", "ended completed"}},
	} {
		var out strings.Builder
		if err := run(context.Background(), tc.args, &out, noEnv); err != nil {
			t.Errorf("%v: %v", tc.args, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v: output lacks %q:\n%s", tc.args, w, out.String())
			}
		}
	}
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-width", "5"},
		{"-interval", "-1s"},
		{"-step", "0s"},
		{"wf-001"},
		{"-nope"},
	} {
		var out strings.Builder
		if err := run(context.Background(), args, &out, noEnv); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	var out strings.Builder
	err := run(context.Background(), []string{"-id", "wf-999"}, &out, noEnv)
	if !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("unknown workflow: %v", err)
	}
}

func TestStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out strings.Builder
	if err := run(ctx, nil, &out, noEnv); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
