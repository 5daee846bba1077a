package main

import (
	"context"
	"strings"
	"testing"
	"time"

	waooaw "github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

func noEnv(string) string { return "" }

// On the embedded mock server the triage runs the recommended action and
// the diagnosis improves.
func TestEmbeddedTriage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"acme", []string{
			"cust-001  Acme Corp  ops@acme.example  3       active",
			"Root cause: WowSearch (wow-search) is in error",
			"1. restart-agent wow-search:",
			"restart-agent wow-search: done: WowSearch (wow-search) is restarting: online at 2026-01-02T10:00:30Z",
			"Moved the mock server's clock 30s on",
			"PASS  agent:wow-search  WowSearch (wow-search) is online and healthy",
			"What changed\n  agent:wow-search: fail → pass\n",
			"Playbook for the root cause: Dead-letter queue growing (pb-dlq-growing)",
		}},
		{"globex", []string{
			"Root cause: Data Migration (wf-003) failed: task Sync CRM Records (task-101) failed",
			"retry-workflow wf-003: done:",
			"What changed\n  workflow:wf-003: fail → pass\n",
		}},
		{"initech", []string{
			"agent-004  Support Triage  online  degraded",
			"clear-cache agent-004: done: cleared the cache of Support Triage (agent-004)",
			"What changed\n  agent:agent-004: warn → pass\n",
		}},
	} {
		var out strings.Builder
		if err := main1(context.Background(), []string{"-q", tc.q}, &out, noEnv); err != nil {
			t.Fatalf("%s: %v\n%s", tc.q, err, out.String())
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: output lacks %q:\n%s", tc.q, w, out.String())
			}
		}
		if tc.q != "acme" && strings.Contains(out.String(), "Moved the mock server's clock") {
			t.Errorf("%s: the clock moved without a restart", tc.q)
		}
	}
}

// remote is a triage against a platform (a mock server on loopback): the
// program does not move its clock.
func remote(t *testing.T, cfg config) (string, *mockserver.TestServer, *waooaw.Client, error) {
	t.Helper()
	ts := mockserver.Start(t)
	c := waooaw.FromPlatform(ts.Client(mockserver.OperatorEmail))
	var out strings.Builder
	err := run(context.Background(), &out, c.Helpdesk, nil, cfg)
	return out.String(), ts, c, err
}

func TestRemoteReadsOnlyWithoutFix(t *testing.T) {
	t.Parallel()
	out, _, pc, err := remote(t, config{q: "acme", interval: time.Millisecond, wait: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "run again with -fix") || strings.Contains(out, "Running the recommended actions") {
		t.Errorf("output:\n%s", out)
	}
	if a, err := pc.Agents.Get(context.Background(), "wow-search"); err != nil || a.Status != platform.AgentError {
		t.Errorf("wow-search after a read-only triage: %+v, %v", a, err)
	}
}

func TestRemoteFix(t *testing.T) {
	t.Parallel()
	out, _, _, err := remote(t, config{q: "globex", fix: true, interval: time.Millisecond, wait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Waiting up to 1m0s", "workflow:wf-003: fail → pass"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// The mock server's clock stands still, so a restarted agent never comes
// online: the wait ends at -wait with the last diagnosis.
func TestRemoteFixGivesUpAfterWait(t *testing.T) {
	t.Parallel()
	out, _, _, err := remote(t, config{q: "acme", fix: true, interval: time.Millisecond, wait: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Some fixed checks still fail after 20ms", "agent:wow-search: fail → warn"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-q", "nobody"}, `no customer matches "nobody"`},
		{[]string{"extra"}, "unexpected arguments"},
		{[]string{"-interval", "0s"}, "-interval 0s must be positive"},
		{[]string{"-wait", "-1s"}, "-wait -1s must be positive"},
		{[]string{"-nope"}, "flag provided but not defined"},
	} {
		var out strings.Builder
		err := main1(context.Background(), tc.args, &out, noEnv)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestConnectUsesTheEnvironment(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	pc, advance, err := connect(&out, func(k string) string {
		if k == "WAOOAW_API_URL" {
			return "http://127.0.0.1:1"
		}
		return ""
	})
	if err != nil && pc != nil || advance != nil || out.Len() != 0 {
		t.Errorf("connect with WAOOAW_API_URL: %v, %v, advance %v, said %q", pc, err, advance != nil, out.String())
	}
}
