package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

// BenchmarkStartCallClose is the cost of a per-test server: start a seeded
// server on loopback, make one authenticated SDK call, close it.
func BenchmarkStartCallClose(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	var each []time.Duration
	for b.Loop() {
		start := time.Now()
		func() {
			tb := &cleanupTB{TB: b}
			defer tb.cleanup()
			ts := mockserver.Start(tb)
			if _, err := ts.Client(mockserver.OperatorEmail).Metrics(ctx); err != nil {
				b.Fatal(err)
			}
		}()
		each = append(each, time.Since(start))
	}
	// The goal is on the median: a per-test server, not a socket storm.
	slices.Sort(each)
	b.ReportMetric(float64(each[len(each)/2].Microseconds())/1000, "median-ms")
}

// BenchmarkNewCallInProcess is the same with no listener.
func BenchmarkNewCallInProcess(b *testing.B) {
	b.ReportAllocs()
	ctx := context.Background()
	for b.Loop() {
		srv := mockserver.New()
		pc, err := platform.New(platform.WithBaseURL("http://mock.invalid"), platform.WithoutEnvironment(),
			platform.WithHTTPClient(&http.Client{Transport: srv.Transport()}),
			platform.WithTokenSource(srv.TokenSource(mockserver.OperatorEmail)))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := pc.Metrics(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// cleanupTB runs Cleanup functions when told, so a benchmark iteration can
// start and close its own server.
type cleanupTB struct {
	testing.TB
	fns []func()
}

func (c *cleanupTB) Cleanup(f func()) { c.fns = append(c.fns, f) }

func (c *cleanupTB) cleanup() {
	for i := len(c.fns) - 1; i >= 0; i-- {
		c.fns[i]()
	}
}

// BenchmarkListAgentsAfterChange is a read of the first page of the agent
// list right after a change (so never from the answer cache), with 5,000
// agents: the cost of paging a store that grew.
func BenchmarkListAgentsAfterChange(b *testing.B) {
	b.ReportAllocs()
	srv := mockserver.New()
	seed := mockserver.Seed{}
	for i := range 5000 {
		seed.Agents = append(seed.Agents, platform.Agent{Name: fmt.Sprintf("Bench agent %04d", i), Status: platform.AgentOnline})
	}
	if _, err := srv.Seed(seed); err != nil {
		b.Fatal(err)
	}
	tok, err := srv.Token(mockserver.OperatorEmail, "", 24*time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	call := func(method, path string) int {
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec.Code
	}
	for b.Loop() {
		b.StopTimer()
		if code := call("POST", "/api/platform/agents/agent-001/restart"); code != http.StatusAccepted && code != http.StatusOK {
			b.Fatalf("restart: %d", code)
		}
		b.StartTimer()
		if code := call("GET", "/api/platform/agents?status=online&page_size=50"); code != http.StatusOK {
			b.Fatalf("list: %d", code)
		}
	}
}
