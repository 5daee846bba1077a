package servicing

import (
	"fmt"
	"slices"
	"time"
)

// Strategy is how an upgrade moves traffic to the new version.
type Strategy string

// Strategies.
const (
	// StrategyBlueGreen deploys the new version beside the old one,
	// validates it, switches all traffic at once and retires the old one.
	// Phases: deploy_green, validate, switch_traffic, retire_blue.
	StrategyBlueGreen Strategy = "blue-green"
	// StrategyCanary sends 10 %, then 50 %, then 100 % of the traffic to
	// the new version. Phases: canary_10, canary_50, canary_100, each with
	// its TrafficPercent.
	StrategyCanary Strategy = "canary"
	// StrategyRolling replaces the agent's instances one batch at a time.
	// Phases: batch_1 … batch_n.
	StrategyRolling Strategy = "rolling"
)

// Kind tells an upgrade from a rollback.
type Kind string

// Kinds.
const (
	KindUpgrade  Kind = "upgrade"
	KindRollback Kind = "rollback"
)

// UpgradeStatus is where an upgrade is.
type UpgradeStatus string

// Upgrade statuses: pending → in_progress → completed; or, when the new
// version breaks the auto-rollback thresholds, in_progress → rolling_back →
// rolled_back (the agent keeps its version). Unknown values from newer
// servers decode as they are.
const (
	UpgradePending     UpgradeStatus = "pending"
	UpgradeInProgress  UpgradeStatus = "in_progress"
	UpgradeCompleted   UpgradeStatus = "completed"
	UpgradeFailed      UpgradeStatus = "failed"
	UpgradeRollingBack UpgradeStatus = "rolling_back"
	UpgradeRolledBack  UpgradeStatus = "rolled_back"
)

// Terminal reports whether the upgrade has ended (completed, failed or
// rolled_back): it will not change any more.
func (s UpgradeStatus) Terminal() bool {
	return s == UpgradeCompleted || s == UpgradeFailed || s == UpgradeRolledBack
}

// PhaseStatus is where one phase of an upgrade is.
type PhaseStatus string

// Phase statuses. A phase whose check broke the auto-rollback thresholds is
// failed; the phases after it are skipped.
const (
	PhasePending    PhaseStatus = "pending"
	PhaseInProgress PhaseStatus = "in_progress"
	PhaseCompleted  PhaseStatus = "completed"
	PhaseFailed     PhaseStatus = "failed"
	PhaseSkipped    PhaseStatus = "skipped"
)

// Names of the phases, by strategy. Rolling upgrades name theirs batch_1 …
// batch_n. An upgrade that rolls back adds a phase PhaseRollback.
const (
	PhaseDeployGreen   = "deploy_green"
	PhaseValidate      = "validate"
	PhaseSwitchTraffic = "switch_traffic"
	PhaseRetireBlue    = "retire_blue"
	PhaseCanary10      = "canary_10"
	PhaseCanary50      = "canary_50"
	PhaseCanary100     = "canary_100"
	PhaseRollback      = "rollback"
)

// UpgradeRequest is the body of Upgrade.
type UpgradeRequest struct {
	// TargetVersion is one of the agent's versions (see Versions), newer
	// than its current one.
	TargetVersion string   `json:"target_version"`
	Strategy      Strategy `json:"strategy"`
	// AutoRollback watches the new version and rolls it back when it
	// breaks a threshold. Nil: enabled with the platform's defaults.
	AutoRollback *AutoRollback `json:"auto_rollback,omitempty"`
	// Reason is kept with the upgrade; optional, at most 500 characters.
	Reason string `json:"reason,omitempty"`
}

// AutoRollback is when an upgrade rolls itself back. The new version is
// checked at the end of the canary_10 phase (canary), the validate phase
// (blue-green) or batch_1 (rolling).
type AutoRollback struct {
	Enabled bool `json:"enabled"`
	// ErrorRateThreshold is the highest acceptable error rate, a fraction
	// (0.05 is 5 %), above 0 and at most 1; 0 takes the default, 0.05.
	ErrorRateThreshold float64 `json:"error_rate_threshold,omitempty"`
	// LatencyThresholdMS is the highest acceptable p95 latency, 1-600000
	// ms; 0 takes the default, 1000.
	LatencyThresholdMS int64 `json:"latency_threshold_ms,omitempty"`
}

// RollbackRequest is the body of Rollback.
type RollbackRequest struct {
	// TargetVersion is a version the agent ran before its current one;
	// empty for the one just before it.
	TargetVersion string `json:"target_version,omitempty"`
	// Reason is required, at most 500 characters.
	Reason string `json:"reason"`
}

// Upgrade is an upgrade or a rollback of one agent: GET
// /api/platform/upgrades/{id}.
type Upgrade struct {
	UpgradeID   string        `json:"upgrade_id"`
	AgentID     string        `json:"agent_id"`
	Kind        Kind          `json:"kind"`
	FromVersion string        `json:"from_version"`
	ToVersion   string        `json:"to_version"`
	Strategy    Strategy      `json:"strategy"`
	Status      UpgradeStatus `json:"status"`
	// Progress is 0-100, by the expected time of the phases done; 100
	// once the upgrade has ended.
	Progress int     `json:"progress"`
	Phases   []Phase `json:"phases"`
	// AutoRollback is the thresholds in force, defaults applied; nil for
	// a rollback.
	AutoRollback *AutoRollback `json:"auto_rollback,omitempty"`
	Reason       string        `json:"reason,omitempty"`
	// PerformedBy is the email of who asked for it.
	PerformedBy string `json:"performed_by"`
	// StartedAt is when it was asked for.
	StartedAt time.Time `json:"started_at"`
	// CompletedAt is nil until it has ended.
	CompletedAt *time.Time `json:"completed_at"`
	// RollbackReason says why the upgrade rolled itself back.
	RollbackReason string `json:"rollback_reason,omitempty"`
}

// Clone returns a copy of u that shares nothing with it: changing one
// does not change the other.
func (u Upgrade) Clone() Upgrade {
	u.Phases = slices.Clone(u.Phases)
	if u.AutoRollback != nil {
		ar := *u.AutoRollback
		u.AutoRollback = &ar
	}
	return u
}

// CurrentPhase is the phase in progress, or nil when none is (the upgrade
// is pending or has ended).
func (u Upgrade) CurrentPhase() *Phase {
	for i := range u.Phases {
		if u.Phases[i].Status == PhaseInProgress {
			return &u.Phases[i]
		}
	}
	return nil
}

// String is a one-line summary, e.g. "upg-0007 wow-memory 0.4.2→0.4.3
// canary in_progress 40% canary_50".
func (u Upgrade) String() string {
	s := fmt.Sprintf("%s %s %s→%s %s %s %d%%", u.UpgradeID, u.AgentID, u.FromVersion, u.ToVersion, u.Strategy, u.Status, u.Progress)
	if p := u.CurrentPhase(); p != nil {
		s += " " + p.Name
	}
	return s
}

// Phase is one phase of an upgrade.
type Phase struct {
	Name   string      `json:"name"`
	Status PhaseStatus `json:"status"`
	// TrafficPercent is the share of the traffic the new version takes in
	// this phase (canary phases); nil when the strategy does not say.
	TrafficPercent *int `json:"traffic_percent,omitempty"`
	// StartedAt is nil until the phase starts; CompletedAt until it ends.
	StartedAt   *time.Time `json:"started_at"`
	CompletedAt *time.Time `json:"completed_at"`
}
