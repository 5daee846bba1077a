package servicing

import "time"

// VersionStatus is where a version stands for an agent.
type VersionStatus string

// Version statuses. Unknown values from newer servers decode as they are.
const (
	// VersionCurrent is the version the agent runs.
	VersionCurrent VersionStatus = "current"
	// VersionAvailable can be installed (an upgrade when newer, a rollback
	// when older).
	VersionAvailable VersionStatus = "available"
	// VersionDeprecated is no longer supported; it can still be rolled
	// back to when the agent ran it.
	VersionDeprecated VersionStatus = "deprecated"
)

// Versions is GET /api/platform/agents/{id}/versions: the versions one
// agent can run.
type Versions struct {
	AgentID        string `json:"agent_id"`
	CurrentVersion string `json:"current_version"`
	// AvailableVersions is every version of the agent's line, the current
	// one included, newest first.
	AvailableVersions []Version `json:"available_versions"`
	// Changelog is what changed from the current version to the newest,
	// one line a version ("0.5.0 (2026-01-01): …"), newest first; "" when
	// the agent runs the newest version.
	Changelog string `json:"changelog"`
}

// Recommended is the version the platform recommends upgrading to (the
// newest version newer than the current one that is not a known-bad
// build), or nil when there is none.
func (v Versions) Recommended() *Version {
	for i := range v.AvailableVersions {
		if v.AvailableVersions[i].Recommended {
			return &v.AvailableVersions[i]
		}
	}
	return nil
}

// Find returns the entry of version, or nil when the agent has no such
// version.
func (v Versions) Find(version string) *Version {
	for i := range v.AvailableVersions {
		if v.AvailableVersions[i].Version == version {
			return &v.AvailableVersions[i]
		}
	}
	return nil
}

// Version is one version of an agent.
type Version struct {
	Version     string        `json:"version"`
	ReleaseDate time.Time     `json:"release_date"`
	Status      VersionStatus `json:"status"`
	Changelog   string        `json:"changelog"`
	// BreakingChanges lists what a caller of the agent must change when
	// moving to this version; empty when nothing.
	BreakingChanges []string `json:"breaking_changes"`
	// Recommended marks the one version to upgrade to, if any.
	Recommended bool `json:"recommended"`
}
