// Agent-upgrade shows an agent's versions, upgrades it with the canary
// strategy and auto-rollback, follows the upgrade's phases to the end,
// changes the agent's config hot with a JSON merge patch and prints the
// agent's upgrade history.
//
//	go run ./examples/agent-upgrade [-agent wow-memory] [-version 0.4.3] [-strategy canary]
//
// -version defaults to the version the platform recommends. Try -version
// 0.5.0, a known-bad build of wow-memory, to watch auto-rollback step in.
//
// With no configuration it runs an embedded mock server in-process,
// signs in as its demo admin and moves the mock's clock on a minute at each
// reading, so the upgrade's quarter of an hour passes in a moment. Set
// WAOOAW_API_URL (and WAOOAW_TOKEN, or WAOOAW_CLIENT_ID and
// WAOOAW_CLIENT_SECRET, for an admin) to run it against a real platform or
// a mock server started with `go run ./cmd/waooaw-mock`; it then polls
// every 10 s in real time.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/servicing"
)

// options are the command line's choices.
type options struct {
	agent, version string
	strategy       servicing.Strategy
}

func main() {
	var o options
	flag.StringVar(&o.agent, "agent", "wow-memory", "the agent to upgrade")
	flag.StringVar(&o.version, "version", "", "the version to upgrade to (default: the recommended one)")
	strategy := flag.String("strategy", string(servicing.StrategyCanary), "blue-green, canary or rolling")
	flag.Parse()
	o.strategy = servicing.Strategy(*strategy)
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if err := run(ctx, os.Stdout, o, time.Millisecond); err != nil {
		fmt.Fprintln(os.Stderr, "agent-upgrade:", err)
		os.Exit(1)
	}
}

// run does the tour, reading the upgrade every poll on the embedded mock
// server (every 10 s on a real platform).
func run(ctx context.Context, out io.Writer, o options, poll time.Duration) error {
	c, advance, err := connect(out, poll)
	if err != nil {
		return err
	}
	sc := c.Servicing

	// 1. Versions.
	v, err := sc.Versions(ctx, o.agent)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\n%s runs %s. Its versions:\n", o.agent, v.CurrentVersion)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, x := range v.AvailableVersions {
		note := x.Changelog
		if x.Recommended {
			note = "RECOMMENDED  " + note
		}
		if len(x.BreakingChanges) > 0 {
			note += " Breaking: " + strings.Join(x.BreakingChanges, "; ") + "."
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", x.Version, x.Status, x.ReleaseDate.Format(time.DateOnly), note)
	}
	tw.Flush()
	target := o.version
	if target == "" {
		r := v.Recommended()
		if r == nil {
			return fmt.Errorf("%s runs the newest version: nothing to upgrade to", o.agent)
		}
		target = r.Version
	}

	// 2. Upgrade, and follow it.
	op, err := sc.Upgrade(ctx, o.agent, servicing.UpgradeRequest{
		TargetVersion: target,
		Strategy:      o.strategy,
		AutoRollback:  &servicing.AutoRollback{Enabled: true, ErrorRateThreshold: 0.05, LatencyThresholdMS: 1000},
		Reason:        "agent-upgrade example",
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nUpgrade %s: %s → %s, %s, auto-rollback above 5 %% errors or 1000 ms p95\n", op.ID(), v.CurrentVersion, target, o.strategy)
	for u, err := range op.Watch(ctx) {
		if err != nil {
			return fmt.Errorf("upgrade %s: %w", op.ID(), err)
		}
		fmt.Fprintf(out, "  [%-20s] %3d%%  %s\n", strings.Repeat("#", u.Progress/5), u.Progress, phaseNote(u))
		if advance != nil {
			advance(time.Minute)
		}
	}
	u := op.Last()
	switch u.Status {
	case servicing.UpgradeCompleted:
		fmt.Fprintf(out, "Completed in %s.\n", u.CompletedAt.Sub(u.StartedAt))
	case servicing.UpgradeRolledBack:
		fmt.Fprintf(out, "Rolled back: %s.\n", u.RollbackReason)
	default:
		fmt.Fprintf(out, "The upgrade ended %s.\n", u.Status)
	}
	a, err := c.Agents.Get(ctx, o.agent)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s runs %s and is %s, %s.\n", a.Name, a.Version, a.Status, a.Health)

	// 3. Config, changed hot.
	cfg, err := sc.Config(ctx, o.agent)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nConfig v%d: %s\n", cfg.ConfigVersion, configLine(cfg.Config))
	upd, err := sc.PatchConfig(ctx, o.agent, map[string]any{"rate_limit": 200}, "more traffic expected")
	var pe *platform.Error
	switch {
	case errors.As(err, &pe) && errors.Is(err, platform.ErrInvalidArgument):
		// An agent made from a template may have no rate_limit.
		fmt.Fprintf(out, "The patch was refused, nothing changed:\n")
		for _, d := range pe.Details {
			fmt.Fprintf(out, "  %s: %s\n", d.Field, d.Issue)
		}
	case err != nil:
		return err
	default:
		fmt.Fprintf(out, "Patched to v%d at %s, reloaded with %d s of downtime: %s\n",
			upd.ConfigVersion, upd.AppliedAt.Format(time.TimeOnly), upd.DowntimeSeconds, changes(cfg.Config, upd.Config))
	}

	// 4. History.
	fmt.Fprintf(out, "\nUpgrade history of %s:\n", o.agent)
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for h, err := range sc.History(ctx, servicing.HistoryOptions{AgentID: o.agent}) {
		if err != nil {
			return err
		}
		took := "-"
		if h.DurationMS != nil {
			took = (time.Duration(*h.DurationMS) * time.Millisecond).String()
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s→%s\t%s\t%s\t%s\t%s\n", h.UpgradeID, h.StartedAt.Format(time.DateOnly),
			h.FromVersion, h.ToVersion, h.Strategy, h.Status, took, h.PerformedBy)
	}
	return tw.Flush()
}

// phaseNote names the upgrade's status and its phase in progress.
func phaseNote(u servicing.Upgrade) string {
	p := u.CurrentPhase()
	if p == nil {
		return string(u.Status)
	}
	note := string(u.Status) + ": " + p.Name
	if p.TrafficPercent != nil {
		note += fmt.Sprintf(" (%d %% of the traffic)", *p.TrafficPercent)
	}
	return note
}

// configLine prints a config's keys in order.
func configLine(cfg map[string]any) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(cfg)) {
		parts = append(parts, fmt.Sprintf("%s=%v", k, cfg[k]))
	}
	return strings.Join(parts, " ")
}

