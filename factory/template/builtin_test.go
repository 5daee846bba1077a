package template_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/factory/template"
)

func builtin(t *testing.T, id string) template.Template {
	t.Helper()
	tmpl, err := template.Builtins().Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func TestBuiltinDescriptions(t *testing.T) {
	t.Parallel()
	type want struct {
		name, category, complexity string
		defaults                   string
		required, optional         []string
		resources                  template.Resources
	}
	tests := map[string]want{
		"tmpl-api": {
			"API Integration Agent", "api", "low",
			`{"auth_type":"oauth2","cache_ttl_seconds":300,"rate_limit_per_min":60}`,
			[]string{"http_client", "authentication", "rate_limiting"},
			[]string{"caching", "retry_logic", "circuit_breaker", "webhook_handler"},
			template.Resources{CPUCores: 0.5, MemoryGB: 1, StorageGB: 1},
		},
		"tmpl-blank": {
			"Blank Agent", "custom", "high", `{}`,
			[]string{},
			[]string{"custom_logic", "event_handlers", "state_management"},
			template.Resources{CPUCores: 1, MemoryGB: 2, StorageGB: 5},
		},
		"tmpl-data": {
			"Data Processing Agent", "data", "medium",
			`{"batch_size":1000,"error_threshold":0.01,"validation_strict":true}`,
			[]string{"data_validation", "transformation", "batch_processing"},
			[]string{"enrichment", "deduplication", "compression", "encryption"},
			template.Resources{CPUCores: 2, MemoryGB: 4, StorageGB: 20},
		},
		"tmpl-memory": {
			"Memory Agent", "memory", "medium",
			`{"max_context_size":10000,"memory_type":"hybrid","retention_days":30}`,
			[]string{"memory_storage", "context_retrieval"},
			[]string{"semantic_search", "summarization", "knowledge_graph"},
			template.Resources{CPUCores: 1, MemoryGB: 2, StorageGB: 10},
		},
		"tmpl-monitoring": {
			"Monitoring Agent", "monitoring", "low",
			`{"alert_threshold":0.8,"auto_remediate":false,"check_interval_seconds":60}`,
			[]string{"health_checks", "metrics_collection", "alerting"},
			[]string{"auto_remediation", "predictive_alerts", "log_analysis"},
			template.Resources{CPUCores: 0.5, MemoryGB: 1, StorageGB: 5},
		},
		"tmpl-orchestration": {
			"Orchestration Agent", "orchestration", "high",
			`{"max_parallel_tasks":5,"retry_strategy":"exponential","timeout_seconds":300}`,
			[]string{"workflow_engine", "task_scheduling", "dependency_resolution"},
			[]string{"parallel_execution", "conditional_branching", "rollback"},
			template.Resources{CPUCores: 2, MemoryGB: 4, StorageGB: 5},
		},
	}
	list, err := template.Builtins().List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"tmpl-api", "tmpl-blank", "tmpl-data", "tmpl-memory", "tmpl-monitoring", "tmpl-orchestration"}, ids(list)); diff != "" {
		t.Fatalf("ids (-want +got):\n%s", diff)
	}
	for _, d := range list {
		t.Run(d.TemplateID, func(t *testing.T) {
			t.Parallel()
			w := tests[d.TemplateID]
			got := want{d.Name, d.Category, d.Complexity, string(d.DefaultConfig), d.RequiredCapabilities, d.OptionalCapabilities, d.ResourceDefaults}
			if diff := cmp.Diff(w, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("description (-want +got):\n%s", diff)
			}
			if d.Version != "1.0.0" || d.Description == "" {
				t.Errorf("version %q, description %q", d.Version, d.Description)
			}
			common := template.ResourceLimits{
				Min: template.Resources{CPUCores: 0.5, MemoryGB: 0.5, StorageGB: 1},
				Max: template.Resources{CPUCores: 4, MemoryGB: 8, StorageGB: 100},
			}
			if !within(d.ResourceLimits.Min, common) || !within(d.ResourceLimits.Max, common) {
				t.Errorf("limits %+v outside the common ranges", d.ResourceLimits)
			}
			if !within(d.ResourceDefaults, d.ResourceLimits) {
				t.Errorf("defaults %+v outside limits %+v", d.ResourceDefaults, d.ResourceLimits)
			}
			if _, err := template.CompileConfigSchema(d.ConfigSchema); err != nil {
				t.Errorf("config schema: %v", err)
			}
			var schema map[string]any
			if err := json.Unmarshal(d.ConfigSchema, &schema); err != nil {
				t.Fatal(err)
			}
			if schema["$schema"] != "https://json-schema.org/draft/2020-12/schema" || schema["additionalProperties"] != false {
				t.Errorf("schema: $schema %v, additionalProperties %v", schema["$schema"], schema["additionalProperties"])
			}
			issues, err := builtin(t, d.TemplateID).Validate(t.Context(), d.DefaultConfig)
			if err != nil || len(issues) != 0 {
				t.Errorf("default config: issues %v, error %v", issues, err)
			}
		})
	}
}

