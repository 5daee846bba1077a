package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/waooaw/waooaw-go/factory/template"
)

const templateID = "tmpl-slack-notifier"

const configSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Slack Notifier config",
  "type": "object",
  "properties": {
    "webhook_url": {
      "description": "Slack incoming-webhook URL to post to; https only.",
      "type": "string",
      "format": "uri",
      "maxLength": 2048
    },
    "channel": {
      "description": "Channel to post to, as #name.",
      "type": "string",
      "pattern": "^#[a-z0-9_-]+$",
      "maxLength": 81
    },
    "mention_on": {
      "description": "Alert severities whose messages mention @channel.",
      "type": "array",
      "uniqueItems": true,
      "items": {"type": "string", "enum": ["critical", "error", "warning", "info"]}
    },
    "rate_limit_per_min": {
      "description": "Most messages posted per minute; the rest are batched.",
      "type": "integer",
      "minimum": 1,
      "maximum": 600
    }
  },
  "required": ["webhook_url", "channel"],
  "additionalProperties": false
}`

const defaultConfig = `{"channel":"#alerts","mention_on":["critical"],"rate_limit_per_min":60,"webhook_url":"https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"}`

// config is the template's config object.
type config struct {
	WebhookURL      string   `json:"webhook_url"`
	Channel         string   `json:"channel"`
	MentionOn       []string `json:"mention_on"`
	RateLimitPerMin int      `json:"rate_limit_per_min"`
}

// notifier is the Slack notifier template. It holds no mutable state, so it
// is safe for concurrent use.
type notifier struct {
	schema *template.ConfigSchema
}

func newNotifier() (*notifier, error) {
	s, err := template.CompileConfigSchema(json.RawMessage(configSchema))
	if err != nil {
		return nil, fmt.Errorf("config schema: %w", err)
	}
	return &notifier{schema: s}, nil
}

// Describe returns the template's description.
func (n *notifier) Describe(ctx context.Context) (template.Description, error) {
	if err := ctx.Err(); err != nil {
		return template.Description{}, err
	}
	return template.Description{
		TemplateID:       templateID,
		Name:             "Slack Notifier",
		Description:      "Posts platform alerts to a Slack channel through an incoming webhook, mentioning @channel for the severities you choose.",
		Category:         "notifications",
		Complexity:       "low",
		Version:          "1.0.0",
		ConfigSchema:     json.RawMessage(configSchema),
		DefaultConfig:    json.RawMessage(defaultConfig),
		ResourceDefaults: template.Resources{CPUCores: 0.5, MemoryGB: 0.5, StorageGB: 1},
		ResourceLimits: template.ResourceLimits{
			Min: template.Resources{CPUCores: 0.5, MemoryGB: 0.5, StorageGB: 1},
			Max: template.Resources{CPUCores: 1, MemoryGB: 2, StorageGB: 5},
		},
		RequiredCapabilities: []string{"alert_routing"},
		OptionalCapabilities: []string{"message_threading", "daily_digest"},
	}, nil
}

// Validate checks config against the schema, then the rule the schema
// cannot say: the webhook must be an https URL with a host.
func (n *notifier) Validate(ctx context.Context, raw json.RawMessage) ([]template.Issue, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	issues := n.schema.Validate(raw)
	for _, is := range issues {
		if is.Field == "" || is.Field == "webhook_url" {
			return issues, nil // not an object, or the URL already faulted
		}
	}
	var c struct {
		WebhookURL *string `json:"webhook_url"`
	}
	if err := json.Unmarshal(raw, &c); err != nil || c.WebhookURL == nil {
		return issues, nil
	}
	if u, err := url.Parse(*c.WebhookURL); err != nil || u.Scheme != "https" || u.Host == "" {
		issues = append(issues, template.Issue{Field: "webhook_url", Issue: "must be an https URL (https://hooks.slack.com/services/…)"})
	}
	return issues, nil
}

// Render builds the deployment spec of a validated request.
func (n *notifier) Render(ctx context.Context, req template.RenderRequest) (template.Spec, error) {
	if err := ctx.Err(); err != nil {
		return template.Spec{}, err
	}
	raw := req.Config
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		raw = json.RawMessage(defaultConfig)
	}
	if issues := n.schema.Validate(raw); len(issues) > 0 {
		return template.Spec{}, fmt.Errorf("render %s: config is not valid: %s %s", templateID, issues[0].Field, issues[0].Issue)
	}
	var c config
	if err := json.Unmarshal(raw, &c); err != nil {
		return template.Spec{}, fmt.Errorf("render %s: config: %w", templateID, err)
	}
	if c.RateLimitPerMin == 0 {
		c.RateLimitPerMin = 60
	}
	canonical, err := json.Marshal(c)
	if err != nil {
		return template.Spec{}, fmt.Errorf("render %s: %w", templateID, err)
	}
	res := req.Resources
	if res == (template.Resources{}) {
		res = template.Resources{CPUCores: 0.5, MemoryGB: 0.5, StorageGB: 1}
	}
	plan := req.Plan
	if plan == "" {
		plan = template.PlanProfessional
	}
	return template.Spec{
		TemplateID: templateID,
		AgentName:  req.AgentName,
		Steps: []template.Step{
			{Name: "validate", DurationMS: 60_000},
			{Name: "allocate", DurationMS: 60_000},
			{Name: "provision", DurationMS: 120_000},
			{Name: "configure", DurationMS: 90_000},
			{Name: "health_check", DurationMS: 60_000},
			{Name: "online", DurationMS: 60_000},
		},
		Resources:    res,
		Plan:         plan,
		Dependencies: []string{"notifications"},
		Env: map[string]string{
			"SLACK_CHANNEL":            c.Channel,
			"SLACK_MENTION_ON":         strings.Join(c.MentionOn, ","),
			"SLACK_RATE_LIMIT_PER_MIN": strconv.Itoa(c.RateLimitPerMin),
		},
		Config: canonical,
	}, nil
}
