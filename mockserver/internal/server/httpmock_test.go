package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

func TestBehindHTTPMock(t *testing.T) {
	t.Parallel()
	srv := mockserver.New()
	mt := httpmock.NewMockTransport()
	// A canned answer for one route, the whole mock platform for the rest.
	mt.RegisterResponder("GET", "https://api.example.test/api/platform/health",
		httpmock.NewStringResponder(200, `{"status":"healthy","components":{},"checked_at":"2026-01-02T10:00:00Z"}`))
	mt.RegisterNoResponder(srv.Responder())
	pc, err := platform.New(platform.WithBaseURL("https://api.example.test"), platform.WithoutEnvironment(),
		platform.WithHTTPClient(&http.Client{Transport: mt}),
		platform.WithTokenSource(srv.TokenSource(mockserver.OperatorEmail)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if h, err := pc.Health(ctx); err != nil || len(h.Components) != 0 {
		t.Errorf("canned health: %+v %v", h, err)
	}
	a, err := pc.Agents.Restart(ctx, "wow-memory")
	if err != nil || a.Status != platform.AgentStarting {
		t.Fatalf("restart through httpmock: %+v %v", a, err)
	}
	if n := mt.GetTotalCallCount(); n != 2 {
		t.Errorf("httpmock counted %d calls", n)
	}
	if n := srv.Calls("POST", "/api/platform/agents/wow-memory/restart"); n != 1 {
		t.Errorf("journal counted %d restarts", n)
	}
}