func within(r template.Resources, l template.ResourceLimits) bool {
	return r.CPUCores >= l.Min.CPUCores && r.CPUCores <= l.Max.CPUCores &&
		r.MemoryGB >= l.Min.MemoryGB && r.MemoryGB <= l.Max.MemoryGB &&
		r.StorageGB >= l.Min.StorageGB && r.StorageGB <= l.Max.StorageGB
}

func TestBuiltinValidate(t *testing.T) {
	t.Parallel()
	type issues = []template.Issue
	tests := []struct {
		name   string
		id     string
		config string
		want   issues
	}{
		// Whole-object problems.
		{"not JSON", "tmpl-memory", `{"retention_days":`, issues{{Field: "", Issue: "is not valid JSON: unexpected EOF"}}},
		{"array", "tmpl-memory", `[1]`, issues{{Field: "", Issue: "must be a JSON object, not an array"}}},
		{"null", "tmpl-memory", `null`, issues{{Field: "", Issue: "must be a JSON object, not null"}}},
		{"empty", "tmpl-blank", ``, issues{{Field: "", Issue: "must be a JSON object"}}},
		{"trailing data", "tmpl-blank", `{} {}`, issues{{Field: "", Issue: "is not valid JSON: invalid character after top-level value"}}},

		// tmpl-memory
		{"memory ok", "tmpl-memory", `{"memory_type":"vector","retention_days":365,"max_context_size":1000}`, nil},
		{"memory retention low", "tmpl-memory", `{"memory_type":"hybrid","retention_days":0,"max_context_size":10000}`,
			issues{{Field: "retention_days", Issue: "must be between 1 and 365"}}},
		{"memory retention high", "tmpl-memory", `{"memory_type":"hybrid","retention_days":366,"max_context_size":10000}`,
			issues{{Field: "retention_days", Issue: "must be between 1 and 365"}}},
		{"memory retention fraction", "tmpl-memory", `{"memory_type":"hybrid","retention_days":1.5,"max_context_size":10000}`,
			issues{{Field: "retention_days", Issue: "must be an integer"}}},
		{"memory context", "tmpl-memory", `{"memory_type":"hybrid","retention_days":30,"max_context_size":100001}`,
			issues{{Field: "max_context_size", Issue: "must be between 1000 and 100000"}}},
		{"memory type", "tmpl-memory", `{"memory_type":"forever","retention_days":30,"max_context_size":10000}`,
			issues{{Field: "memory_type", Issue: "must be one of: hybrid, short_term, long_term, vector"}}},
		{"memory type not string", "tmpl-memory", `{"memory_type":3,"retention_days":30,"max_context_size":10000}`,
			issues{{Field: "memory_type", Issue: "must be a string"}}},
		{"memory every failure at once", "tmpl-memory", `{"memory_type":"x","retention_days":"30","colour":"red","size":1}`, issues{
			{Field: "colour", Issue: "unknown field"},
			{Field: "max_context_size", Issue: "is required"},
			{Field: "memory_type", Issue: "must be one of: hybrid, short_term, long_term, vector"},
			{Field: "retention_days", Issue: "must be an integer"},
			{Field: "size", Issue: "unknown field"},
		}},
		{"memory short term keeps a week", "tmpl-memory", `{"memory_type":"short_term","retention_days":30,"max_context_size":10000}`,
			issues{{Field: "retention_days", Issue: "must be at most 7 when memory_type is short_term; use hybrid or long_term to keep memories longer"}}},
		{"memory short term week ok", "tmpl-memory", `{"memory_type":"short_term","retention_days":7,"max_context_size":10000}`, nil},
		{"memory rule not repeated", "tmpl-memory", `{"memory_type":"short_term","retention_days":400,"max_context_size":10000}`,
			issues{{Field: "retention_days", Issue: "must be between 1 and 365"}}},

		// tmpl-orchestration
		{"orchestration ok", "tmpl-orchestration", `{"max_parallel_tasks":50,"retry_strategy":"none","timeout_seconds":3600,"max_retries":0}`, nil},
		{"orchestration ranges", "tmpl-orchestration", `{"max_parallel_tasks":0,"retry_strategy":"sometimes","timeout_seconds":5,"max_retries":11}`, issues{
			{Field: "max_parallel_tasks", Issue: "must be between 1 and 50"},
			{Field: "max_retries", Issue: "must be between 0 and 10"},
			{Field: "retry_strategy", Issue: "must be one of: exponential, linear, fixed, none"},
			{Field: "timeout_seconds", Issue: "must be between 10 and 3600"},
		}},
		{"orchestration no retries", "tmpl-orchestration", `{"max_parallel_tasks":5,"retry_strategy":"none","timeout_seconds":300,"max_retries":3}`,
			issues{{Field: "max_retries", Issue: "must be 0 when retry_strategy is none; pick another retry_strategy to retry"}}},

		// tmpl-api
		{"api ok", "tmpl-api", `{"auth_type":"none","rate_limit_per_min":1,"cache_ttl_seconds":0,"base_url":"http://internal.example"}`, nil},
		{"api ranges", "tmpl-api", `{"auth_type":"magic","rate_limit_per_min":0,"cache_ttl_seconds":-1,"base_url":"ftp://x"}`, issues{
			{Field: "auth_type", Issue: "must be one of: oauth2, api_key, basic, bearer, none"},
			{Field: "base_url", Issue: "must match the pattern ^https?://"},
			{Field: "cache_ttl_seconds", Issue: "must be between 0 and 86400"},
			{Field: "rate_limit_per_min", Issue: "must be between 1 and 10000"},
		}},
		{"api not a url", "tmpl-api", `{"auth_type":"none","rate_limit_per_min":1,"cache_ttl_seconds":0,"base_url":"https://exa mple.com/%zz"}`,
			issues{{Field: "base_url", Issue: "must be a valid uri"}}},
		{"api credentials over http", "tmpl-api", `{"auth_type":"api_key","rate_limit_per_min":60,"cache_ttl_seconds":300,"base_url":"http://api.example.com"}`,
			issues{{Field: "base_url", Issue: "must use https when auth_type is api_key, so credentials are not sent in clear text"}}},

		// tmpl-data
		{"data ok", "tmpl-data", `{"batch_size":100000,"validation_strict":false,"error_threshold":1,"sources":[{"name":"crm","url":"https://crm.example.com"}]}`, nil},
		{"data ranges", "tmpl-data", `{"batch_size":0,"validation_strict":"yes","error_threshold":1.5}`, issues{
			{Field: "batch_size", Issue: "must be between 1 and 100000"},
			{Field: "error_threshold", Issue: "must be between 0 and 1"},
			{Field: "validation_strict", Issue: "must be a boolean"},
		}},
		{"data sources", "tmpl-data", `{"batch_size":1,"validation_strict":true,"error_threshold":0,"sources":[
			{"name":"a","url":"https://a.example"},
			{"name":"a","url":"https://b.example"},
			{"name":"C","url":"no url","extra":1},
			{"url":"https://d.example"}]}`, issues{
			{Field: "sources[1].name", Issue: `duplicate source name "a" (also sources[0].name)`},
			{Field: "sources[2].extra", Issue: "unknown field"},
			{Field: "sources[2].name", Issue: "must match the pattern ^[a-z0-9][a-z0-9_-]{0,62}$"},
			{Field: "sources[2].url", Issue: "must be a valid uri"},
			{Field: "sources[3].name", Issue: "is required"},
		}},
		{"data too many sources", "tmpl-data", `{"batch_size":1,"validation_strict":true,"error_threshold":0,"sources":[` +
			sources(21, "") + `]}`, issues{
			{Field: "sources", Issue: "must have at most 20 items"},
		}},
		{"data sources sort by index", "tmpl-data", `{"batch_size":1,"validation_strict":true,"error_threshold":0,"sources":[` +
			sources(11, "no url") + `]}`, issues{
			{Field: "sources[0].url", Issue: "must be a valid uri"},
			{Field: "sources[1].url", Issue: "must be a valid uri"},
			{Field: "sources[2].url", Issue: "must be a valid uri"},
			{Field: "sources[3].url", Issue: "must be a valid uri"},
			{Field: "sources[4].url", Issue: "must be a valid uri"},
			{Field: "sources[5].url", Issue: "must be a valid uri"},
			{Field: "sources[6].url", Issue: "must be a valid uri"},
			{Field: "sources[7].url", Issue: "must be a valid uri"},
			{Field: "sources[8].url", Issue: "must be a valid uri"},
			{Field: "sources[9].url", Issue: "must be a valid uri"},
			{Field: "sources[10].url", Issue: "must be a valid uri"},
		}},

		// tmpl-monitoring
		{"monitoring ok", "tmpl-monitoring", `{"check_interval_seconds":10,"alert_threshold":1,"auto_remediate":true,"endpoints":["https://a.example/health"]}`, nil},
		{"monitoring ranges", "tmpl-monitoring", `{"check_interval_seconds":3601,"alert_threshold":0,"auto_remediate":null,"endpoints":["https://a.example","https://a.example"]}`, issues{
			{Field: "alert_threshold", Issue: "must be greater than 0 and at most 1"},
			{Field: "auto_remediate", Issue: "must be a boolean"},
			{Field: "check_interval_seconds", Issue: "must be between 10 and 3600"},
			{Field: "endpoints", Issue: "must not contain duplicates (items 0 and 1 are equal)"},
		}},

		// tmpl-blank
		{"blank ok", "tmpl-blank", `{"env":{"LOG_LEVEL":"debug"},"event_types":["order.created"],"state_backend":"redis"}`, nil},
		{"blank env", "tmpl-blank", `{"env":{"lower":"x","WAOOAW_TOKEN":"y","N":1}}`, issues{
			{Field: "env.N", Issue: "must be a string"},
			{Field: "env.WAOOAW_TOKEN", Issue: "is reserved for the platform (names starting with WAOOAW_); choose another name"},
			{Field: "env.lower", Issue: "is not an allowed field name"},
		}},
		{"blank events", "tmpl-blank", `{"event_types":["Bad Event","a","a"],"state_backend":"disk"}`, issues{
			{Field: "event_types", Issue: "must not contain duplicates (items 1 and 2 are equal)"},
			{Field: "event_types[0]", Issue: "must match the pattern ^[a-z][a-z0-9_.-]{0,127}$"},
			{Field: "state_backend", Issue: "must be one of: none, memory, redis, postgresql"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := builtin(t, tt.id).Validate(t.Context(), json.RawMessage(tt.config))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate(%s) (-want +got):\n%s", tt.config, diff)
			}
		})
	}
}

