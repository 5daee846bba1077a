package template

import (
	"encoding/json"
	"fmt"
)

// maxShortTermRetentionDays is how long short_term memory may keep anything.
const maxShortTermRetentionDays = 7

const memorySchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Memory Agent config",
  "type": "object",
  "properties": {
    "memory_type": {
      "description": "Where memories live: short_term (in Redis), long_term (in PostgreSQL), hybrid (both) or vector (embeddings, for semantic search).",
      "type": "string",
      "enum": ["hybrid", "short_term", "long_term", "vector"]
    },
    "retention_days": {
      "description": "Days a memory is kept before it expires; short_term memory keeps at most 7.",
      "type": "integer",
      "minimum": 1,
      "maximum": 365
    },
    "max_context_size": {
      "description": "Most tokens of context handed to a task.",
      "type": "integer",
      "minimum": 1000,
      "maximum": 100000
    }
  },
  "required": ["memory_type", "retention_days", "max_context_size"],
  "additionalProperties": false
}`

func memoryTemplate() *builtin {
	return newBuiltin(builtin{
		desc: Description{
			TemplateID:           "tmpl-memory",
			Name:                 "Memory Agent",
			Description:          "Agent with short-term and long-term memory capabilities for knowledge retention and context management",
			Category:             "memory",
			Complexity:           "medium",
			Version:              builtinVersion,
			ConfigSchema:         json.RawMessage(memorySchema),
			DefaultConfig:        json.RawMessage(`{"max_context_size":10000,"memory_type":"hybrid","retention_days":30}`),
			ResourceDefaults:     Resources{CPUCores: 1, MemoryGB: 2, StorageGB: 10},
			ResourceLimits:       ResourceLimits{Min: Resources{CPUCores: 0.5, MemoryGB: 1, StorageGB: 5}, Max: Resources{CPUCores: 4, MemoryGB: 8, StorageGB: 100}},
			RequiredCapabilities: []string{"memory_storage", "context_retrieval"},
			OptionalCapabilities: []string{"semantic_search", "summarization", "knowledge_graph"},
		},
		deps:  []string{"redis", "postgresql"},
		rules: memoryRules,
	})
}

func memoryRules(cfg map[string]any) []Issue {
	days, ok := number(cfg["retention_days"])
	if cfg["memory_type"] == "short_term" && ok && days > maxShortTermRetentionDays {
		return []Issue{{
			Field: "retention_days",
			Issue: fmt.Sprintf("must be at most %d when memory_type is short_term; use hybrid or long_term to keep memories longer", maxShortTermRetentionDays),
		}}
	}
	return nil
}
