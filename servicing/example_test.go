package servicing_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/servicing"
)

// exampleClient is a platform client signed in as email on an in-memory
// mock server.
func exampleClient(srv *mockserver.Server, email string, opts ...platform.Option) *platform.Client {
	pc, err := platform.New(append([]platform.Option{
		platform.WithBaseURL("http://waooaw-mock.local"),
		platform.WithHTTPClient(&http.Client{Transport: srv.Transport()}),
		platform.WithTokenSource(srv.TokenSource(email)),
		platform.WithoutEnvironment(),
	}, opts...)...)
	if err != nil {
		log.Fatal(err)
	}
	return pc
}

// Show the versions an agent can run.
func ExampleClient_Versions() {
	ctx := context.Background()
	sc := servicing.New(exampleClient(mockserver.New(), mockserver.ViewerEmail))
	v, err := sc.Versions(ctx, "wow-memory")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("wow-memory runs", v.CurrentVersion)
	for _, x := range v.AvailableVersions {
		rec := ""
		if x.Recommended {
			rec = " (recommended)"
		}
		fmt.Printf("  %-6s %-10s %s%s\n", x.Version, x.Status, x.ReleaseDate.Format(time.DateOnly), rec)
	}
	// Output:
	// wow-memory runs 0.4.2
	//   0.5.0  available  2025-12-31
	//   0.4.3  available  2025-12-27 (recommended)
	//   0.4.2  current    2025-12-03
	//   0.4.1  available  2025-10-19
	//   0.4.0  deprecated 2025-07-06
}

// Upgrade an agent with the canary strategy and follow its phases. The mock
// server's clock is moved on between readings, so the upgrade's quarter of
// an hour passes at once.
func ExampleClient_Upgrade() {
	ctx := context.Background()
	srv := mockserver.New()
	pc := exampleClient(srv, mockserver.AdminEmail, platform.WithPollInterval(time.Millisecond))
	sc := servicing.New(pc)

	op, err := sc.Upgrade(ctx, "wow-memory", servicing.UpgradeRequest{
		TargetVersion: "0.4.3",
		Strategy:      servicing.StrategyCanary,
		AutoRollback:  &servicing.AutoRollback{Enabled: true, ErrorRateThreshold: 0.02},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(op.Last())
	srv.Advance(5 * time.Second) // out of the queue
	for u, err := range op.Watch(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(u)
		srv.Advance(5 * time.Minute)
	}
	a, err := pc.Agents.Get(ctx, "wow-memory")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Name, "runs", a.Version)
	// Output:
	// upg-0007 wow-memory 0.4.2→0.4.3 canary pending 0%
	// upg-0007 wow-memory 0.4.2→0.4.3 canary in_progress 0% canary_10
	// upg-0007 wow-memory 0.4.2→0.4.3 canary in_progress 33% canary_50
	// upg-0007 wow-memory 0.4.2→0.4.3 canary in_progress 66% canary_100
	// upg-0007 wow-memory 0.4.2→0.4.3 canary completed 100%
	// WowMemory runs 0.4.3
}

// An upgrade to a build that breaks the auto-rollback thresholds rolls
// itself back: the agent keeps its version and Wait says why.
func ExampleOperation_Wait() {
	ctx := context.Background()
	srv := mockserver.New()
	sc := servicing.New(exampleClient(srv, mockserver.AdminEmail, platform.WithPollInterval(time.Millisecond)))

	op, err := sc.Upgrade(ctx, "wow-memory", servicing.UpgradeRequest{TargetVersion: "0.5.0", Strategy: servicing.StrategyBlueGreen})
	if err != nil {
		log.Fatal(err)
	}
	srv.Advance(time.Hour) // the mock's upgrade takes minutes of its clock
	u, err := op.Wait(ctx)
	if errors.Is(err, servicing.ErrRolledBack) {
		fmt.Println(u.Status, "-", u.RollbackReason)
	}
	for _, p := range u.Phases {
		fmt.Printf("  %-14s %s\n", p.Name, p.Status)
	}
	// Output:
	// rolled_back - auto-rollback in validate: the error rate 12 % is above the threshold of 5 % and the p95 latency 2400 ms is above the threshold of 1000 ms
	//   deploy_green   completed
	//   validate       failed
	//   switch_traffic skipped
	//   retire_blue    skipped
	//   rollback       completed
}

// Change an agent's config at once with a JSON merge patch: set a key,
// delete another (nil). A config the agent's schema refuses changes
// nothing, and the error names the fields.
func ExampleClient_PatchConfig() {
	ctx := context.Background()
	sc := servicing.New(exampleClient(mockserver.New(), mockserver.AdminEmail))

	u, err := sc.PatchConfig(ctx, "agent-001", map[string]any{"rate_limit": 200, "log_level": nil}, "spring campaign")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("config v%d: rate_limit %v, log_level %v, downtime %ds\n", u.ConfigVersion, u.Config["rate_limit"], u.Config["log_level"], u.DowntimeSeconds)

	_, err = sc.PatchConfig(ctx, "agent-001", map[string]any{"rate_limit": 0, "log_level": "LOUD"}, "")
	var pe *platform.Error
	if errors.As(err, &pe) {
		for _, d := range pe.Details {
			fmt.Printf("  %s: %s\n", d.Field, d.Issue)
		}
	}
	c, err := sc.Config(ctx, "agent-001")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("still v%d\n", c.ConfigVersion)
	// Output:
	// config v2: rate_limit 200, log_level <nil>, downtime 0s
	//   config.log_level: must be one of: DEBUG, INFO, WARN, ERROR
	//   config.rate_limit: must be between 1 and 10000
	// still v2
}

// List the past upgrades that rolled back.
func ExampleClient_History() {
	ctx := context.Background()
	sc := servicing.New(exampleClient(mockserver.New(), mockserver.ViewerEmail))
	for h, err := range sc.History(ctx, servicing.HistoryOptions{Status: servicing.UpgradeRolledBack}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s %s %s→%s %s by %s in %s\n", h.UpgradeID, h.AgentName, h.FromVersion, h.ToVersion, h.Strategy,
			h.PerformedBy, time.Duration(*h.DurationMS)*time.Millisecond)
	}
	// Output:
	// upg-0005 Support Triage 1.4.0→1.5.0 canary by admin@waooaw.ai in 7m5s
}