// changes lists the keys whose values differ from before to after.
func changes(before, after map[string]any) string {
	var parts []string
	keys := slices.Collect(maps.Keys(before))
	for k := range after {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		b, inB := before[k]
		a, inA := after[k]
		switch {
		case !inA:
			parts = append(parts, fmt.Sprintf("%s deleted", k))
		case !inB:
			parts = append(parts, fmt.Sprintf("%s=%v added", k, a))
		case fmt.Sprint(a) != fmt.Sprint(b):
			parts = append(parts, fmt.Sprintf("%s %v → %v", k, b, a))
		}
	}
	if len(parts) == 0 {
		return "no change"
	}
	return strings.Join(parts, ", ")
}

// connect uses the platform named by WAOOAW_API_URL, reading long work
// every 10 s (advance is then nil), or starts an embedded mock server, signs
// in as its demo admin, reads every poll and returns a function that moves
// the mock's clock.
func connect(out io.Writer, poll time.Duration) (c *waooaw.Client, advance func(time.Duration), err error) {
	if os.Getenv("WAOOAW_API_URL") != "" {
		c, err = waooaw.New(platform.WithUserAgent("waooaw-agent-upgrade"), platform.WithPollInterval(10*time.Second))
		return c, nil, err
	}
	srv := mockserver.New()
	fmt.Fprintf(out, "Using an embedded mock server (in-process); signed in as %s.\n", mockserver.AdminEmail)
	c, err = waooaw.New(append(srv.ClientOptions(mockserver.AdminEmail),
		platform.WithUserAgent("waooaw-agent-upgrade"), platform.WithPollInterval(poll))...)
	if err != nil {
		return nil, nil, err
	}
	return c, func(d time.Duration) { srv.Advance(d) }, nil
}
