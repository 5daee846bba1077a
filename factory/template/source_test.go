package template_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/factory/template"
)

// fakeSource is a Source over fixed templates, or one that always fails.
type fakeSource struct {
	templates []fakeTemplate
	err       error
}

func (s fakeSource) List(context.Context) ([]template.Description, error) {
	if s.err != nil {
		return nil, s.err
	}
	var out []template.Description
	for _, t := range s.templates {
		out = append(out, t.desc)
	}
	return out, nil
}

func (s fakeSource) Get(_ context.Context, id string) (template.Template, error) {
	if s.err != nil {
		return nil, s.err
	}
	for _, t := range s.templates {
		if t.desc.TemplateID == id {
			return t, nil
		}
	}
	return nil, template.ErrNotFound
}

// fakeTemplate describes itself as desc and fails where told to.
type fakeTemplate struct {
	desc        template.Description
	issues      []template.Issue
	describeErr error
	validateErr error
}

func (t fakeTemplate) Describe(context.Context) (template.Description, error) {
	return t.desc, t.describeErr
}

func (t fakeTemplate) Validate(context.Context, json.RawMessage) ([]template.Issue, error) {
	return t.issues, t.validateErr
}

func (t fakeTemplate) Render(context.Context, template.RenderRequest) (template.Spec, error) {
	return template.Spec{TemplateID: t.desc.TemplateID}, nil
}

func fake(id, name string) fakeTemplate {
	return fakeTemplate{desc: template.Description{
		TemplateID:       id,
		Name:             name,
		Version:          "0.1.0",
		DefaultConfig:    json.RawMessage(`{}`),
		ResourceDefaults: template.Resources{CPUCores: 1, MemoryGB: 1, StorageGB: 1},
		ResourceLimits: template.ResourceLimits{
			Min: template.Resources{CPUCores: 0.5, MemoryGB: 0.5, StorageGB: 1},
			Max: template.Resources{CPUCores: 4, MemoryGB: 8, StorageGB: 100},
		},
	}}
}

func ids(ds []template.Description) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.TemplateID)
	}
	return out
}

func TestBuiltinsGetUnknown(t *testing.T) {
	t.Parallel()
	_, err := template.Builtins().Get(t.Context(), "tmpl-nope")
	if !errors.Is(err, template.ErrNotFound) {
		t.Fatalf("Get(tmpl-nope) error = %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), `"tmpl-nope"`) {
		t.Errorf("error %q does not name the id", err)
	}
}

func TestBuiltinsAreIndependent(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	a, err := template.Builtins().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a[0].Name = "changed"
	a[0].RequiredCapabilities[0] = "changed"
	a[0].DefaultConfig[0] = 'X'
	b, err := template.Builtins().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b[0].Name == "changed" || b[0].RequiredCapabilities[0] == "changed" || b[0].DefaultConfig[0] == 'X' {
		t.Errorf("a change to one list showed in another: %+v", b[0])
	}
}

func TestCombine(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	plugins := fakeSource{templates: []fakeTemplate{fake("tmpl-zeta", "Zeta"), fake("tmpl-alpha", "Alpha")}}
	src := template.Combine(template.Builtins(), nil, plugins)

	list, err := src.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"tmpl-alpha", "tmpl-api", "tmpl-blank", "tmpl-data", "tmpl-memory", "tmpl-monitoring", "tmpl-orchestration", "tmpl-zeta"}
	if diff := cmp.Diff(want, ids(list)); diff != "" {
		t.Errorf("List ids (-want +got):\n%s", diff)
	}

	got, err := src.Get(ctx, "tmpl-zeta")
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := got.Describe(ctx); d.Name != "Zeta" {
		t.Errorf("Get(tmpl-zeta) = %q, want Zeta", d.Name)
	}
	if _, err := src.Get(ctx, "tmpl-nope"); !errors.Is(err, template.ErrNotFound) {
		t.Errorf("Get(tmpl-nope) error = %v, want ErrNotFound", err)
	}
}

func TestCombineGetAsksInOrder(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	first := fakeSource{templates: []fakeTemplate{fake("tmpl-x", "First")}}
	second := fakeSource{templates: []fakeTemplate{fake("tmpl-x", "Second")}}
	got, err := template.Combine(first, second).Get(ctx, "tmpl-x")
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := got.Describe(ctx); d.Name != "First" {
		t.Errorf("Get = %q, want the first source's", d.Name)
	}
}

func TestCombineDuplicateID(t *testing.T) {
	t.Parallel()
	plugins := fakeSource{templates: []fakeTemplate{fake("tmpl-memory", "My Memory")}}
	_, err := template.Combine(template.Builtins(), plugins).List(t.Context())
	if err == nil {
		t.Fatal("List succeeded with a duplicate id")
	}
	for _, s := range []string{`"tmpl-memory"`, "source 1", `"Memory Agent"`, "source 2", `"My Memory"`} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %s", err, s)
		}
	}
}

func TestCombineSourceFailure(t *testing.T) {
	t.Parallel()
	boom := errors.New("plugin host down")
	src := template.Combine(fakeSource{err: boom}, template.Builtins())
	if _, err := src.List(t.Context()); !errors.Is(err, boom) {
		t.Errorf("List error = %v, want %v", err, boom)
	}
	if _, err := src.Get(t.Context(), "tmpl-memory"); !errors.Is(err, boom) || errors.Is(err, template.ErrNotFound) {
		t.Errorf("Get error = %v, want %v", err, boom)
	}
}

func TestCombineNothing(t *testing.T) {
	t.Parallel()
	src := template.Combine()
	list, err := src.List(t.Context())
	if err != nil || len(list) != 0 {
		t.Errorf("List = %v, %v; want empty", list, err)
	}
	if _, err := src.Get(t.Context(), "tmpl-memory"); !errors.Is(err, template.ErrNotFound) {
		t.Errorf("Get error = %v, want ErrNotFound", err)
	}
}
