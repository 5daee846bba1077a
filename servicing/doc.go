// Package servicing is the client for keeping the platform's agents up to
// date: the versions an agent can run, upgrades with a deployment strategy
// (blue-green, canary or rolling) and automatic rollback, manual rollback to
// an earlier version, hot config changes (a JSON merge patch, validated and
// applied at once, with no downtime) and the history of every upgrade.
//
// Build a client from a *platform.Client:
//
//	sc := servicing.New(pc)
//	v, err := sc.Versions(ctx, "wow-memory")
//	if err != nil {
//		return err
//	}
//	rec := v.Recommended()
//	if rec == nil {
//		return nil // up to date
//	}
//	op, err := sc.Upgrade(ctx, "wow-memory", servicing.UpgradeRequest{
//		TargetVersion: rec.Version,
//		Strategy:      servicing.StrategyCanary,
//		AutoRollback:  &servicing.AutoRollback{Enabled: true, ErrorRateThreshold: 0.05},
//	})
//	if err != nil {
//		return err
//	}
//	u, err := op.Wait(ctx) // polls until the upgrade has ended
//	if errors.Is(err, servicing.ErrRolledBack) {
//		fmt.Println("rolled back:", u.RollbackReason) // the agent kept its version
//	}
//
// Upgrades and rollbacks are long work: the platform answers at once (202)
// and the returned Operation follows the upgrade through its phases
// (Refresh, Watch, Wait). PatchConfig applies an RFC 7386 merge patch to the
// agent's config: keys present in the patch are set (objects merge
// recursively), keys set to null are deleted, and the result must pass the
// agent's template's config schema (or the generic agent config schema).
//
// Reading (Versions, GetUpgrade, Config, History) needs any signed-in role;
// Upgrade, Rollback and PatchConfig need the admin role
// (platform.ErrPermissionDenied otherwise). A request the platform cannot
// accept is refused with platform.ErrInvalidArgument, with the problems in
// the error's Details ("target_version", "config.retention_days"); an agent
// that is busy or in the wrong state (an upgrade already in progress, an
// agent that is provisioning, nothing to roll back to) with
// platform.ErrConflict, whose message names the state.
//
// The types are the JSON format of the servicing routes; the mock server
// reuses them, so the format has one definition.
package servicing
