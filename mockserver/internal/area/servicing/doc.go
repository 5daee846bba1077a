// Package servicing serves agent servicing: versions, upgrades and
// rollbacks (core.World.Upgrade, Rollback), the hot config (merge patches
// checked against the agent's template) and the history. Inside it,
// servicing names the SDK's package of the wire types.
package servicing
