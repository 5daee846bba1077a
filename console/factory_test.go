package console_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/factory/template"
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
	if strings.Contains(p.body, `href="/factory/resources"`) {
		t.Error("bad configure: the next steps are offered")
	}
	if p = b.get("factory/review"); !strings.HasSuffix(p.url, "/factory/configure") || !strings.Contains(p.body, "Finish the configuration first") {
		t.Errorf("review of a bad configuration: at %s", p.url)
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

// pluginTemplates is one template besides the built-ins, as a plugin host
// would serve it: the console knows it only through the platform.
type pluginTemplates struct{ schema *template.ConfigSchema }

const echoSchema = `{"type":"object","properties":{"greeting":{"type":"string","description":"What it says.","maxLength":20},
"loud":{"type":"boolean"}},"required":["greeting"],"additionalProperties":false}`

func (p pluginTemplates) desc() template.Description {
	return template.Description{TemplateID: "tmpl-echo", Name: "Echo Agent", Description: "says what it is told", Category: "plugin",
		Complexity: "low", Version: "1.0.0", ConfigSchema: json.RawMessage(echoSchema), DefaultConfig: json.RawMessage(`{"greeting":"hi","loud":false}`),
		ResourceDefaults:     template.Resources{CPUCores: 0.5, MemoryGB: 1, StorageGB: 1},
		ResourceLimits:       template.ResourceLimits{Min: template.Resources{CPUCores: 0.5, MemoryGB: 0.5, StorageGB: 1}, Max: template.Resources{CPUCores: 1, MemoryGB: 2, StorageGB: 5}},
		RequiredCapabilities: []string{"echo"}, OptionalCapabilities: []string{}}
}

func (p pluginTemplates) List(context.Context) ([]template.Description, error) {
	return []template.Description{p.desc()}, nil
}

func (p pluginTemplates) Get(_ context.Context, id string) (template.Template, error) {
	if id != "tmpl-echo" {
		return nil, template.ErrNotFound
	}
	return p, nil
}

func (p pluginTemplates) Describe(context.Context) (template.Description, error) {
	return p.desc(), nil
}

func (p pluginTemplates) Validate(_ context.Context, cfg json.RawMessage) ([]template.Issue, error) {
	return p.schema.Validate(cfg), nil
}

func (p pluginTemplates) Render(_ context.Context, r template.RenderRequest) (template.Spec, error) {
	var steps []template.Step // the fixed steps, each within the host's 1-10 minutes
	for _, n := range template.StepNames() {
		steps = append(steps, template.Step{Name: n, DurationMS: template.MinStepDuration.Milliseconds()})
	}
	return template.Spec{TemplateID: "tmpl-echo", AgentName: r.AgentName, Resources: r.Resources, Plan: r.Plan, Config: r.Config,
		Steps: steps}, nil
}

// A plugin template is a card, its form comes from its schema and its
// config is checked by the platform.
func TestFactoryPluginTemplate(t *testing.T) {
	t.Parallel()
	schema, err := template.CompileConfigSchema(json.RawMessage(echoSchema))
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, "/", mockserver.WithTemplates(template.Combine(template.Builtins(), pluginTemplates{schema})))
	b := e.signIn(t, mockserver.AdminEmail)
	if p := b.get("factory"); !strings.Contains(p.body, `value="tmpl-echo"`) || strings.Count(p.body, `name="template_id"`) != 7 {
		t.Fatalf("the plugin template is not a card:\n%s", p.body)
	}
	p := b.post("factory/template", url.Values{"template_id": {"tmpl-echo"}})
	if !strings.Contains(p.body, `id="cfg-greeting"`) || !strings.Contains(p.body, `<select id="cfg-loud"`) || !strings.Contains(p.body, `value="hi"`) {
		t.Fatalf("the plugin's form:\n%s", p.body)
	}
	p = b.post("factory/configure", url.Values{"agent_name": {"echo-1"}, "config.greeting": {strings.Repeat("a", 30)}, "config.loud": {"true"}})
	if p.status != 422 || !strings.Contains(p.body, `id="cfg-greeting-err"`) {
		t.Errorf("a greeting over the plugin's limit: %d\n%s", p.status, p.body)
	}
	p = b.post("factory/configure", url.Values{"agent_name": {"echo-1"}, "config.greeting": {"hello"}, "config.loud": {"true"}})
	if !strings.HasSuffix(p.url, "/factory/resources") || !strings.Contains(p.body, `max="1"`) {
		t.Fatalf("configure the plugin: at %s\n%s", p.url, p.body)
	}
	b.post("factory/resources", url.Values{"cpu_cores": {"1"}, "memory_gb": {"1"}, "storage_gb": {"2"}, "plan": {"starter"}})
	p = b.post("factory/deploy", nil)
	if !strings.Contains(p.url, "/factory/deployments/") {
		t.Fatalf("deploy the plugin: at %s\n%s", p.url, p.body)
	}
}

