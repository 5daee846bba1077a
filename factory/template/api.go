package template

import (
	"encoding/json"
	"strings"
)

const apiSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "API Integration Agent config",
  "type": "object",
  "properties": {
    "auth_type": {
      "description": "How the agent authenticates to the external API.",
      "type": "string",
      "enum": ["oauth2", "api_key", "basic", "bearer", "none"]
    },
    "rate_limit_per_min": {
      "description": "Most requests a minute to the external API.",
      "type": "integer",
      "minimum": 1,
      "maximum": 10000
    },
    "cache_ttl_seconds": {
      "description": "Seconds a response stays cached; 0 turns caching off.",
      "type": "integer",
      "minimum": 0,
      "maximum": 86400
    },
    "base_url": {
      "description": "Base URL of the external API; https unless auth_type is none.",
      "type": "string",
      "format": "uri",
      "pattern": "^https?://",
      "maxLength": 2048
    }
  },
  "required": ["auth_type", "rate_limit_per_min", "cache_ttl_seconds"],
  "additionalProperties": false
}`

func apiTemplate() *builtin {
	return newBuiltin(builtin{
		desc: Description{
			TemplateID:           "tmpl-api",
			Name:                 "API Integration Agent",
			Description:          "External API integration with authentication, rate limiting, retry logic, and response caching",
			Category:             "api",
			Complexity:           "low",
			Version:              builtinVersion,
			ConfigSchema:         json.RawMessage(apiSchema),
			DefaultConfig:        json.RawMessage(`{"auth_type":"oauth2","cache_ttl_seconds":300,"rate_limit_per_min":60}`),
			ResourceDefaults:     Resources{CPUCores: 0.5, MemoryGB: 1, StorageGB: 1},
			ResourceLimits:       ResourceLimits{Min: Resources{CPUCores: 0.5, MemoryGB: 0.5, StorageGB: 1}, Max: Resources{CPUCores: 2, MemoryGB: 4, StorageGB: 20}},
			RequiredCapabilities: []string{"http_client", "authentication", "rate_limiting"},
			OptionalCapabilities: []string{"caching", "retry_logic", "circuit_breaker", "webhook_handler"},
		},
		deps:  []string{"httpx", "redis"},
		rules: apiRules,
	})
}

func apiRules(cfg map[string]any) []Issue {
	u, _ := cfg["base_url"].(string)
	auth, _ := cfg["auth_type"].(string)
	if strings.HasPrefix(strings.ToLower(u), "http://") && auth != "" && auth != "none" {
		return []Issue{{Field: "base_url", Issue: "must use https when auth_type is " + auth + ", so credentials are not sent in clear text"}}
	}
	return nil
}
