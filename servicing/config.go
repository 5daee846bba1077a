package servicing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"
)

// Config is GET /api/platform/agents/{id}/config: an agent's config and
// its version.
type Config struct {
	AgentID string `json:"agent_id"`
	// ConfigVersion counts the changes: 1 for the config the agent was
	// made with, one more for each PatchConfig.
	ConfigVersion int `json:"config_version"`
	// Config is the config object. Numbers decode as float64.
	Config    map[string]any `json:"config"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// ConfigUpdate is the answer of PatchConfig: the config as applied.
type ConfigUpdate struct {
	AgentID       string    `json:"agent_id"`
	ConfigVersion int       `json:"config_version"`
	AppliedAt     time.Time `json:"applied_at"`
	// AgentReloaded is true: the agent reloaded its config in place.
	AgentReloaded bool `json:"agent_reloaded"`
	// DowntimeSeconds is 0: a config change does not stop the agent.
	DowntimeSeconds int            `json:"downtime_seconds"`
	Config          map[string]any `json:"config"`
}

// configPatch is the body of PATCH /api/platform/agents/{id}/config.
type configPatch struct {
	Config json.RawMessage `json:"config"`
	Reason string          `json:"reason,omitempty"`
}

// objectJSON encodes patch, which must be a JSON object.
func objectJSON(patch any) (json.RawMessage, error) {
	if patch == nil {
		return nil, errors.New("the patch is nil: pass a map[string]any or a json.RawMessage holding a JSON object")
	}
	raw, ok := patch.(json.RawMessage)
	if !ok {
		var err error
		if raw, err = json.Marshal(patch); err != nil {
			return nil, fmt.Errorf("encoding the patch: %w", err)
		}
	}
	t := bytes.TrimSpace(raw)
	if len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return nil, errors.New("the patch must be a JSON object")
	}
	return t, nil
}

// MergePatch applies patch to target as PatchConfig does on the platform
// (an RFC 7386 JSON merge patch: an object merges key by key, null
// removes the key, any other value replaces it) and returns the result,
// e.g. to preview a patch before sending it. target is not changed: the
// objects along the patched paths are copied. Both are decoded JSON
// (map[string]any, []any, string, float64, bool, nil).
func MergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if ok {
		t = maps.Clone(t)
	} else {
		t = map[string]any{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
			continue
		}
		t[k] = MergePatch(t[k], v)
	}
	return t
}
