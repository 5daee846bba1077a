package template

import "encoding/json"

const monitoringSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Monitoring Agent config",
  "type": "object",
  "properties": {
    "check_interval_seconds": {
      "description": "Seconds between two health checks.",
      "type": "integer",
      "minimum": 10,
      "maximum": 3600
    },
    "alert_threshold": {
      "description": "Fraction (0-1) of a limit at which an alert fires.",
      "type": "number",
      "exclusiveMinimum": 0,
      "maximum": 1
    },
    "auto_remediate": {
      "description": "Restart or scale what fails its checks without waiting for an operator.",
      "type": "boolean"
    },
    "endpoints": {
      "description": "URLs to check.",
      "type": "array",
      "maxItems": 50,
      "uniqueItems": true,
      "items": {"type": "string", "format": "uri", "pattern": "^https?://", "maxLength": 2048}
    }
  },
  "required": ["check_interval_seconds", "alert_threshold", "auto_remediate"],
  "additionalProperties": false
}`

func monitoringTemplate() *builtin {
	return newBuiltin(builtin{
		desc: Description{
			TemplateID:           "tmpl-monitoring",
			Name:                 "Monitoring Agent",
			Description:          "System health checks, performance monitoring, alerting, and automated diagnostics",
			Category:             "monitoring",
			Complexity:           "low",
			Version:              builtinVersion,
			ConfigSchema:         json.RawMessage(monitoringSchema),
			DefaultConfig:        json.RawMessage(`{"alert_threshold":0.8,"auto_remediate":false,"check_interval_seconds":60}`),
			ResourceDefaults:     Resources{CPUCores: 0.5, MemoryGB: 1, StorageGB: 5},
			ResourceLimits:       ResourceLimits{Min: Resources{CPUCores: 0.5, MemoryGB: 0.5, StorageGB: 1}, Max: Resources{CPUCores: 2, MemoryGB: 4, StorageGB: 50}},
			RequiredCapabilities: []string{"health_checks", "metrics_collection", "alerting"},
			OptionalCapabilities: []string{"auto_remediation", "predictive_alerts", "log_analysis"},
		},
		deps: []string{"prometheus_client", "redis"},
	})
}
