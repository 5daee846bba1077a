package template_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/factory/template"
)

func TestCompileConfigSchemaRefuses(t *testing.T) {
	t.Parallel()
	for name, schema := range map[string]string{
		"not JSON":       `{"type":`,
		"not a schema":   `{"type": 5}`,
		"remote ref":     `{"$ref": "https://example.com/config.json"}`,
		"file ref":       `{"$ref": "/etc/passwd"}`,
		"bad pattern":    `{"pattern": "("}`,
		"unknown anchor": `{"$ref": "#/$defs/missing"}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := template.CompileConfigSchema(json.RawMessage(schema)); err == nil {
				t.Errorf("CompileConfigSchema(%s) succeeded", schema)
			}
		})
	}
}

func TestConfigSchemaMessages(t *testing.T) {
	t.Parallel()
	s, err := template.CompileConfigSchema(json.RawMessage(`{
		"$id": "https://schemas.example.com/plugin.json",
		"type": "object",
		"properties": {
			"code":   {"type": "string", "minLength": 3, "maxLength": 5},
			"limit":  {"type": "number", "exclusiveMaximum": 10},
			"mode":   {"const": "fast"},
			"either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
			"tags":   {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/tag"}},
			"port":   {"type": ["integer", "null"], "minimum": 1},
			"nothing": false
		},
		"$defs": {"tag": {"type": "string", "maxLength": 2}}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	got := s.Validate(json.RawMessage(`{"code":"ab","limit":10,"mode":"slow","either":1.5,"tags":["abc"],"port":0,"nothing":1}`))
	want := []template.Issue{
		{Field: "code", Issue: "must be between 3 and 5 characters long"},
		{Field: "either", Issue: "does not match any of the allowed forms"},
		{Field: "limit", Issue: "must be less than 10"},
		{Field: "mode", Issue: "must be fast"},
		{Field: "nothing", Issue: "is not allowed"},
		{Field: "port", Issue: "must be at least 1"},
		{Field: "tags[0]", Issue: "must be at most 2 characters long"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Validate (-want +got):\n%s", diff)
	}
	if got := s.Validate(json.RawMessage(`{"tags":[], "port": "x"}`)); !cmp.Equal(got, []template.Issue{
		{Field: "port", Issue: "must be null or an integer"},
		{Field: "tags", Issue: "must have at least 1 item"},
	}) {
		t.Errorf("Validate = %v", got)
	}
	if got := s.Validate(json.RawMessage(`{}`)); got != nil {
		t.Errorf("Validate({}) = %v, want nil", got)
	}
}

func BenchmarkCheck(b *testing.B) {
	src := template.Builtins()
	req := template.Request{
		TemplateID: "tmpl-data",
		AgentName:  "etl-1",
		Config:     json.RawMessage(`{"batch_size":500,"sources":[{"name":"crm","url":"https://crm.example.com"}]}`),
		Resources:  &template.Resources{CPUCores: 2, MemoryGB: 4, StorageGB: 20},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, res, err := template.Check(b.Context(), src, req); err != nil || !res.Valid {
			b.Fatal(res, err)
		}
	}
}
