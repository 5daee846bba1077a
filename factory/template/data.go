package template

import (
	"encoding/json"
	"fmt"
)

const dataSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Data Processing Agent config",
  "type": "object",
  "properties": {
    "batch_size": {
      "description": "Records processed per batch.",
      "type": "integer",
      "minimum": 1,
      "maximum": 100000
    },
    "validation_strict": {
      "description": "Reject a whole batch when a record fails validation, instead of skipping the record.",
      "type": "boolean"
    },
    "error_threshold": {
      "description": "Fraction of failed records (0-1) at which a run stops.",
      "type": "number",
      "minimum": 0,
      "maximum": 1
    },
    "sources": {
      "description": "Where records come from; names are unique.",
      "type": "array",
      "maxItems": 20,
      "items": {
        "type": "object",
        "properties": {
          "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,62}$"},
          "url": {"type": "string", "format": "uri", "maxLength": 2048}
        },
        "required": ["name", "url"],
        "additionalProperties": false
      }
    }
  },
  "required": ["batch_size", "validation_strict", "error_threshold"],
  "additionalProperties": false
}`

func dataTemplate() *builtin {
	return newBuiltin(builtin{
		desc: Description{
			TemplateID:           "tmpl-data",
			Name:                 "Data Processing Agent",
			Description:          "ETL pipelines with data validation, transformation, enrichment, and batch processing capabilities",
			Category:             "data",
			Complexity:           "medium",
			Version:              builtinVersion,
			ConfigSchema:         json.RawMessage(dataSchema),
			DefaultConfig:        json.RawMessage(`{"batch_size":1000,"error_threshold":0.01,"validation_strict":true}`),
			ResourceDefaults:     Resources{CPUCores: 2, MemoryGB: 4, StorageGB: 20},
			ResourceLimits:       ResourceLimits{Min: Resources{CPUCores: 1, MemoryGB: 2, StorageGB: 10}, Max: Resources{CPUCores: 4, MemoryGB: 8, StorageGB: 100}},
			RequiredCapabilities: []string{"data_validation", "transformation", "batch_processing"},
			OptionalCapabilities: []string{"enrichment", "deduplication", "compression", "encryption"},
		},
		deps:  []string{"pandas", "redis", "postgresql"},
		rules: dataRules,
	})
}

// dataRules: source names are unique, which uniqueItems cannot say (it
// compares whole items).
func dataRules(cfg map[string]any) []Issue {
	sources, _ := cfg["sources"].([]any)
	var issues []Issue
	first := map[string]int{}
	for i, s := range sources {
		src, _ := s.(map[string]any)
		name, ok := src["name"].(string)
		if !ok {
			continue
		}
		if j, dup := first[name]; dup {
			issues = append(issues, Issue{
				Field: fmt.Sprintf("sources[%d].name", i),
				Issue: fmt.Sprintf("duplicate source name %q (also sources[%d].name)", name, j),
			})
			continue
		}
		first[name] = i
	}
	return issues
}
