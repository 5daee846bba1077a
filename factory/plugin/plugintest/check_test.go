package plugintest_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/waooaw/waooaw-go/factory/plugin/plugintest"
	"github.com/waooaw/waooaw-go/factory/template"
)

// TestCheck: without package testing, the checks of Conformance pass a
// built-in and name each rule a broken template breaks; a template that
// cannot describe itself (a Fatal before the checks) is one failed
// "describe".
func TestCheck(t *testing.T) {
	t.Parallel()
	var names []string
	for _, r := range plugintest.Check(t.Context(), memory(t)) {
		names = append(names, r.Name)
		if len(r.Failures) > 0 {
			t.Errorf("the memory template fails %s: %q", r.Name, r.Failures)
		}
	}
	if want := []string{"describe", "schema", "defaults", "issue_paths", "unknown_field", "large_config", "render", "concurrent"}; !slices.Equal(names, want) {
		t.Errorf("checks %v, want %v", names, want)
	}

	failed := map[string]string{}
	for _, r := range plugintest.Check(t.Context(), broken{memory(t), new(int)}) {
		if len(r.Failures) > 0 {
			failed[r.Name] = strings.Join(r.Failures, "\n")
		}
	}
	for name, says := range map[string]string{"describe": `complexity "trivial"`, "issue_paths": "dotted path relative to config",
		"unknown_field": "want an issue on field", "render": "Render is not deterministic"} {
		if !strings.Contains(failed[name], says) {
			t.Errorf("check %s: %q, want it to say %q", name, failed[name], says)
		}
	}
	if _, ok := failed["schema"]; ok {
		t.Errorf("schema failed for a template whose schema is fine: %s", failed["schema"])
	}

	rs := plugintest.Check(t.Context(), undescribable{memory(t)})
	if len(rs) != 1 || rs[0].Name != "describe" || len(rs[0].Failures) != 1 || !strings.Contains(rs[0].Failures[0], "no description") {
		t.Errorf("a template that cannot describe itself: %+v", rs)
	}
}

type undescribable struct{ template.Template }

func (undescribable) Describe(context.Context) (template.Description, error) {
	return template.Description{}, errors.New("no description")
}
