package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/waooaw/waooaw-go/servicing"
)

var strategies = []string{"blue-green", "canary", "rolling"}
var upgradeStatuses = []string{"pending", "in_progress", "completed", "failed", "rolling_back", "rolled_back"}

func (a *app) servicingCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "servicing", Short: "Versions, upgrades, rollback, hot config and history", Args: noArgs, RunE: showHelp}
	agentAnn := func(role string) map[string]string {
		m := map[string]string{annList: "waooaw agents list"}
		if role != "" {
			m[annRole] = role
		}
		return m
	}
	versions := &cobra.Command{
		Use: "versions AGENT", Short: "The versions an agent can run, and what changed", Args: exactArgs("AGENT"),
		Annotations: agentAnn(""), ValidArgsFunction: a.completeAgents,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.sdk()
			if err != nil {
				return err
			}
			v, err := c.Servicing.Versions(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if a.output == "json" {
				return a.printJSON(v)
			}
			if a.quiet {
				for _, x := range v.AvailableVersions {
					fmt.Fprintln(a.stdout, x.Version)
				}
				return nil
			}
			a.say("%s runs %s.", v.AgentID, v.CurrentVersion)
			rows := [][]string{}
			for _, x := range v.AvailableVersions {
				rec := ""
				if x.Recommended {
					rec = "recommended"
				}
				if len(x.BreakingChanges) > 0 {
					rec = strings.TrimSpace(rec + " breaking: " + strings.Join(x.BreakingChanges, "; "))
				}
				rows = append(rows, []string{x.Version, string(x.Status), x.ReleaseDate.UTC().Format("2006-01-02"), dash(rec), x.Changelog})
			}
			a.table([]string{"VERSION", "STATUS", "RELEASED", "NOTE", "CHANGES"}, rows)
			return nil
		},
	}
	var to, strategy, reason string
	var noRollback, noWait bool
	var errRate float64
	var latency int64
	upgrade := &cobra.Command{
		Use:   "upgrade AGENT [--to VERSION] [flags]",
		Short: "Upgrade an agent, with its phases' progress",
		Long: `Upgrade an agent to --to (default: the recommended version) with --strategy
(blue-green, canary or rolling), watching the new version with auto-rollback
unless --no-auto-rollback. The command follows the phases until the upgrade
ends; --no-wait returns at once. Needs the admin role.`,
		Example: "  waooaw servicing upgrade wow-memory --strategy canary",
		Args:    exactArgs("AGENT"), Annotations: agentAnn("admin"), ValidArgsFunction: a.completeAgents,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := enumFlag(cmd, "strategy", strategy, strategies...); err != nil {
				return err
			}
			if errRate < 0 || errRate > 1 || latency < 0 {
				return usageErr(cmd, "--error-rate is a fraction 0-1 and --latency-ms positive")
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if to == "" {
				v, err := c.Servicing.Versions(ctx, args[0])
				if err != nil {
					return err
				}
				rec := v.Recommended()
				if rec == nil {
					return &cliError{code: exitConflict, msg: fmt.Sprintf("%s runs %s and no newer version is recommended", args[0], v.CurrentVersion),
						hint: "pick one with --to (see `waooaw servicing versions " + args[0] + "`)"}
				}
				to = rec.Version
			}
			req := servicing.UpgradeRequest{TargetVersion: to, Strategy: servicing.Strategy(strategy), Reason: reason}
			if noRollback {
				req.AutoRollback = &servicing.AutoRollback{Enabled: false}
			} else if errRate != 0 || latency != 0 {
				req.AutoRollback = &servicing.AutoRollback{Enabled: true, ErrorRateThreshold: errRate, LatencyThresholdMS: latency}
			}
			op, err := c.Servicing.Upgrade(ctx, args[0], req)
			if err != nil {
				return err
			}
			return a.followUpgrade(cmd, op, noWait)
		},
	}
	f := upgrade.Flags()
	f.StringVar(&to, "to", "", "the target `version` (default: the recommended one)")
	f.StringVar(&strategy, "strategy", "blue-green", "`strategy`: blue-green, canary or rolling")
	f.BoolVar(&noRollback, "no-auto-rollback", false, "do not roll back on its own when the new version misbehaves")
	f.Float64Var(&errRate, "error-rate", 0, "auto-rollback above this error `rate` (a fraction; default 0.05)")
	f.Int64Var(&latency, "latency-ms", 0, "auto-rollback above this p95 latency in `ms` (default 1000)")
	f.StringVar(&reason, "reason", "", "why, kept in the history")
	f.BoolVar(&noWait, "no-wait", false, "return once the upgrade has started")
	upgrade.RegisterFlagCompletionFunc("strategy", complete(strategies...))

	var rbTo, rbReason string
	var rbNoWait bool
	rollback := &cobra.Command{
		Use: "rollback AGENT --reason TEXT [--to VERSION]", Short: "Move an agent back to the version it ran before",
		Args: exactArgs("AGENT"), Annotations: agentAnn("admin"), ValidArgsFunction: a.completeAgents,
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(rbReason) == "" {
				return usageErr(cmd, "--reason is required: say why, it is kept in the history")
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			op, err := c.Servicing.Rollback(cmd.Context(), args[0], servicing.RollbackRequest{TargetVersion: rbTo, Reason: rbReason})
			if err != nil {
				return err
			}
			return a.followUpgrade(cmd, op, rbNoWait)
		},
	}
	rollback.Flags().StringVar(&rbTo, "to", "", "a `version` the agent ran before (default: the one just before)")
	rollback.Flags().StringVar(&rbReason, "reason", "", "why (required)")
	rollback.Flags().BoolVar(&rbNoWait, "no-wait", false, "return once the rollback has started")

	config := &cobra.Command{Use: "config", Short: "An agent's config: get, patch", Args: noArgs, RunE: showHelp}
	cget := &cobra.Command{
		Use: "get AGENT", Short: "Show an agent's config and its version", Args: exactArgs("AGENT"),
		Annotations: agentAnn(""), ValidArgsFunction: a.completeAgents,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.sdk()
			if err != nil {
				return err
			}
			cfg, err := c.Servicing.Config(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if a.output == "json" || a.quiet {
				return a.printOne(cfg, strconv.Itoa(cfg.ConfigVersion), nil)
			}
			a.say("%s config version %d, updated %s:", cfg.AgentID, cfg.ConfigVersion, a.when(cfg.UpdatedAt))
			a.printConfig(cfg.Config)
			return nil
		},
	}
	var pfile, preason string
	var pset []string
	cpatch := &cobra.Command{
		Use:   "patch AGENT (--file FILE | --set key=value ...)",
		Short: "Change an agent's config at once (JSON merge patch)",
		Long: `Change an agent's config with a JSON merge patch (RFC 7386) from --file (-
for stdin) and/or --set key=value (the value as JSON, else a string; null
deletes the key). The platform checks it against the agent's template and
applies it at once, without downtime. Needs the admin role.`,
		Example: "  waooaw servicing config patch wow-memory --set retention_days=60 --reason 'longer memory'",
		Args:    exactArgs("AGENT"), Annotations: agentAnn("admin"), ValidArgsFunction: a.completeAgents,
		RunE: func(cmd *cobra.Command, args []string) error {
			patch, err := a.configObject(cmd, pfile, pset)
			if err != nil {
				return err
			}
			if patch == nil {
				return usageErr(cmd, "nothing to change: give --file or --set")
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			u, err := c.Servicing.PatchConfig(cmd.Context(), args[0], patch, preason)
			if err != nil {
				return err
			}
			if a.output == "json" || a.quiet {
				return a.printOne(u, strconv.Itoa(u.ConfigVersion), nil)
			}
			a.say("%s config version %d applied, agent reloaded, %d s downtime:", u.AgentID, u.ConfigVersion, u.DowntimeSeconds)
			a.printConfig(u.Config)
			return nil
		},
	}
	cpatch.Flags().StringVar(&pfile, "file", "", "the merge patch, a JSON object in `file` (- for stdin)")
	cpatch.Flags().StringArrayVar(&pset, "set", nil, "set one field, repeatable: `key=value`")
	cpatch.Flags().StringVar(&preason, "reason", "", "why, kept with the change")
	config.AddCommand(cget, cpatch)

	var hAgent, hStatus string
	history := &cobra.Command{
		Use: "history", Short: "Upgrades and rollbacks, newest first (--agent, --status)", Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := enumFlag(cmd, "status", hStatus, upgradeStatuses...); err != nil {
				return err
			}
			c, err := a.sdk()
			if err != nil {
				return err
			}
			var items []servicing.HistoryEntry
			l := list{key: "history", headers: []string{"ID", "AGENT", "KIND", "FROM", "TO", "STRATEGY", "STATUS", "BY", "STARTED"}}
			for h, err := range c.Servicing.History(cmd.Context(), servicing.HistoryOptions{AgentID: hAgent, Status: servicing.UpgradeStatus(hStatus)}) {
				if err != nil {
					return err
				}
				items = append(items, h)
				l.ids = append(l.ids, h.UpgradeID)
				l.rows = append(l.rows, []string{h.UpgradeID, h.AgentID, string(h.Kind), h.FromVersion, h.ToVersion, string(h.Strategy), string(h.Status), h.PerformedBy, a.when(h.StartedAt)})
			}
			l.items = nonNil(items)
			return a.printList(l)
		},
	}
	history.Flags().StringVar(&hAgent, "agent", "", "only this agent's `id`")
	history.Flags().StringVar(&hStatus, "status", "", "only upgrades in this `status`")
	history.RegisterFlagCompletionFunc("status", complete(upgradeStatuses...))
	cmd.AddCommand(versions, upgrade, rollback, config, history)
	return cmd
}

