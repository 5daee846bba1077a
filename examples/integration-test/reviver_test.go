package main

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	waooaw "github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

// Each test gets its own seeded server: they run in parallel and never see
// each other's state.

func TestReviveRestartsBrokenAgentsOnly(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	c := waooaw.FromPlatform(ts.Client(mockserver.OperatorEmail))
	r, err := Revive(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Restarted, []string{"wow-search"}) || len(r.Failed) != 0 {
		t.Fatalf("report: %+v", r)
	}
	// Assert what was sent: one restart, of that agent only.
	if n := ts.Calls("POST", "/api/platform/agents/*/restart"); n != 1 {
		t.Errorf("%d restarts sent, want 1", n)
	}
	// Time-based behaviour: online 30 s later on the mock's clock.
	ts.Advance(30 * time.Second)
	a, err := c.Agents.Get(context.Background(), "wow-search")
	if err != nil || a.Status != platform.AgentOnline {
		t.Errorf("after 30 s: %+v %v", a, err)
	}
}

func TestReviveRidesOutAnOutage(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	// The platform answers 503 with Retry-After twice, then recovers.
	ts.AddFault(mockserver.Fault{Method: "POST", Path: "/api/platform/agents/*/restart", Status: 503, RetryAfter: 1, Count: 2})
	r, err := Revive(context.Background(), waooaw.FromPlatform(ts.Client(mockserver.OperatorEmail)))
	if err != nil || len(r.Restarted) != 1 {
		t.Fatalf("report %+v, %v", r, err)
	}
	calls := ts.Journal(mockserver.JournalFilter{Method: "POST", Path: "/api/platform/agents/*/restart"})
	if len(calls) != 3 || calls[0].IdempotencyKey == "" ||
		calls[1].IdempotencyKey != calls[0].IdempotencyKey || calls[2].IdempotencyKey != calls[0].IdempotencyKey {
		t.Errorf("want 3 attempts with one Idempotency-Key, got %+v", calls)
	}
}

func TestReviveReportsWhatItCannotDo(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	r, err := Revive(context.Background(), waooaw.FromPlatform(ts.Client(mockserver.ViewerEmail)))
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(r.Failed["wow-search"], platform.ErrPermissionDenied) {
		t.Errorf("viewer: %+v", r)
	}
	if n := ts.Calls("POST", "/api/platform/agents/*/restart"); n != 1 {
		t.Errorf("a 403 was retried: %d calls", n)
	}
}

func TestReviveStopsWhenThePlatformIsDown(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	ts.AddFault(mockserver.Fault{Method: "GET", Path: "/api/platform/agents", Status: 503})
	_, err := Revive(context.Background(), waooaw.FromPlatform(ts.Client(mockserver.OperatorEmail)))
	var perr *platform.Error
	if !errors.As(err, &perr) || !errors.Is(err, platform.ErrUnavailable) || perr.Attempts != 4 {
		t.Errorf("err = %v, want unavailable after 4 attempts", err)
	}
}

func TestRunPrintsTheReport(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts an embedded server")
	}
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "restarted wow-search") {
		t.Errorf("output:\n%s", out.String())
	}
}
