package template_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/factory/template"
)

func TestCheckDefaults(t *testing.T) {
	t.Parallel()
	list, err := template.Builtins().List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		t.Run(d.TemplateID, func(t *testing.T) {
			t.Parallel()
			got, res, err := template.Check(t.Context(), template.Builtins(), template.Request{TemplateID: d.TemplateID, AgentName: "my-agent"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(template.Result{Valid: true, Errors: []template.Issue{}, Warnings: []template.Issue{}}, res); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			want := template.Resolved{
				TemplateID:   d.TemplateID,
				AgentName:    "my-agent",
				Plan:         template.PlanProfessional,
				Capabilities: d.RequiredCapabilities,
				Config:       d.DefaultConfig,
				Resources:    d.ResourceDefaults,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("resolved (-want +got):\n%s", diff)
			}
			if rr := got.RenderRequest(); rr.AgentName != "my-agent" || string(rr.Config) != string(d.DefaultConfig) || rr.Plan != template.PlanProfessional || rr.Resources != d.ResourceDefaults {
				t.Errorf("RenderRequest = %+v", rr)
			}
		})
	}
}

func TestCheckRules(t *testing.T) {
	t.Parallel()
	type issues = []template.Issue
	memory := func(change func(*template.Request)) template.Request {
		r := template.Request{TemplateID: "tmpl-memory", AgentName: "mem-1"}
		change(&r)
		return r
	}
	tests := []struct {
		name string
		req  template.Request
		want issues
	}{
		{"template id missing", template.Request{AgentName: "abc"}, issues{{Field: "template_id", Issue: "is required"}}},
		{"template id unknown", template.Request{TemplateID: "tmpl-x", AgentName: "abc"}, issues{{Field: "template_id", Issue: `unknown template "tmpl-x"`}}},
		{"agent name missing", memory(func(r *template.Request) { r.AgentName = "" }), issues{{Field: "agent_name", Issue: "is required"}}},
		{"agent name short", memory(func(r *template.Request) { r.AgentName = "ab" }), issues{{Field: "agent_name", Issue: "must be at least 3 characters long (got 2)"}}},
		{"agent name long", memory(func(r *template.Request) { r.AgentName = strings.Repeat("a", 64) }), issues{{Field: "agent_name", Issue: "must be at most 63 characters long (got 64)"}}},
		{"agent name longest", memory(func(r *template.Request) { r.AgentName = strings.Repeat("a", 63) }), nil},
		{"agent name characters", memory(func(r *template.Request) { r.AgentName = "my agent!" }), issues{{Field: "agent_name", Issue: "may contain only letters, digits, '-' and '_'"}}},
		{"agent name short and bad", memory(func(r *template.Request) { r.AgentName = "é" }), issues{
			{Field: "agent_name", Issue: "may contain only letters, digits, '-' and '_'"},
			{Field: "agent_name", Issue: "must be at least 3 characters long (got 1)"},
		}},
		{"description long", memory(func(r *template.Request) { r.Description = strings.Repeat("é", 201) }), issues{{Field: "description", Issue: "must be at most 200 characters long (got 201)"}}},
		{"description longest", memory(func(r *template.Request) { r.Description = strings.Repeat("é", 200) }), nil},
		{"plan", memory(func(r *template.Request) { r.Plan = "gold" }), issues{{Field: "plan", Issue: "must be one of: starter, professional, enterprise"}}},
		{"plan enterprise", memory(func(r *template.Request) { r.Plan = template.PlanEnterprise }), nil},
		{"capabilities optional", memory(func(r *template.Request) {
			r.Capabilities = []string{"context_retrieval", "knowledge_graph", "memory_storage"}
		}), nil},
		{"capabilities required missing", memory(func(r *template.Request) { r.Capabilities = []string{"memory_storage"} }),
			issues{{Field: "capabilities", Issue: `missing required capability "context_retrieval"`}}},
		{"capabilities empty means the required ones", memory(func(r *template.Request) { r.Capabilities = []string{} }), nil},
		{"capabilities unknown and duplicate", memory(func(r *template.Request) {
			r.Capabilities = []string{"memory_storage", "context_retrieval", "flying", "memory_storage"}
		}), issues{
			{Field: "capabilities[2]", Issue: `unknown capability "flying"; tmpl-memory takes: memory_storage, context_retrieval, semantic_search, summarization, knowledge_graph`},
			{Field: "capabilities[3]", Issue: `duplicate capability "memory_storage" (also capabilities[0])`},
		}},
		{"resources common ranges", memory(func(r *template.Request) {
			r.Resources = &template.Resources{CPUCores: 8, MemoryGB: 0.25, StorageGB: 101}
		}), issues{
			{Field: "resources.cpu_cores", Issue: "must be between 0.5 and 4"},
			{Field: "resources.memory_gb", Issue: "must be between 0.5 and 8"},
			{Field: "resources.storage_gb", Issue: "must be between 1 and 100"},
		}},
		{"resources negative and NaN", memory(func(r *template.Request) {
			r.Resources = &template.Resources{CPUCores: -1, MemoryGB: math.NaN(), StorageGB: math.Inf(1)}
		}), issues{
			{Field: "resources.cpu_cores", Issue: "must be between 0.5 and 4"},
			{Field: "resources.memory_gb", Issue: "must be between 0.5 and 8"},
			{Field: "resources.storage_gb", Issue: "must be between 1 and 100"},
		}},
		{"resources template limits", template.Request{TemplateID: "tmpl-orchestration", AgentName: "orc", Resources: &template.Resources{CPUCores: 0.5, MemoryGB: 1, StorageGB: 60}}, issues{
			{Field: "resources.cpu_cores", Issue: "must be between 1 and 4 for tmpl-orchestration"},
			{Field: "resources.memory_gb", Issue: "must be between 2 and 8 for tmpl-orchestration"},
			{Field: "resources.storage_gb", Issue: "must be between 5 and 50 for tmpl-orchestration"},
		}},
		{"config not an object", memory(func(r *template.Request) { r.Config = json.RawMessage(`[1,2]`) }), issues{{Field: "config", Issue: "must be a JSON object, not an array"}}},
		{"config not JSON", memory(func(r *template.Request) { r.Config = json.RawMessage(`{"a":`) }), issues{{Field: "config", Issue: "not valid JSON: unexpected EOF"}}},
		{"config field", memory(func(r *template.Request) { r.Config = json.RawMessage(`{"retention_days":0,"shape":"round"}`) }), issues{
			{Field: "config.retention_days", Issue: "must be between 1 and 365"},
			{Field: "config.shape", Issue: "unknown field"},
		}},
		{"config null field", memory(func(r *template.Request) { r.Config = json.RawMessage(`{"memory_type":null}`) }), issues{
			{Field: "config.memory_type", Issue: "must be a string"},
		}},
		{"everything at once", template.Request{
			TemplateID:   "tmpl-data",
			AgentName:    "x",
			Plan:         "free",
			Capabilities: []string{"x"},
			Config:       json.RawMessage(`{"batch_size":0,"sources":[{"name":"a","url":"https://a.example"},{"name":"b","url":"::"}]}`),
			Resources:    &template.Resources{CPUCores: 5},
		}, issues{
			{Field: "agent_name", Issue: "must be at least 3 characters long (got 1)"},
			{Field: "capabilities", Issue: `missing required capability "batch_processing"`},
			{Field: "capabilities", Issue: `missing required capability "data_validation"`},
			{Field: "capabilities", Issue: `missing required capability "transformation"`},
			{Field: "capabilities[0]", Issue: `unknown capability "x"; tmpl-data takes: data_validation, transformation, batch_processing, enrichment, deduplication, compression, encryption`},
			{Field: "config.batch_size", Issue: "must be between 1 and 100000"},
			{Field: "config.sources[1].url", Issue: "must be a valid uri"},
			{Field: "plan", Issue: "must be one of: starter, professional, enterprise"},
			{Field: "resources.cpu_cores", Issue: "must be between 0.5 and 4"},
		}},
		{"unknown template still checks the rest", template.Request{
			TemplateID: "tmpl-x", AgentName: "a b", Config: json.RawMessage(`7`), Capabilities: []string{"a", "a"},
			Resources: &template.Resources{CPUCores: 9},
		}, issues{
			{Field: "agent_name", Issue: "may contain only letters, digits, '-' and '_'"},
			{Field: "capabilities[1]", Issue: `duplicate capability "a" (also capabilities[0])`},
			{Field: "config", Issue: "must be a JSON object, not a number"},
			{Field: "resources.cpu_cores", Issue: "must be between 0.5 and 4"},
			{Field: "template_id", Issue: `unknown template "tmpl-x"`},
		}},
		{"blank takes no required capabilities", template.Request{TemplateID: "tmpl-blank", AgentName: "blank", Capabilities: []string{"state_management"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, res, err := template.Check(t.Context(), template.Builtins(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			want := template.Result{Valid: len(tt.want) == 0, Errors: tt.want, Warnings: []template.Issue{}}
			if want.Errors == nil {
				want.Errors = []template.Issue{}
			}
			if diff := cmp.Diff(want, res); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckMergesConfigOverDefaults(t *testing.T) {
	t.Parallel()
	got, res, err := template.Check(t.Context(), template.Builtins(), template.Request{
		TemplateID: "tmpl-memory",
		AgentName:  "mem",
		Config:     json.RawMessage(`{ "retention_days": 90 }`),
	})
	if err != nil || !res.Valid {
		t.Fatalf("Check = %+v, %v", res, err)
	}
	if want := `{"max_context_size":10000,"memory_type":"hybrid","retention_days":90}`; string(got.Config) != want {
		t.Errorf("config %s, want %s", got.Config, want)
	}
}

func TestCheckResourcesPerFieldDefaultsAndWarnings(t *testing.T) {
	t.Parallel()
	got, res, err := template.Check(t.Context(), template.Builtins(), template.Request{
		TemplateID: "tmpl-data",
		AgentName:  "etl",
		Resources:  &template.Resources{CPUCores: 1, MemoryGB: 8},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := (template.Resources{CPUCores: 1, MemoryGB: 8, StorageGB: 20}); got.Resources != want {
		t.Errorf("resources %+v, want %+v", got.Resources, want)
	}
	want := template.Result{Valid: true, Errors: []template.Issue{}, Warnings: []template.Issue{
		{Field: "resources.cpu_cores", Issue: "1 is below the template's default of 2; the agent may run slowly or out of resources"},
	}}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("Check (-want +got):\n%s", diff)
	}
}

func TestCheckFailuresToRun(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	broken := fake("tmpl-broken", "Broken")
	badDescribe, badValidate, badDefaults := broken, broken, broken
	badDescribe.describeErr = boom
	badValidate.validateErr = boom
	badDefaults.desc.DefaultConfig = json.RawMessage(`[]`)
	tests := map[string]template.Source{
		"source":         fakeSource{err: boom},
		"describe":       fakeSource{templates: []fakeTemplate{badDescribe}},
		"validate":       fakeSource{templates: []fakeTemplate{badValidate}},
		"default config": fakeSource{templates: []fakeTemplate{badDefaults}},
		"nil source":     nil,
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := template.Request{TemplateID: "tmpl-broken", AgentName: "abc", Config: json.RawMessage(`{"a":1}`)}
			if _, _, err := template.Check(t.Context(), src, req); err == nil {
				t.Error("Check succeeded")
			}
		})
	}
}

func TestCheckPrefixesTemplateIssues(t *testing.T) {
	t.Parallel()
	tmpl := fake("tmpl-fake", "Fake")
	tmpl.issues = []template.Issue{{Field: "", Issue: "whole"}, {Field: "[0]", Issue: "first"}, {Field: "a.b", Issue: "deep"}}
	_, res, err := template.Check(t.Context(), fakeSource{templates: []fakeTemplate{tmpl}}, template.Request{TemplateID: "tmpl-fake", AgentName: "abc"})
	if err != nil {
		t.Fatal(err)
	}
	want := []template.Issue{{Field: "config", Issue: "whole"}, {Field: "config.a.b", Issue: "deep"}, {Field: "config[0]", Issue: "first"}}
	if diff := cmp.Diff(want, res.Errors); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestCheckCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := template.Check(ctx, template.Builtins(), template.Request{TemplateID: "tmpl-memory", AgentName: "abc"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Check error = %v, want context.Canceled", err)
	}
}

func TestResultJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(template.Result{Valid: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"valid":true,"errors":[],"warnings":[]}`; string(b) != want {
		t.Errorf("Result JSON %s, want %s", b, want)
	}
	b, err = json.Marshal(&template.Result{Errors: []template.Issue{{Field: "plan", Issue: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"valid":false,"errors":[{"field":"plan","issue":"x"}],"warnings":[]}`; string(b) != want {
		t.Errorf("Result JSON %s, want %s", b, want)
	}
}

func TestRequestJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(template.Request{TemplateID: "tmpl-api", AgentName: "api"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"template_id":"tmpl-api","agent_name":"api"}`; string(b) != want {
		t.Errorf("Request JSON %s, want %s", b, want)
	}
}

func FuzzCheck(f *testing.F) {
	for _, seed := range []string{``, `null`, `{}`, `[]`, `"x"`, `{"retention_days":5}`, `{"sources":[{"name":"a"}]}`,
		`{"env":{"a":1}}`, `{"memory_type":"short_term","retention_days":1e400}`, `{"a":{"b":[[[[]]]]}}`, "{\"\xff\":1}"} {
		for _, id := range []string{"tmpl-memory", "tmpl-data", "tmpl-blank"} {
			f.Add(id, seed)
		}
	}
	src := template.Builtins()
	f.Fuzz(func(t *testing.T, id, config string) {
		req := template.Request{TemplateID: id, AgentName: "fuzz", Config: json.RawMessage(config)}
		got, res, err := template.Check(t.Context(), src, req)
		if err != nil {
			t.Fatalf("Check error for bad input: %v", err)
		}
		if res.Valid != (len(res.Errors) == 0) || res.Errors == nil || res.Warnings == nil {
			t.Fatalf("inconsistent result %+v", res)
		}
		// The SDK checks before it sends, the server after it decodes: both
		// must reach the same verdict. (JSON replaces invalid UTF-8, so such
		// input differs on the wire by design.)
		if b, err := json.Marshal(req); err == nil && utf8.ValidString(id) && utf8.ValidString(config) {
			var sent template.Request
			if err := json.Unmarshal(b, &sent); err != nil {
				t.Fatal(err)
			}
			_, server, err := template.Check(t.Context(), src, sent)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(res, server); diff != "" {
				t.Fatalf("Check differs after a JSON round trip (-local +server):\n%s", diff)
			}
		}
		if !res.Valid {
			return
		}
		tmpl, err := src.Get(t.Context(), got.TemplateID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tmpl.Render(t.Context(), got.RenderRequest()); err != nil {
			t.Fatalf("Render of a valid request: %v", err)
		}
	})
}