// sources is n data sources with distinct names, at url or a valid one.
func sources(n int, url string) string {
	var items []string
	for i := range n {
		u := url
		if u == "" {
			u = fmt.Sprintf("https://s%d.example", i)
		}
		items = append(items, fmt.Sprintf(`{"name":"s%d","url":%q}`, i, u))
	}
	return strings.Join(items, ",")
}

func TestBuiltinRender(t *testing.T) {
	t.Parallel()
	names := []string{"validate", "allocate", "provision", "configure", "health_check", "online"}
	list, err := template.Builtins().List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	totals := map[time.Duration]bool{}
	for _, d := range list {
		tmpl := builtin(t, d.TemplateID)
		req := template.RenderRequest{AgentName: "agent-1", Config: d.DefaultConfig, Resources: d.ResourceDefaults, Plan: template.PlanStarter}
		spec, err := tmpl.Render(t.Context(), req)
		if err != nil {
			t.Fatalf("%s: %v", d.TemplateID, err)
		}
		again, err := tmpl.Render(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(spec, again); diff != "" {
			t.Errorf("%s: Render is not deterministic (-first +second):\n%s", d.TemplateID, diff)
		}
		if spec.TemplateID != d.TemplateID || spec.AgentName != "agent-1" || spec.Plan != template.PlanStarter || spec.Resources != d.ResourceDefaults {
			t.Errorf("%s: spec %+v", d.TemplateID, spec)
		}
		if string(spec.Config) != string(d.DefaultConfig) {
			t.Errorf("%s: config %s, want %s", d.TemplateID, spec.Config, d.DefaultConfig)
		}
		var got []string
		var total time.Duration
		for _, s := range spec.Steps {
			got = append(got, s.Name)
			if s.DurationMS < 60_000 || s.DurationMS > 600_000 {
				t.Errorf("%s: step %s takes %d ms, want 1-10 minutes", d.TemplateID, s.Name, s.DurationMS)
			}
			total += time.Duration(s.DurationMS) * time.Millisecond
		}
		totals[total] = true
		if diff := cmp.Diff(names, got); diff != "" {
			t.Errorf("%s: steps (-want +got):\n%s", d.TemplateID, diff)
		}
	}
	if len(totals) < 4 {
		t.Errorf("deployment times barely vary across templates: %v", totals)
	}
}

func TestBuiltinRenderDefaultsAndDependencies(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	spec, err := builtin(t, "tmpl-memory").Render(ctx, template.RenderRequest{AgentName: "mem"})
	if err != nil {
		t.Fatal(err)
	}
	want := template.Spec{
		TemplateID:   "tmpl-memory",
		AgentName:    "mem",
		Resources:    template.Resources{CPUCores: 1, MemoryGB: 2, StorageGB: 10},
		Plan:         template.PlanProfessional,
		Dependencies: []string{"redis", "postgresql"},
		Config:       json.RawMessage(`{"max_context_size":10000,"memory_type":"hybrid","retention_days":30}`),
	}
	if diff := cmp.Diff(want, spec, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Steps" }, cmp.Ignore())); diff != "" {
		t.Errorf("Render (-want +got):\n%s", diff)
	}

	// Key order and spacing do not change the spec.
	a, err := builtin(t, "tmpl-blank").Render(ctx, template.RenderRequest{AgentName: "b", Config: json.RawMessage(`{"state_backend":"redis", "env":{"B":"2","A":"1<"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := builtin(t, "tmpl-blank").Render(ctx, template.RenderRequest{AgentName: "b", Config: json.RawMessage(`{"env":{"A":"1<","B":"2"},"state_backend":"redis"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("equal configs render differently (-a +b):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"A": "1<", "B": "2"}, a.Env); diff != "" {
		t.Errorf("env (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"redis"}, a.Dependencies); diff != "" {
		t.Errorf("dependencies (-want +got):\n%s", diff)
	}
	if want := `{"env":{"A":"1<","B":"2"},"state_backend":"redis"}`; string(a.Config) != want {
		t.Errorf("config %s, want %s", a.Config, want)
	}

	if _, err := builtin(t, "tmpl-blank").Render(ctx, template.RenderRequest{AgentName: "b", Config: json.RawMessage(`[]`)}); err == nil {
		t.Error("Render accepted an array config")
	}
}

func TestDecodeObject(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, raw string
		want      map[string]any
		err       string
	}{
		{"object", `{"a": 1.50, "b": {"c": [10000000000000001]}}`,
			map[string]any{"a": json.Number("1.50"), "b": map[string]any{"c": []any{json.Number("10000000000000001")}}}, ""},
		{"white space around", " \n{}\t ", map[string]any{}, ""},
		{"empty", ``, nil, "not valid JSON: EOF"},
		{"null", `null`, nil, "must be a JSON object, not null"},
		{"array", `[1]`, nil, "must be a JSON object, not an array"},
		{"number", `5`, nil, "must be a JSON object, not a number"},
		{"trailing object", `{"a":1} {"b":2}`, nil, "not valid JSON: data after the value"},
		{"trailing garbage", `{"a":1} x`, nil, "not valid JSON: data after the value"},
		{"trailing brace", `{"a":1}}`, nil, "not valid JSON: data after the value"},
		{"malformed", `{"a":`, nil, "not valid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := template.DecodeObject([]byte(tc.raw))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || got != nil {
					t.Fatalf("DecodeObject(%q) = %v, %v; want nil and an error containing %q", tc.raw, got, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("DecodeObject(%q) (-want +got):\n%s", tc.raw, diff)
			}
		})
	}
}
