package servicing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
