package factory_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/internal/sdktest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

func fields(is []factory.Issue) []string {
	out := []string{}
	for _, i := range is {
		out = append(out, i.Field)
	}
	return out
}

// TestWizardStepsReportTheirOwnFields walks the wizard with problems in
// every step: each step reports only the problems of its fields, Review
// reports them all.
func TestWizardStepsReportTheirOwnFields(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := factory.New(nil).NewWizard()

	if _, err := w.Configure(ctx, factory.Configuration{AgentName: "early"}); err == nil {
		t.Error("Configure before a template was chosen did not fail")
	}
	if _, err := w.SetResources(ctx, factory.Resources{}, ""); err == nil {
		t.Error("SetResources before a template was chosen did not fail")
	}
	if _, err := w.Review(ctx); err == nil {
		t.Error("Review before a template was chosen did not fail")
	}

	type step struct {
		name     string
		run      func() (factory.Result, error)
		errors   []string
		warnings []string
	}
	steps := []step{
		{"unknown template", func() (factory.Result, error) { return w.ChooseTemplate(ctx, "tmpl-nope") }, []string{"template_id"}, []string{}},
		{"no template", func() (factory.Result, error) { return w.ChooseTemplate(ctx, "") }, []string{"template_id"}, []string{}},
		{"memory", func() (factory.Result, error) { return w.ChooseTemplate(ctx, "tmpl-memory") }, []string{}, []string{}},
		{"bad configuration", func() (factory.Result, error) {
			return w.Configure(ctx, factory.Configuration{
				AgentName:    "bad name!",
				Description:  strings.Repeat("d", 201),
				Capabilities: []string{"memory_storage", "flying"},
				Config:       json.RawMessage(`{"retention_days":400}`),
			})
		}, []string{"agent_name", "capabilities", "capabilities[1]", "config.retention_days", "description"}, []string{}},
		{"bad resources", func() (factory.Result, error) {
			return w.SetResources(ctx, factory.Resources{CPUCores: 16, MemoryGB: 1}, "gold")
		}, []string{"plan", "resources.cpu_cores"}, []string{"resources.memory_gb"}},
		{"good configuration", func() (factory.Result, error) {
			return w.Configure(ctx, factory.Configuration{AgentName: "support-memory", Config: json.RawMessage(`{"retention_days":90}`)})
		}, []string{}, []string{}},
		{"good resources", func() (factory.Result, error) {
			return w.SetResources(ctx, factory.Resources{CPUCores: 2}, factory.PlanEnterprise)
		}, []string{}, []string{}},
	}
	for _, s := range steps {
		res, err := s.run()
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if diff := cmp.Diff(s.errors, fields(res.Errors)); diff != "" {
			t.Errorf("%s: errors (-want +got):\n%s", s.name, diff)
		}
		if diff := cmp.Diff(s.warnings, fields(res.Warnings)); diff != "" {
			t.Errorf("%s: warnings (-want +got):\n%s", s.name, diff)
		}
		if res.Valid != (len(s.errors) == 0) {
			t.Errorf("%s: valid %v with errors %v", s.name, res.Valid, res.Errors)
		}
		if s.name == "bad resources" {
			// Review sees the configure step's problems too.
			rv, err := w.Review(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"agent_name", "capabilities", "capabilities[1]", "config.retention_days", "description", "plan", "resources.cpu_cores"}
			if diff := cmp.Diff(want, fields(rv.Result.Errors)); diff != "" || rv.Result.Valid {
				t.Errorf("review of a bad request (-want +got):\n%s", diff)
			}
		}
	}

	rv, err := w.Review(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rv.Result.Valid || rv.Template.TemplateID != "tmpl-memory" {
		t.Fatalf("review: %+v", rv.Result)
	}
	if rv.Resolved.Resources != (factory.Resources{CPUCores: 2, MemoryGB: 2, StorageGB: 10}) || rv.Resolved.Plan != factory.PlanEnterprise {
		t.Errorf("resolved: %+v", rv.Resolved)
	}
	if got := string(rv.Resolved.Config); got != `{"max_context_size":10000,"memory_type":"hybrid","retention_days":90}` {
		t.Errorf("resolved config %s", got)
	}
	// (10 × 2 + 5 × 2) × 1.5 + 0.10 × 10 + 1
	if rv.Cost.Total != 47 {
		t.Errorf("cost %.2f, want 47.00", rv.Cost.Total)
	}
	if diff := cmp.Diff(w.Request(), rv.Request); diff != "" {
		t.Errorf("review request (-wizard +review):\n%s", diff)
	}
}

func TestWizardChangingTemplateClearsItsParts(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	w := factory.New(nil).NewWizard()
	mustOK := func(res factory.Result, err error) {
		t.Helper()
		if err != nil || !res.Valid {
			t.Fatalf("%+v %v", res, err)
		}
	}
	mustOK(w.ChooseTemplate(ctx, "tmpl-memory"))
	mustOK(w.Configure(ctx, factory.Configuration{AgentName: "mem-1", Capabilities: []string{"memory_storage", "context_retrieval"}, Config: json.RawMessage(`{"retention_days":90}`)}))
	mustOK(w.SetResources(ctx, factory.Resources{CPUCores: 2}, factory.PlanStarter))

	// The same template again keeps everything.
	mustOK(w.ChooseTemplate(ctx, "tmpl-memory"))
	if r := w.Request(); r.Config == nil || r.Resources == nil || r.Capabilities == nil {
		t.Errorf("re-choosing the template cleared the request: %+v", r)
	}
	// Another one keeps the name and plan, drops the rest.
	mustOK(w.ChooseTemplate(ctx, "tmpl-api"))
	want := factory.Request{TemplateID: "tmpl-api", AgentName: "mem-1", Plan: factory.PlanStarter}
	if diff := cmp.Diff(want, w.Request()); diff != "" {
		t.Errorf("after switching templates (-want +got):\n%s", diff)
	}
	if d, ok := w.Template(); !ok || d.TemplateID != "tmpl-api" {
		t.Errorf("Template() = %s %v", d.TemplateID, ok)
	}
	// An unknown one leaves no template chosen.
	if res, err := w.ChooseTemplate(ctx, "tmpl-gone"); err != nil || res.Valid {
		t.Fatalf("%+v %v", res, err)
	}
	if _, ok := w.Template(); ok {
		t.Error("an unknown template is chosen")
	}

	// Request hands out copies.
	mustOK(w.ChooseTemplate(ctx, "tmpl-memory"))
	mustOK(w.Configure(ctx, factory.Configuration{AgentName: "mem-1", Capabilities: []string{"memory_storage", "context_retrieval"}}))
	r := w.Request()
	r.Capabilities[0] = "changed"
	if w.Request().Capabilities[0] != "memory_storage" {
		t.Error("changing a Request() changed the wizard")
	}
}

func TestWizardDeploy(t *testing.T) {
	t.Parallel()
	srv := mockserver.New()
	pc := sdktest.MockClient(t, srv, mockserver.AdminEmail)
	fc := factory.New(pc)
	ctx := t.Context()
	count := func() int {
		p, err := pc.Agents.ListPage(ctx, platform.AgentListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	before := count()

	w := fc.NewWizard()
	if _, err := w.ChooseTemplate(ctx, "tmpl-orchestration"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Configure(ctx, factory.Configuration{AgentName: "x"}); err != nil {
		t.Fatal(err)
	}
	// An invalid request is refused locally: nothing reaches the platform.
	_, err := w.Deploy(ctx)
	if !errors.Is(err, platform.ErrInvalidArgument) || !strings.Contains(err.Error(), "agent_name") {
		t.Errorf("Deploy of an invalid request: %v, want ErrInvalidArgument naming agent_name", err)
	}
	if n := count(); n != before {
		t.Errorf("an invalid Deploy created an agent")
	}

	if _, err := w.Configure(ctx, factory.Configuration{AgentName: "order-flow"}); err != nil {
		t.Fatal(err)
	}
	op, err := w.Deploy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, err := pc.Agents.Get(ctx, op.Last().AgentID)
	if err != nil || a.Name != "order-flow" || a.TemplateID != "tmpl-orchestration" || a.Status != platform.AgentProvisioning {
		t.Errorf("deployed agent: %+v %v", a, err)
	}
	// Deploying again is a second creation of the same name.
	if _, err := w.Deploy(ctx); !errors.Is(err, platform.ErrConflict) {
		t.Errorf("second Deploy: %v, want a conflict", err)
	}
}

func TestWizardDeployNeedsAdmin(t *testing.T) {
	t.Parallel()
	srv := mockserver.New()
	fc := factory.New(sdktest.MockClient(t, srv, mockserver.OperatorEmail))
	w := fc.NewWizard()
	w.ChooseTemplate(t.Context(), "tmpl-api")
	w.Configure(t.Context(), factory.Configuration{AgentName: "crm-bridge"})
	if _, err := w.Deploy(t.Context()); !errors.Is(err, platform.ErrPermissionDenied) {
		t.Errorf("operator Deploy: %v, want ErrPermissionDenied", err)
	}
}