// Refusals: no deploy for a non-admin, a name taken between the check and
// the deploy, a forged post.
func TestFactoryRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	walk := func(b *browser, name string) page {
		b.post("factory/template", url.Values{"template_id": {"tmpl-blank"}})
		b.post("factory/configure", url.Values{"agent_name": {name}})
		return b.post("factory/resources", url.Values{"plan": {"starter"}})
	}
	ob := e.signIn(t, mockserver.OperatorEmail)
	if p := walk(ob, "ops-agent"); !strings.HasSuffix(p.url, "/factory/review") || strings.Contains(p.body, `id="deploy"`) || !strings.Contains(p.body, "needs the admin role") {
		t.Errorf("the operator's review: at %s\n%s", p.url, p.body)
	}
	if p := ob.post("factory/deploy", nil); p.status != 403 {
		t.Errorf("the operator's deploy: %d", p.status)
	}
	ab := e.signIn(t, mockserver.AdminEmail)
	walk(ab, "WowMemory")
	p := ab.post("factory/deploy", nil)
	if p.status != 409 || !strings.Contains(p.body, `id="agent_name-err"`) || !strings.Contains(p.body, "already in use") {
		t.Errorf("a name taken: %d\n%s", p.status, p.body)
	}
	// A request the wizard finds invalid is not sent: nothing is made.
	ab.post("factory/configure", url.Values{"agent_name": {"x y"}})
	if p := ab.post("factory/deploy", nil); p.status != 422 || !strings.Contains(p.body, "Nothing was deployed") {
		t.Errorf("deploy of a bad name: %d\n%s", p.status, p.body)
	}
	for a, err := range e.sdk(t, mockserver.AdminEmail).Agents.List(context.Background(), platform.AgentListOptions{Q: "x y"}) {
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("a bad request made agent %s", a.AgentID)
	}
	if p := ab.post("factory/deploy", url.Values{"csrf": {"forged"}}); p.status != 403 {
		t.Errorf("a forged deploy: %d", p.status)
	}
	if p := ab.get("factory/estimate?cpu_cores=x"); p.status != 400 {
		t.Errorf("estimate of a word: %d", p.status)
	}
	if p := ab.get("factory/estimate?cpu_cores=1&memory_gb=2&storage_gb=10&plan=professional"); !strings.Contains(p.body, `"total":"$22.00"`) {
		t.Errorf("estimate: %s", p.body)
	}
	if p := ab.get("factory/deployments/dep-nope"); p.status != 404 {
		t.Errorf("unknown deployment: %d", p.status)
	}
}

// Every part-2 page sends a signed-out visitor to the login page.
func TestPart2PagesNeedASession(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	b := e.browser(t)
	for _, path := range []string{"factory", "factory/review", "servicing", "servicing/wow-memory", "helpdesk?q=acme",
		"helpdesk/customers/cust-001", "helpdesk/playbooks/pb-agent-error", "logs?level=ERROR", "alerts"} {
		p := b.noFollow("GET", path, nil)
		if want := "/login?why=required&next=" + url.QueryEscape("/"+path); p.status != 303 || p.header.Get("Location") != want {
			t.Errorf("GET /%s signed out: %d to %q", path, p.status, p.header.Get("Location"))
		}
	}
	for _, path := range []string{"factory/deploy", "servicing/wow-memory/upgrade", "helpdesk/actions/restart-agent", "alerts/alert-001/resolve"} {
		if p := b.noFollow("POST", path, url.Values{}); p.status != 401 {
			t.Errorf("POST /%s signed out: %d", path, p.status)
		}
	}
}
