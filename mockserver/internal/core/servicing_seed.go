package core

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/waooaw/waooaw-go/servicing"
)

// What the new version of an agent shows while it is checked during an
// upgrade: the figures of a known-bad build, and of every other build.
const (
	badBuildErrorRate  = 0.12
	badBuildP95MS      = 2400
	goodBuildErrorRate = 0.003
	goodBuildP95MS     = 180
)

// hasBadBuild reports whether agent id's next minor version is a known-bad
// build (its changelog says so): an upgrade to it breaks the default
// auto-rollback thresholds at its check phase.
func hasBadBuild(id string) bool {
	switch id {
	case "wow-memory", "wow-communication", "agent-004":
		return true
	}
	return false
}

const badBuildChangelog = "KNOWN-BAD BUILD: a regression in the request pool raises the error rate to 12 % " +
	"and the p95 latency to 2400 ms under load. Kept available to exercise auto-rollback; do not install."

// release is one version of an agent's line.
type release struct {
	version    string
	released   time.Time
	changelog  string
	breaking   []string
	bad        bool // a known-bad build
	deprecated bool
}

// semver is a MAJOR.MINOR.PATCH version.
type semver struct{ major, minor, patch int }

func parseSemver(v string) (semver, bool) {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return semver{}, false
	}
	var n [3]int
	for i, p := range parts {
		x, err := strconv.Atoi(p)
		if err != nil || x < 0 || x > 9999 || p != strconv.Itoa(x) {
			return semver{}, false
		}
		n[i] = x
	}
	return semver{n[0], n[1], n[2]}, true
}

func (v semver) String() string { return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch) }

// previous is the release before v: the patch before, else the minor
// before, else the last minor of the major before; false for 0.0.0.
func (v semver) previous() (semver, bool) {
	switch {
	case v.patch > 0:
		return semver{v.major, v.minor, v.patch - 1}, true
	case v.minor > 0:
		return semver{v.major, v.minor - 1, 0}, true
	case v.major > 0:
		return semver{v.major - 1, 9, 0}, true
	}
	return semver{}, false
}

// lineOf is the version line of an agent that runs version, oldest first:
// a deprecated release, the one before version, version itself, the next
// patch (recommended unless the next minor is better) and the next minor
// (with a breaking change; a known-bad build when hasBadBuild). Release
// dates are days before base. A version that is not MAJOR.MINOR.PATCH has
// a line of itself alone, and an agent with no version has none.
func lineOf(agentID, version string, base time.Time) []release {
	if version == "" {
		return nil
	}
	day := base.UTC().Truncate(24 * time.Hour)
	ago := func(days int) time.Time { return day.Add(-time.Duration(days) * 24 * time.Hour) }
	cur, ok := parseSemver(version)
	if !ok {
		return []release{{version: version, released: ago(30), changelog: "The version this agent was deployed with.", breaking: []string{}}}
	}
	var line []release
	if prev, ok := cur.previous(); ok {
		if old, ok := prev.previous(); ok {
			line = append(line, release{version: old.String(), released: ago(180), deprecated: true, breaking: []string{},
				changelog: "Security fixes. Deprecated: no longer supported, upgrade to " + version + " or newer."})
		}
		line = append(line, release{version: prev.String(), released: ago(75), breaking: []string{},
			changelog: "Stability fixes: reconnects to the event bus after a network partition."})
	}
	line = append(line, release{version: version, released: ago(30), breaking: []string{},
		changelog: "Task timeouts are configurable per task; lower memory use at idle."})
	patch := semver{cur.major, cur.minor, cur.patch + 1}
	line = append(line, release{version: patch.String(), released: ago(6), breaking: []string{},
		changelog: "Fixes and performance: 20 % faster cold start, fewer retries on transient errors."})
	minor := semver{cur.major, cur.minor + 1, 0}
	next := release{version: minor.String(), released: ago(2),
		changelog: "Task API v2 with streaming results; config reloads without a restart.",
		breaking:  []string{"the v1 task API is removed: send v2 task payloads"}}
	if hasBadBuild(agentID) {
		next.changelog, next.bad = badBuildChangelog, true
	}
	return append(line, next)
}

// seedUpgrades are the servicing history the platform starts with: past
// upgrades of some seed agents, all ended, that brought them to their seed
// versions (and one that was rolled back).
func seedUpgrades(now time.Time) []*upgradeOp {
	agents := map[string]*agentState{}
	for _, a := range seedAgents(now) {
		agents[a.AgentID] = a
	}
	day := 24 * time.Hour
	type past struct {
		agentID  string
		strategy servicing.Strategy
		ago      time.Duration
		by       string
		toNext   bool // to the next minor (a known-bad build), not from the previous version
	}
	var ops []*upgradeOp
	for _, p := range []past{
		{"wow-event", servicing.StrategyRolling, 12 * day, "release-bot@waooaw.ai", false},
		{"wow-vision-prime", servicing.StrategyBlueGreen, 7 * day, AdminEmail, false},
		{"agent-001", servicing.StrategyCanary, 5 * day, "release-bot@waooaw.ai", false},
		{"wow-memory", servicing.StrategyCanary, 3 * day, AdminEmail, false},
		{"agent-004", servicing.StrategyCanary, 2 * day, AdminEmail, true},
		{"wow-support", servicing.StrategyBlueGreen, 1 * day, "release-bot@waooaw.ai", false},
	} {
		a := agents[p.agentID]
		line := lineOf(a.AgentID, a.Version, now)
		cur := releaseIndex(line, a.Version)
		from, to := line[cur-1], line[cur]
		reason := "scheduled maintenance upgrade"
		if p.toNext {
			from, to = line[cur], line[len(line)-1]
			reason = "new task API"
		}
		ops = append(ops, planUpgrade(upgradePlan{
			kind: servicing.KindUpgrade, agentID: a.AgentID, agentName: a.Name, from: from.version, to: to.version,
			strategy: p.strategy, auto: DefaultAutoRollback(), toBad: to.bad, reason: reason, by: p.by,
		}, now.Add(-p.ago)))
	}
	return ops
}

// releaseIndex is the index of version in line, -1 when absent.
func releaseIndex(line []release, version string) int {
	for i, r := range line {
		if r.version == version {
			return i
		}
	}
	return -1
}

// genericConfigSchema is the config schema of agents made without a
// template (the platform's own agents and the seeded Business agents).
const genericConfigSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Agent config",
  "type": "object",
  "properties": {
    "max_concurrent_tasks": {"type": "integer", "minimum": 1, "maximum": 50},
    "timeout_seconds": {"type": "integer", "minimum": 1, "maximum": 3600},
    "retry_attempts": {"type": "integer", "minimum": 0, "maximum": 10},
    "memory_limit_mb": {"type": "integer", "minimum": 128, "maximum": 16384},
    "cpu_limit_percent": {"type": "integer", "minimum": 1, "maximum": 100},
    "auto_restart": {"type": "boolean"},
    "log_level": {"type": "string", "enum": ["DEBUG", "INFO", "WARN", "ERROR"]},
    "rate_limit": {"description": "Most requests a minute.", "type": "integer", "minimum": 1, "maximum": 10000}
  },
  "additionalProperties": false
}`
