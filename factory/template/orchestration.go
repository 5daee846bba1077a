package template

import "encoding/json"

const orchestrationSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Orchestration Agent config",
  "type": "object",
  "properties": {
    "max_parallel_tasks": {
      "description": "Most tasks of one workflow that run at the same time.",
      "type": "integer",
      "minimum": 1,
      "maximum": 50
    },
    "retry_strategy": {
      "description": "How long to wait between retries of a failed task.",
      "type": "string",
      "enum": ["exponential", "linear", "fixed", "none"]
    },
    "timeout_seconds": {
      "description": "Seconds a task may run before it fails.",
      "type": "integer",
      "minimum": 10,
      "maximum": 3600
    },
    "max_retries": {
      "description": "Retries of a failed task before the workflow fails; must be 0 with retry_strategy none. Default 3.",
      "type": "integer",
      "minimum": 0,
      "maximum": 10
    }
  },
  "required": ["max_parallel_tasks", "retry_strategy", "timeout_seconds"],
  "additionalProperties": false
}`

func orchestrationTemplate() *builtin {
	return newBuiltin(builtin{
		desc: Description{
			TemplateID:           "tmpl-orchestration",
			Name:                 "Orchestration Agent",
			Description:          "Multi-step workflow orchestration with task dependencies, parallel execution, and error handling",
			Category:             "orchestration",
			Complexity:           "high",
			Version:              builtinVersion,
			ConfigSchema:         json.RawMessage(orchestrationSchema),
			DefaultConfig:        json.RawMessage(`{"max_parallel_tasks":5,"retry_strategy":"exponential","timeout_seconds":300}`),
			ResourceDefaults:     Resources{CPUCores: 2, MemoryGB: 4, StorageGB: 5},
			ResourceLimits:       ResourceLimits{Min: Resources{CPUCores: 1, MemoryGB: 2, StorageGB: 5}, Max: Resources{CPUCores: 4, MemoryGB: 8, StorageGB: 50}},
			RequiredCapabilities: []string{"workflow_engine", "task_scheduling", "dependency_resolution"},
			OptionalCapabilities: []string{"parallel_execution", "conditional_branching", "rollback"},
		},
		deps:  []string{"celery", "redis", "postgresql"},
		rules: orchestrationRules,
	})
}

func orchestrationRules(cfg map[string]any) []Issue {
	retries, ok := number(cfg["max_retries"])
	if cfg["retry_strategy"] == "none" && ok && retries > 0 {
		return []Issue{{Field: "max_retries", Issue: "must be 0 when retry_strategy is none; pick another retry_strategy to retry"}}
	}
	return nil
}
