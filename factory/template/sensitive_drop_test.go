package template_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/factory/template"
)

func TestDropMasked(t *testing.T) {
	t.Parallel()
	schema := json.RawMessage(`{"type":"object","properties":{"key":{"type":"string","writeOnly":true},
		"db":{"type":"object","properties":{"pw":{"type":"string","x-sensitive":true},"host":{"type":"string"}}},"level":{"type":"integer"}}}`)
	patch := map[string]any{"key": template.Masked, "level": 2.0, "db": map[string]any{"pw": template.Masked, "host": template.Masked}}
	template.DropMasked(schema, patch)
	want := map[string]any{"level": 2.0, "db": map[string]any{"host": template.Masked}} // host is not sensitive: a literal value
	if diff := cmp.Diff(want, patch); diff != "" {
		t.Errorf("DropMasked (-want +got):\n%s", diff)
	}
	kept := map[string]any{"key": "a-new-secret", "db": "not an object"}
	template.DropMasked(schema, kept)
	if kept["key"] != "a-new-secret" || kept["db"] != "not an object" {
		t.Errorf("DropMasked changed %v", kept)
	}
}
