package main

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/waooaw/waooaw-go/factory/plugin/plugintest"
	"github.com/waooaw/waooaw-go/factory/template"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func newTemplate(t *testing.T) template.Template {
	t.Helper()
	n, err := newNotifier()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestConformance(t *testing.T) {
	t.Parallel()
	t.Run("in-process", func(t *testing.T) {
		t.Parallel()
		plugintest.Conformance(t, newTemplate(t))
	})
	t.Run("grpc", func(t *testing.T) {
		t.Parallel()
		plugintest.Conformance(t, plugintest.Serve(t, newTemplate(t)))
	})
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tmpl := plugintest.Serve(t, newTemplate(t))
	const hook = `"webhook_url": "https://hooks.slack.com/services/T1/B2/C3"`
	for _, tc := range []struct {
		name   string
		config string
		want   []template.Issue
	}{
		{"defaults", defaultConfig, nil},
		{"minimal", `{` + hook + `, "channel": "#ops"}`, nil},
		{"everything", `{` + hook + `, "channel": "#ops_team-1", "mention_on": ["critical", "error"], "rate_limit_per_min": 600}`, nil},
		{"http webhook", `{"webhook_url": "http://hooks.slack.com/x", "channel": "#ops"}`,
			[]template.Issue{{Field: "webhook_url", Issue: "must be an https URL (https://hooks.slack.com/services/…)"}}},
		{"not a url", `{"webhook_url": "hooks", "channel": "#ops"}`,
			[]template.Issue{{Field: "webhook_url", Issue: "must be a valid uri"}}},
		{"channel without #", `{` + hook + `, "channel": "ops"}`,
			[]template.Issue{{Field: "channel", Issue: "must match the pattern ^#[a-z0-9_-]+$"}}},
		{"upper-case channel", `{` + hook + `, "channel": "#Ops"}`,
			[]template.Issue{{Field: "channel", Issue: "must match the pattern ^#[a-z0-9_-]+$"}}},
		{"unknown severity", `{` + hook + `, "channel": "#ops", "mention_on": ["critical", "panic"]}`,
			[]template.Issue{{Field: "mention_on[1]", Issue: "must be one of: critical, error, warning, info"}}},
		{"rate limit 0", `{` + hook + `, "channel": "#ops", "rate_limit_per_min": 0}`,
			[]template.Issue{{Field: "rate_limit_per_min", Issue: "must be between 1 and 600"}}},
		{"rate limit 601", `{` + hook + `, "channel": "#ops", "rate_limit_per_min": 601}`,
			[]template.Issue{{Field: "rate_limit_per_min", Issue: "must be between 1 and 600"}}},
		{"missing fields", `{}`,
			[]template.Issue{{Field: "channel", Issue: "is required"}, {Field: "webhook_url", Issue: "is required"}}},
		{"every problem at once", `{"webhook_url": "ftp://x", "channel": "ops", "rate_limit_per_min": 1.5, "color": "red"}`,
			[]template.Issue{
				{Field: "channel", Issue: "must match the pattern ^#[a-z0-9_-]+$"},
				{Field: "color", Issue: "unknown field"},
				{Field: "rate_limit_per_min", Issue: "must be an integer"},
				{Field: "webhook_url", Issue: "must be an https URL (https://hooks.slack.com/services/…)"},
			}},
		{"not an object", `[]`, []template.Issue{{Field: "", Issue: "must be a JSON object, not an array"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tmpl.Validate(t.Context(), json.RawMessage(tc.config))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Validate(%s) issues (-want +got):\n%s", tc.config, diff)
			}
		})
	}
}

func TestRender(t *testing.T) {
	t.Parallel()
	tmpl := plugintest.Serve(t, newTemplate(t))
	spec, err := tmpl.Render(t.Context(), template.RenderRequest{
		AgentName: "ops-alerts",
		Config:    json.RawMessage(`{"webhook_url": "https://hooks.slack.com/services/T1/B2/C3", "channel": "#ops", "mention_on": ["critical", "error"]}`),
		Plan:      template.PlanStarter,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := template.Spec{
		TemplateID: "tmpl-slack-notifier",
		AgentName:  "ops-alerts",
		Steps: []template.Step{
			{Name: "validate", DurationMS: 60000}, {Name: "allocate", DurationMS: 60000},
			{Name: "provision", DurationMS: 120000}, {Name: "configure", DurationMS: 90000},
			{Name: "health_check", DurationMS: 60000}, {Name: "online", DurationMS: 60000},
		},
		Resources:    template.Resources{CPUCores: 0.5, MemoryGB: 0.5, StorageGB: 1},
		Plan:         template.PlanStarter,
		Dependencies: []string{"notifications"},
		Env: map[string]string{
			"SLACK_CHANNEL":            "#ops",
			"SLACK_MENTION_ON":         "critical,error",
			"SLACK_RATE_LIMIT_PER_MIN": "60",
		},
		Config: json.RawMessage(`{"webhook_url":"https://hooks.slack.com/services/T1/B2/C3","channel":"#ops","mention_on":["critical","error"],"rate_limit_per_min":60}`),
	}
	if diff := cmp.Diff(want, spec); diff != "" {
		t.Errorf("Render (-want +got):\n%s", diff)
	}

	if _, err := tmpl.Render(t.Context(), template.RenderRequest{AgentName: "x-1", Config: json.RawMessage(`{"channel": 1}`)}); err == nil {
		t.Error("Render of an invalid config: no error")
	}
}
