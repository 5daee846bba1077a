package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	waooaw "github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/queues"
)

// TestTriageClearsEveryDLQForGood: everything retried passes (the guess of
// looksTransient agrees with the mock's seeded failures), everything else
// is deleted, so the DLQs stay empty as the consumers work.
func TestTriageClearsEveryDLQForGood(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	qc := waooaw.FromPlatform(ts.Client(mockserver.OperatorEmail)).Queues
	var out bytes.Buffer
	if err := run(context.Background(), &out, qc, options{}); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "  total          41       33       0\n") {
		t.Errorf("summary:\n%s\nwant 41 retried and 33 deleted in all", out.String())
	}
	ts.Advance(time.Hour)
	for q, err := range qc.List(context.Background(), queues.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		if q.DLQMessages != 0 {
			for m := range qc.DLQ(context.Background(), q.QueueName, queues.DLQOptions{}) {
				t.Errorf("%s: %s failed again: %s", q.QueueName, m.MessageID, m.Error)
			}
		}
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	qc := waooaw.FromPlatform(ts.Client(mockserver.OperatorEmail)).Queues
	var out bytes.Buffer
	if err := run(context.Background(), &out, qc, options{dryRun: true, verbose: true}); err != nil {
		t.Fatalf("run: %v", err)
	}
	for _, want := range []string{"retry  dlq-agent-tasks-001: Connection timeout after 30s", "dry run", "  total          41       33       0\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	d, err := qc.Get(context.Background(), "agent-tasks")
	if err != nil {
		t.Fatal(err)
	}
	if d.DLQMessages != 22 {
		t.Errorf("after a dry run: %d dead letters, want the 22 seeded", d.DLQMessages)
	}
}

func TestLooksTransient(t *testing.T) {
	t.Parallel()
	for msg, want := range map[string]bool{
		"Connection timeout after 30s":                         true,
		"upstream request timed out":                           true,
		"target answered 503 Service Unavailable":              true,
		"read: connection reset by peer":                       true,
		"SMTP 421 4.7.0 try again later: too many connections": true,
		"target answered 429 Too Many Requests":                true,
		"SMTP 550 5.1.1 mailbox unavailable: jane@x.example":   false,
		"schema validation failed: customer_id is required":    false,
		"target answered 400 Bad Request: invalid signature":   false,
		"unknown recipient: no user with id usr-9f2c41":        false,
		"": false,
	} {
		if got := looksTransient(msg); got != want {
			t.Errorf("looksTransient(%q) = %v, want %v", msg, got, want)
		}
	}
}