// followUpgrade shows an upgrade's phases until it ends (or at once with
// noWait) and turns a bad end into an error.
func (a *app) followUpgrade(cmd *cobra.Command, op *servicing.Operation, noWait bool) error {
	u := op.Last()
	if noWait {
		if a.output == "json" || a.quiet {
			return a.printOne(u, u.UpgradeID, nil)
		}
		a.say("Started %s: %s %s → %s (%s).", u.UpgradeID, u.AgentID, u.FromVersion, u.ToVersion, u.Strategy)
		return nil
	}
	pl := &progressLine{w: a.stdout}
	for r, err := range op.Watch(cmd.Context()) {
		if err != nil {
			pl.done()
			return fmt.Errorf("following %s (it goes on on the platform): %w", u.UpgradeID, err)
		}
		u = r
		if a.tty && a.output != "json" && !a.quiet {
			pl.show(fmt.Sprintf("%s %s→%s %s %3d%%  %s", u.AgentID, u.FromVersion, u.ToVersion, bar(u.Progress, 20), u.Progress, phases(u)))
		}
	}
	pl.done()
	if a.output == "json" || a.quiet {
		if err := a.printOne(u, u.UpgradeID, nil); err != nil {
			return err
		}
	} else {
		a.say("%s %s of %s %s → %s (%s): %s.", u.UpgradeID, u.Kind, u.AgentID, u.FromVersion, u.ToVersion, u.Strategy, a.paintIf(string(u.Status)))
		a.say("phases: %s", phases(u))
	}
	switch u.Status {
	case servicing.UpgradeRolledBack:
		return &cliError{code: exitFailure, msg: fmt.Sprintf("%s was rolled back: %s; %s keeps %s", u.UpgradeID, dash(u.RollbackReason), u.AgentID, u.FromVersion),
			hint: "see `waooaw logs --agent " + u.AgentID + "` before trying again"}
	case servicing.UpgradeFailed:
		return &cliError{code: exitFailure, msg: u.UpgradeID + " failed", hint: "see `waooaw logs --agent " + u.AgentID + "`"}
	}
	return nil
}

// phases is an upgrade's phases with a mark each: ✓ done, ▶ in progress,
// ✗ failed, - skipped, · pending.
func phases(u servicing.Upgrade) string {
	var parts []string
	for _, p := range u.Phases {
		m := "·"
		switch p.Status {
		case servicing.PhaseCompleted:
			m = "✓"
		case servicing.PhaseInProgress:
			m = "▶"
		case servicing.PhaseFailed:
			m = "✗"
		case servicing.PhaseSkipped:
			m = "-"
		}
		parts = append(parts, m+" "+p.Name)
	}
	return strings.Join(parts, "  ")
}

func (a *app) printConfig(cfg map[string]any) {
	w := 0
	for k := range cfg {
		w = max(w, len(k))
	}
	for _, k := range slices.Sorted(maps.Keys(cfg)) {
		b, _ := json.Marshal(cfg[k])
		a.say("  %-*s  %s", w, k, b)
	}
}
