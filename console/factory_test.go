package console_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

// The wizard as a browser without script walks it: every step a form post,
// the request kept in the session.
func TestFactoryWizard(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	b := e.signIn(t, mockserver.AdminEmail)
	p := b.get("factory")
	if p.status != 200 || strings.Count(p.body, `name="template_id"`) < 6 || !strings.Contains(p.body, "Memory Agent") {
		t.Fatalf("step 1: %d, %d template cards\n%s", p.status, strings.Count(p.body, `name="template_id"`), p.body)
	}
	// An unknown template is refused on the page, nothing chosen.
	if p = b.post("factory/template", url.Values{"template_id": {"tmpl-nope"}}); p.status != 422 || !strings.Contains(p.body, "tmpl-nope") {
		t.Errorf("unknown template: %d\n%s", p.status, p.body)
	}
	if p = b.get("factory/configure"); !strings.HasSuffix(p.url, "/factory") {
		t.Errorf("configure before a template: at %s", p.url)
	}
	p = b.post("factory/template", url.Values{"template_id": {"tmpl-memory"}})
	if !strings.HasSuffix(p.url, "/factory/configure") || !strings.Contains(p.body, `id="cfg-memory_type"`) || !strings.Contains(p.body, `id="cfg-retention_days"`) {
		t.Fatalf("step 2: at %s\n%s", p.url, p.body)
	}
	// The form comes from the schema: an enum is a select, bounds are kept.
	if !strings.Contains(p.body, `<select id="cfg-memory_type"`) || !strings.Contains(p.body, `max="365"`) {
		t.Errorf("the config form does not follow the schema:\n%s", p.body)
	}
	// A bad name and a config the schema refuses: the platform's words next to each field; nothing advances.
	bad := url.Values{"agent_name": {"x"}, "config.memory_type": {"short_term"}, "config.retention_days": {"30"}, "config.max_context_size": {"10000"}}
	p = b.post("factory/configure", bad)
	if p.status != 422 {
		t.Fatalf("bad configure: %d at %s", p.status, p.url)
	}
	for _, want := range []string{`id="agent_name-err"`, "3-63", `id="cfg-retention_days-err"`, "at most 7"} {
		if !strings.Contains(p.body, want) {
			t.Errorf("bad configure: no %q on the page", want)
		}
	}
	if !strings.Contains(p.body, `value="x"`) {
		t.Error("bad configure: the name typed is lost")
	}
	// Not a number where one is due: the platform says so next to the field.
	p = b.post("factory/configure", url.Values{"agent_name": {"test-agent"}, "config.memory_type": {"hybrid"}, "config.retention_days": {"lots"}, "config.max_context_size": {"10000"}})
	if p.status != 422 || !strings.Contains(p.body, `id="cfg-retention_days-err"`) {
		t.Errorf("a word for a number: %d\n%s", p.status, p.body)
	}
	good := url.Values{"agent_name": {"test-agent"}, "description": {"made by the wizard"}, "capabilities": {"semantic_search"},
		"config.memory_type": {"long_term"}, "config.retention_days": {"90"}, "config.max_context_size": {"20000"}}
	p = b.post("factory/configure", good)
	if !strings.HasSuffix(p.url, "/factory/resources") || !strings.Contains(p.body, `type="range"`) || !strings.Contains(p.body, "$22.00") {
		t.Fatalf("step 3: at %s\n%s", p.url, p.body)
	}
	// Back keeps what was entered.
	p = b.get("factory/configure")
	if !strings.Contains(p.body, `value="test-agent"`) || !strings.Contains(p.body, `<option value="long_term" selected>`) || !strings.Contains(p.body, `value="semantic_search" checked`) {
		t.Errorf("configure again does not keep the input:\n%s", p.body)
	}
	// Resources out of the template's limits, and not numbers.
	p = b.post("factory/resources", url.Values{"cpu_cores": {"9"}, "memory_gb": {"two"}, "storage_gb": {"10"}, "plan": {"professional"}})
	if p.status != 422 || !strings.Contains(p.body, "“two” is not a number") || !strings.Contains(p.body, "must be between 0.5 and 4") {
		t.Errorf("bad resources: %d\n%s", p.status, p.body)
	}
	// The estimate without script, then next.
	p = b.post("factory/resources", url.Values{"cpu_cores": {"2"}, "memory_gb": {"4"}, "storage_gb": {"20"}, "plan": {"enterprise"}, "nav": {"estimate"}})
	if p.status != 200 || !strings.Contains(p.body, "$63.00") { // (2×10 + 4×5) × 1.5 + 20×0.10 + 1
		t.Errorf("estimate: %d\n%s", p.status, p.body)
	}
	p = b.post("factory/resources", url.Values{"cpu_cores": {"2"}, "memory_gb": {"4"}, "storage_gb": {"20"}, "plan": {"enterprise"}})
	if !strings.HasSuffix(p.url, "/factory/review") || !strings.Contains(p.body, "test-agent") || !strings.Contains(p.body, "$63.00") || !strings.Contains(p.body, `id="deploy"`) {
		t.Fatalf("step 4: at %s\n%s", p.url, p.body)
	}
	p = b.post("factory/deploy", nil)
	if !strings.Contains(p.url, "/factory/deployments/") || !strings.Contains(p.body, "5. Deploy") {
		t.Fatalf("step 5: at %s\n%s", p.url, p.body)
	}
	e.mock.Advance(time.Hour) // every step takes a minute or more on the platform's clock
	p = b.get(strings.TrimPrefix(p.url, e.url))
	if !strings.Contains(p.body, "6. Done") || !strings.Contains(p.body, `id="agent-id"`) {
		t.Fatalf("step 6:\n%s", p.body)
	}
	pc := e.sdk(t, mockserver.AdminEmail)
	var found *platform.Agent
	for a, err := range pc.Agents.List(context.Background(), platform.AgentListOptions{Q: "test-agent"}) {
		if err != nil {
			t.Fatal(err)
		}
		found = &a
	}
	if found == nil || found.Status != platform.AgentOnline || !strings.Contains(p.body, found.AgentID) {
		t.Errorf("the new agent: %+v", found)
	}
	// The wizard starts again empty; the same name is now taken.
	if p = b.get("factory/configure"); !strings.HasSuffix(p.url, "/factory") {
		t.Errorf("after the deploy the draft is still there: at %s", p.url)
	}
}
