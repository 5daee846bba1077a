package waooaw_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	waooaw "github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

func TestNewHasEveryArea(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	c, err := waooaw.New(ts.ClientOptions(mockserver.OperatorEmail)...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Platform.Metrics(ctx); err != nil {
		t.Errorf("Platform.Metrics: %v", err)
	}
	if _, err := c.Agents.Get(ctx, "wow-memory"); err != nil {
		t.Errorf("Agents.Get: %v", err)
	}
	if _, err := c.Queues.Get(ctx, "notifications"); err != nil {
		t.Errorf("Queues.Get: %v", err)
	}
	if _, err := c.Workflows.Get(ctx, "wf-001"); err != nil {
		t.Errorf("Workflows.Get: %v", err)
	}
	if _, err := c.Factory.Template(ctx, "tmpl-memory"); err != nil {
		t.Errorf("Factory.Template: %v", err)
	}
	if _, err := c.Servicing.Versions(ctx, "wow-memory"); err != nil {
		t.Errorf("Servicing.Versions: %v", err)
	}
	if _, err := c.Helpdesk.Diagnose(ctx, "cust-001"); err != nil {
		t.Errorf("Helpdesk.Diagnose: %v", err)
	}
	for _, err := range c.Logs.List(ctx, platform.LogListOptions{}) {
		if err != nil {
			t.Errorf("Logs.List: %v", err)
		}
		break
	}
	for _, err := range c.Alerts.List(ctx, platform.AlertListOptions{}) {
		if err != nil {
			t.Errorf("Alerts.List: %v", err)
		}
		break
	}
}

// The environment tests use t.Setenv, so they cannot run in parallel.

// env sets the credential variables (unset ones to "") for one test.
func env(t *testing.T, vars map[string]string) {
	for _, name := range []string{"WAOOAW_API_URL", "WAOOAW_TOKEN", "WAOOAW_CLIENT_ID", "WAOOAW_CLIENT_SECRET"} {
		t.Setenv(name, vars[name])
	}
}

func newFromEnv(t *testing.T, ts *mockserver.TestServer) *waooaw.Client {
	t.Helper()
	c, err := waooaw.New(platform.WithHTTPClient(ts.HTTPClient()), platform.WithBackoff(time.Millisecond, time.Millisecond))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestEnvTokenServesManyCallsOnTheServersClock(t *testing.T) {
	ts := mockserver.Start(t) // its clock stands at 2026-01-02, far behind this machine's
	tok, err := ts.Token(mockserver.OperatorEmail, "operator", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	env(t, map[string]string{"WAOOAW_API_URL": ts.URL, "WAOOAW_TOKEN": tok})
	c := newFromEnv(t, ts)
	for i := range 5 {
		if _, err := c.Platform.Metrics(context.Background()); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
}

func TestEnvTokenExpired(t *testing.T) {
	ts := mockserver.Start(t)
	tok, err := ts.Token(mockserver.OperatorEmail, "operator", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ts.Advance(2 * time.Minute)
	env(t, map[string]string{"WAOOAW_API_URL": ts.URL, "WAOOAW_TOKEN": tok})
	c := newFromEnv(t, ts)
	_, err = c.Platform.Metrics(context.Background())
	if !errors.Is(err, auth.ErrTokenExpired) || !errors.Is(err, auth.ErrReauthRequired) {
		t.Errorf("error = %v, want auth.ErrTokenExpired and ErrReauthRequired", err)
	}
	// Refused once, the token is not sent again.
	before := ts.Calls("GET", "/api/platform/metrics")
	if _, err := c.Platform.Metrics(context.Background()); !errors.Is(err, auth.ErrTokenExpired) {
		t.Errorf("second call: %v, want auth.ErrTokenExpired", err)
	}
	if n := ts.Calls("GET", "/api/platform/metrics") - before; n != 0 {
		t.Errorf("the refused token was sent %d more time(s)", n)
	}
}

func TestEnvHalfSetCredentials(t *testing.T) {
	for _, tt := range []struct {
		name string
		vars map[string]string
		want string
	}{
		{"id without secret", map[string]string{"WAOOAW_CLIENT_ID": "ci"}, "$WAOOAW_CLIENT_SECRET is not"},
		{"secret without id", map[string]string{"WAOOAW_CLIENT_SECRET": "s"}, "$WAOOAW_CLIENT_ID is not"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env(t, tt.vars)
			_, err := waooaw.New(platform.WithBaseURL("http://127.0.0.1:1"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestEnvClientCredentialsRecoverFromA401(t *testing.T) {
	ts := mockserver.Start(t)
	env(t, map[string]string{"WAOOAW_API_URL": ts.URL, "WAOOAW_CLIENT_ID": mockserver.CIClientID, "WAOOAW_CLIENT_SECRET": mockserver.CIClientSecret})
	c := newFromEnv(t, ts)
	ctx := context.Background()
	for range 3 { // one token serves many calls, on a frozen server clock too
		if _, err := c.Platform.Metrics(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := ts.Calls("POST", "/auth/token"); n != 1 {
		t.Fatalf("%d token request(s) for three calls, want 1", n)
	}
	if _, err := ts.AddFault(mockserver.Fault{Method: "GET", Path: "/api/platform/metrics", Status: 401, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Platform.Metrics(ctx); err != nil {
		t.Fatalf("after one 401: %v, want the call to renew the token and succeed", err)
	}
	if n := ts.Calls("POST", "/auth/token"); n != 2 {
		t.Errorf("%d token request(s), want 2 (one renewal after the 401)", n)
	}
}

func TestOptionsAreCheckedByNew(t *testing.T) {
	t.Parallel()
	if _, err := waooaw.New(platform.WithPollInterval(-time.Second)); !errors.Is(err, platform.ErrInvalidArgument) {
		t.Errorf("New(WithPollInterval(-1s)) = %v, want ErrInvalidArgument", err)
	}
}
