package template

import (
	"encoding/json"
	"slices"
	"strings"
)

// reservedEnvPrefix marks environment variables the platform sets itself.
const reservedEnvPrefix = "WAOOAW_"

const blankSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Blank Agent config",
  "type": "object",
  "properties": {
    "env": {
      "description": "Environment variables of the agent; names are upper case and may not start with WAOOAW_.",
      "type": "object",
      "maxProperties": 50,
      "propertyNames": {"pattern": "^[A-Z][A-Z0-9_]{0,63}$"},
      "additionalProperties": {"type": "string", "maxLength": 1024}
    },
    "event_types": {
      "description": "Event types the agent's handlers subscribe to.",
      "type": "array",
      "maxItems": 50,
      "uniqueItems": true,
      "items": {"type": "string", "pattern": "^[a-z][a-z0-9_.-]{0,127}$"}
    },
    "state_backend": {
      "description": "Where the agent keeps its state.",
      "type": "string",
      "enum": ["none", "memory", "redis", "postgresql"]
    }
  },
  "additionalProperties": false
}`

func blankTemplate() *builtin {
	return newBuiltin(builtin{
		desc: Description{
			TemplateID:           "tmpl-blank",
			Name:                 "Blank Agent",
			Description:          "Start from scratch with no pre-configured capabilities. Full customization available.",
			Category:             "custom",
			Complexity:           "high",
			Version:              builtinVersion,
			ConfigSchema:         json.RawMessage(blankSchema),
			DefaultConfig:        json.RawMessage(`{}`),
			ResourceDefaults:     Resources{CPUCores: 1, MemoryGB: 2, StorageGB: 5},
			ResourceLimits:       ResourceLimits{Min: Resources{CPUCores: 0.5, MemoryGB: 0.5, StorageGB: 1}, Max: Resources{CPUCores: 4, MemoryGB: 8, StorageGB: 100}},
			RequiredCapabilities: []string{},
			OptionalCapabilities: []string{"custom_logic", "event_handlers", "state_management"},
		},
		rules:  blankRules,
		render: blankRender,
	})
}

func blankRules(cfg map[string]any) []Issue {
	env, _ := cfg["env"].(map[string]any)
	var issues []Issue
	for name := range env {
		if strings.HasPrefix(name, reservedEnvPrefix) {
			issues = append(issues, Issue{Field: "env." + name, Issue: "is reserved for the platform (names starting with " + reservedEnvPrefix + "); choose another name"})
		}
	}
	return issues
}

// blankRender passes env through to the spec and makes the state backend a
// dependency.
func blankRender(cfg map[string]any, spec *Spec) {
	if env, ok := cfg["env"].(map[string]any); ok && len(env) > 0 {
		spec.Env = make(map[string]string, len(env))
		for k, v := range env {
			if s, ok := v.(string); ok {
				spec.Env[k] = s
			}
		}
	}
	switch b, _ := cfg["state_backend"].(string); b {
	case "redis", "postgresql":
		if !slices.Contains(spec.Dependencies, b) {
			spec.Dependencies = append(spec.Dependencies, b)
		}
	}
}
