package console

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/waooaw/waooaw-go/factory/template"

	"github.com/waooaw/waooaw-go/servicing"
)

// readConfig reads whatever a browser posts into a JSON object, or names
// the field it could not read; it never fails otherwise.
func FuzzReadConfig(f *testing.F) {
	d, err := template.Builtins().Get(context.Background(), "tmpl-data")
	if err != nil {
		f.Fatal(err)
	}
	desc, _ := d.Describe(context.Background())
	fields := schemaFields(desc.ConfigSchema, nil)
	if len(fields) != 4 {
		f.Fatalf("the Data template's form has %d fields, want 4", len(fields))
	}
	f.Add("1000", "true", "0.01", `[{"name":"a","url":"https://x"}]`)
	f.Add("", "", "", "")
	f.Add("ten", "maybe", "-", "{")
	f.Fuzz(func(t *testing.T, batch, strict, threshold, sources string) {
		form := map[string]string{"config.batch_size": batch, "config.validation_strict": strict,
			"config.error_threshold": threshold, "config.sources": sources}
		raw, problems := readConfig(fields, func(k string) string { return form[k] })
		if _, err := template.DecodeObject(raw); err != nil {
			t.Fatalf("readConfig gave %s: %v", raw, err)
		}
		for k := range problems {
			if k != "sources" {
				t.Errorf("a problem with %s, which needs no decoding", k)
			}
		}
	})
}

// A merge patch applied twice gives what it gave once (RFC 7386 patches
// are idempotent), and leaves no null behind.
func FuzzMergePatch(f *testing.F) {
	f.Add(`{"a":1,"b":{"c":2}}`, `{"b":{"c":null,"d":3},"e":null}`)
	f.Add(`{}`, `{"a":[1,null]}`)
	f.Fuzz(func(t *testing.T, target, patch string) {
		tm, err1 := template.DecodeObject([]byte(target))
		pm, err2 := template.DecodeObject([]byte(patch))
		if err1 != nil || err2 != nil {
			return
		}
		once := servicing.MergePatch(map[string]any(tm), pm)
		twice := servicing.MergePatch(once, pm)
		if !reflect.DeepEqual(once, twice) {
			a, _ := json.Marshal(once)
			b, _ := json.Marshal(twice)
			t.Fatalf("once %s, twice %s", a, b)
		}
		var hasNull func(v any) bool
		hasNull = func(v any) bool {
			m, ok := v.(map[string]any)
			if !ok {
				return false
			}
			for _, e := range m {
				if e == nil || hasNull(e) {
					return true
				}
			}
			return false
		}
		if hasNull(once) {
			t.Fatalf("a null left in %v", once)
		}
	})
}
