package factory_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
	"github.com/waooaw/waooaw-go/platform"
)

const (
	factoryTemplates = "/api/platform/factory/templates"
	factoryValidate  = "/api/platform/factory/validate"
	factoryEstimate  = "/api/platform/factory/estimate-cost"
	factoryAgents    = "/api/platform/factory/agents"
	factoryDeploy    = "/api/platform/factory/deployments/"
)

// agentCount is how many agents the server lists.
func agentCount(t *testing.T, ts *mockserver.TestServer) int {
	t.Helper()
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents?page_size=1", Token: mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")})
	a.Want(t, 200, "")
	var l struct{ Total int }
	a.Decode(t, &l)
	return l.Total
}

func TestFactoryTemplatesListsTheBuiltins(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: factoryTemplates, Token: tok})
	a.Want(t, 200, "")
	var l struct {
		Templates     []map[string]any `json:"templates"`
		NextPageToken string           `json:"next_page_token"`
		Total         int              `json:"total"`
	}
	a.Decode(t, &l)
	var ids []string
	for _, tm := range l.Templates {
		ids = append(ids, tm["template_id"].(string))
		for _, k := range []string{"name", "description", "category", "complexity"} {
			if s, _ := tm[k].(string); s == "" {
				t.Errorf("%s: %s is %v, want a string", tm["template_id"], k, tm[k])
			}
		}
	}
	wantIDs := []string{"tmpl-api", "tmpl-blank", "tmpl-data", "tmpl-memory", "tmpl-monitoring", "tmpl-orchestration"}
	if !slices.Equal(ids, wantIDs) || l.Total != 6 || l.NextPageToken != "" {
		t.Errorf("templates %v, total %d, next %q; want %v, 6, \"\"", ids, l.Total, l.NextPageToken, wantIDs)
	}

	// Pages of two cover the same six, in order.
	fc := factory.New(ts.Client(mockserver.ViewerEmail))
	var paged []string
	for d, err := range fc.Templates(t.Context(), platform.ListOptions{PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, d.TemplateID)
	}
	if !slices.Equal(paged, wantIDs) {
		t.Errorf("paged templates %v, want %v", paged, wantIDs)
	}
}

func TestFactoryTemplateDetail(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: factoryTemplates + "/tmpl-memory", Token: tok})
	a.Want(t, 200, "")
	var got template.Description
	a.Decode(t, &got)
	tm, err := template.Builtins().Get(t.Context(), "tmpl-memory")
	if err != nil {
		t.Fatal(err)
	}
	wantDesc, err := tm.Describe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// The schema travels re-encoded; compare it as a value.
	var gotSchema, wantSchema any
	json.Unmarshal(got.ConfigSchema, &gotSchema)
	json.Unmarshal(wantDesc.ConfigSchema, &wantSchema)
	if diff := cmp.Diff(wantSchema, gotSchema); diff != "" {
		t.Errorf("config_schema (-want +got):\n%s", diff)
	}
	got.ConfigSchema, wantDesc.ConfigSchema = nil, nil
	if diff := cmp.Diff(wantDesc, got); diff != "" {
		t.Errorf("tmpl-memory (-want +got):\n%s", diff)
	}
	var raw map[string]any
	a.Decode(t, &raw)
	for _, k := range []string{"template_id", "name", "description", "category", "complexity", "version", "config_schema",
		"default_config", "resource_defaults", "resource_limits", "required_capabilities", "optional_capabilities"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("tmpl-memory has no %s", k)
		}
	}

	mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: factoryTemplates + "/tmpl-nope", Token: tok}).Want(t, 404, "not_found")
	mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: factoryTemplates + "/tmpl-memory"}).Want(t, 401, "unauthenticated")
}

func TestFactoryValidate(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	tests := []struct {
		name  string
		body  string
		valid bool
		field string // an error names it
	}{
		{"defaults", `{"template_id":"tmpl-memory","agent_name":"mem-agent"}`, true, ""},
		{"name too short", `{"template_id":"tmpl-memory","agent_name":"x"}`, false, "agent_name"},
		{"name with a space and a bang", `{"template_id":"tmpl-memory","agent_name":"bad name!"}`, false, "agent_name"},
		{"sixteen cores", `{"template_id":"tmpl-memory","agent_name":"mem-agent","resources":{"cpu_cores":16}}`, false, "resources.cpu_cores"},
		{"config field", `{"template_id":"tmpl-memory","agent_name":"mem-agent","config":{"retention_days":0}}`, false, "config.retention_days"},
		{"unknown template", `{"template_id":"tmpl-nope","agent_name":"mem-agent"}`, false, "template_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: factoryValidate, Token: tok, Body: tt.body})
			a.Want(t, 200, "")
			var res struct {
				Valid    bool              `json:"valid"`
				Errors   []json.RawMessage `json:"errors"`
				Warnings []json.RawMessage `json:"warnings"`
			}
			a.Decode(t, &res)
			if res.Valid != tt.valid {
				t.Fatalf("valid = %v, want %v: %s", res.Valid, tt.valid, a.Raw)
			}
			if tt.valid {
				if !strings.Contains(string(a.Raw), `"errors":[]`) || res.Errors == nil || res.Warnings == nil {
					t.Errorf(`a valid request must answer "errors": [] and "warnings": []: %s`, a.Raw)
				}
				return
			}
			if !strings.Contains(string(a.Raw), `"field":"`+tt.field+`"`) {
				t.Errorf("no error names %s: %s", tt.field, a.Raw)
			}
		})
	}

	for name, c := range map[string]struct {
		body   string
		status int
	}{
		"no body":       {"", 400},
		"unknown field": {`{"template_id":"tmpl-memory","agent_name":"abc","colour":"red"}`, 400},
		"wrong type":    {`{"template_id":"tmpl-memory","agent_name":7}`, 400},
		"not an object": {`[1]`, 400},
	} {
		a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: factoryValidate, Token: tok, Body: c.body})
		if a.Status != c.status || a.ErrCode(t) != "invalid_argument" {
			t.Errorf("%s: %d %s, want %d invalid_argument", name, a.Status, a.Raw, c.status)
		}
	}
}

// TestFactoryValidateServerAndLocalAgree runs a table of requests, for
// every built-in and every rule, through the server's validate and the
// SDK's ValidateLocal: the results must be equal.
func TestFactoryValidateServerAndLocalAgree(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	fc := factory.New(ts.Client(mockserver.ViewerEmail))
	ctx := t.Context()

	type req = factory.Request
	res := func(c, m, s float64) *factory.Resources {
		return &factory.Resources{CPUCores: c, MemoryGB: m, StorageGB: s}
	}
	cfg := func(s string) json.RawMessage { return json.RawMessage(s) }
	var reqs []req
	list, err := template.Builtins().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		base := req{TemplateID: d.TemplateID, AgentName: "agent-" + d.Category}
		with := func(f func(*req)) req { r := base; f(&r); return r }
		reqs = append(reqs,
			base,
			with(func(r *req) { r.AgentName = "" }),
			with(func(r *req) { r.AgentName = "x" }),
			with(func(r *req) { r.AgentName = "bad name!" }),
			with(func(r *req) { r.AgentName = strings.Repeat("n", 64) }),
			with(func(r *req) { r.Description = strings.Repeat("d", 201) }),
			with(func(r *req) { r.Plan = "gold" }),
			with(func(r *req) { r.Plan = factory.PlanStarter }),
			with(func(r *req) { r.Capabilities = []string{"flying"} }),
			with(func(r *req) { r.Capabilities = append(slices.Clone(d.RequiredCapabilities), d.RequiredCapabilities...) }),
			with(func(r *req) { r.Capabilities = append(slices.Clone(d.RequiredCapabilities), d.OptionalCapabilities...) }),
			with(func(r *req) { r.Resources = res(16, 0, 0) }),
			with(func(r *req) { r.Resources = res(0.25, 0.25, 0.5) }),
			with(func(r *req) { r.Resources = res(4, 8, 100) }),
			with(func(r *req) { r.Resources = res(0.5, 0.5, 1) }),
			with(func(r *req) { r.Config = cfg(`[1,2]`) }),
			with(func(r *req) { r.Config = cfg(`{"no_such_field":1}`) }),
			with(func(r *req) { r.Config = d.DefaultConfig }),
		)
	}
	reqs = append(reqs,
		req{AgentName: "no-template"},
		req{TemplateID: "tmpl-nope", AgentName: "unknown"},
		// Each template's own rules.
		req{TemplateID: "tmpl-memory", AgentName: "mem", Config: cfg(`{"memory_type":"short_term","retention_days":30}`)},
		req{TemplateID: "tmpl-memory", AgentName: "mem", Config: cfg(`{"memory_type":"disk","retention_days":400,"max_context_size":10}`)},
		req{TemplateID: "tmpl-api", AgentName: "api", Config: cfg(`{"auth_type":"oauth2","base_url":"http://example.com"}`)},
		req{TemplateID: "tmpl-api", AgentName: "api", Config: cfg(`{"rate_limit_per_min":0,"cache_ttl_seconds":-1}`)},
		req{TemplateID: "tmpl-orchestration", AgentName: "orc", Config: cfg(`{"max_parallel_tasks":0,"retry_strategy":"sometimes"}`)},
		req{TemplateID: "tmpl-data", AgentName: "dat", Config: cfg(`{"batch_size":0,"error_threshold":2}`)},
		req{TemplateID: "tmpl-monitoring", AgentName: "mon", Config: cfg(`{"check_interval_seconds":1,"alert_threshold":1.5}`)},
		req{TemplateID: "tmpl-blank", AgentName: "blk", Config: cfg(`{"anything":{"goes":true}}`)},
	)
	for i, r := range reqs {
		t.Run(fmt.Sprintf("%02d-%s-%s", i, r.TemplateID, r.AgentName), func(t *testing.T) {
			server, err := fc.Validate(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			local, err := fc.ValidateLocal(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(local, server); diff != "" {
				t.Errorf("server and local disagree (-local +server):\n%s", diff)
			}
		})
	}
	// The table is not all valid or all invalid requests.
	var valid, invalid int
	for _, r := range reqs {
		res, _ := fc.ValidateLocal(ctx, r)
		if res.Valid {
			valid++
		} else {
			invalid++
		}
	}
	if valid < 6 || invalid < 6*10 {
		t.Errorf("the table has %d valid and %d invalid requests: it does not exercise the rules", valid, invalid)
	}
}

func TestFactoryEstimateCost(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: factoryEstimate, Token: tok,
		Body: `{"template_id":"tmpl-memory","agent_name":"mem-agent","plan":"professional"}`})
	a.Want(t, 200, "")
	var got template.Cost
	a.Decode(t, &got)
	wantCost := template.Cost{Currency: "USD", Period: "month", Total: 22,
		Breakdown: template.Breakdown{CPU: 10, Memory: 10, Storage: 1, Network: 1}}
	if diff := cmp.Diff(wantCost, got); diff != "" {
		t.Errorf("memory defaults (-want +got):\n%s", diff)
	}

	fc := factory.New(ts.Client(mockserver.ViewerEmail))
	for _, tt := range []struct {
		plan factory.Plan
		r    *factory.Resources
		want float64
	}{
		{factory.PlanStarter, nil, 12}, // (10 + 10) × 0.5 + 1 + 1
		{factory.PlanEnterprise, &factory.Resources{CPUCores: 4, MemoryGB: 8, StorageGB: 100}, 131}, // (40 + 40) × 1.5 + 10 + 1
		{"", &factory.Resources{CPUCores: 0.5}, 17},
	} {
		c, err := fc.EstimateCost(t.Context(), factory.Request{TemplateID: "tmpl-memory", AgentName: "mem", Plan: tt.plan, Resources: tt.r})
		if err != nil {
			t.Fatal(err)
		}
		if c.Total != tt.want {
			t.Errorf("plan %q resources %+v: total %.2f, want %.2f", tt.plan, tt.r, c.Total, tt.want)
		}
	}

	_, err := fc.EstimateCost(t.Context(), factory.Request{TemplateID: "tmpl-memory", AgentName: "x",
		Resources: &factory.Resources{CPUCores: 16}})
	var pe *platform.Error
	if !errors.As(err, &pe) || pe.StatusCode != 400 || !errors.Is(err, platform.ErrInvalidArgument) {
		t.Fatalf("invalid estimate: %v, want a 400", err)
	}
	var fields []string
	for _, d := range pe.Details {
		fields = append(fields, d.Field)
	}
	if !slices.Equal(fields, []string{"agent_name", "resources.cpu_cores"}) {
		t.Errorf("details name %v, want agent_name and resources.cpu_cores", fields)
	}
}

func TestFactoryCreateDeploysOnTheClock(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	admin := mocktest.Token(t, ts, mockserver.AdminEmail, "admin")
	viewer := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	before := agentCount(t, ts)

	a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: factoryAgents, Token: admin,
		Body: `{"template_id":"tmpl-memory","agent_name":"support-memory","description":"Remembers tickets","capabilities":["memory_storage","context_retrieval","semantic_search"]}`})
	a.Want(t, 202, "")
	var cr factory.Created
	a.Decode(t, &cr)
	if cr.AgentID == "" || cr.DeploymentID == "" || cr.Status != platform.AgentProvisioning {
		t.Fatalf("create answered %s", a.Raw)
	}
	if loc := a.Header.Get("Location"); loc != factoryDeploy+cr.DeploymentID {
		t.Errorf("Location = %q, want %q", loc, factoryDeploy+cr.DeploymentID)
	}

	// The agent is listed at once, provisioning.
	if n := agentCount(t, ts); n != before+1 {
		t.Errorf("agents: %d, want %d", n, before+1)
	}
	getAgent := func() platform.Agent {
		t.Helper()
		a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/" + cr.AgentID, Token: mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")})
		a.Want(t, 200, "")
		var ag platform.Agent
		a.Decode(t, &ag)
		return ag
	}
	ag := getAgent()
	wantAgent := platform.Agent{
		AgentID: cr.AgentID, Name: "support-memory", Description: "Remembers tickets",
		Tier: platform.TierBusiness, Status: platform.AgentProvisioning, Health: platform.AgentHealthy,
		Version: "1.0.0", Capabilities: []string{"memory_storage", "context_retrieval", "semantic_search"},
		TemplateID: "tmpl-memory", CreatedAt: ts.Now(),
	}
	if diff := cmp.Diff(wantAgent, ag); diff != "" {
		t.Errorf("new agent (-want +got):\n%s", diff)
	}
	a = mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents?status=provisioning", Token: viewer})
	if !strings.Contains(string(a.Raw), cr.AgentID) {
		t.Errorf("the provisioning filter does not list %s: %s", cr.AgentID, a.Raw)
	}

	getDep := func() factory.Deployment {
		t.Helper()
		a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: factoryDeploy + cr.DeploymentID, Token: mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")})
		a.Want(t, 200, "")
		var d factory.Deployment
		a.Decode(t, &d)
		return d
	}
	d := getDep()
	if d.Status != factory.DeploymentPending || d.Progress != 0 || d.AgentID != cr.AgentID || d.TemplateID != "tmpl-memory" || d.CompletedAt != nil {
		t.Fatalf("fresh deployment: %+v", d)
	}
	var names []string
	var total time.Duration
	for _, s := range d.Steps {
		names = append(names, s.Name)
		dur := time.Duration(s.EstimatedDurationMS) * time.Millisecond
		if s.Status != factory.StepPending || s.StartedAt != nil || dur < time.Minute || dur > 10*time.Minute {
			t.Errorf("fresh step %+v", s)
		}
		total += dur
	}
	if want := []string{"validate", "allocate", "provision", "configure", "health_check", "online"}; !slices.Equal(names, want) {
		t.Errorf("steps %v, want %v", names, want)
	}

	// Into the first step, then half way: running, progress growing.
	ts.Advance(10 * time.Second)
	d = getDep()
	if d.Status != factory.DeploymentRunning || d.Steps[0].Status != factory.StepRunning || d.CurrentStep().Name != "validate" {
		t.Fatalf("after 10 s: %+v", d)
	}
	first := d.Progress
	ts.Advance(total / 2)
	d = getDep()
	if d.Status != factory.DeploymentRunning || d.Progress <= first || d.Progress < 40 || d.Progress > 60 {
		t.Errorf("half way: status %s progress %d (was %d)", d.Status, d.Progress, first)
	}
	if getAgent().Status != platform.AgentProvisioning {
		t.Errorf("the agent is online before its deployment completed")
	}

	// To the end: completed, every step completed, the agent online.
	ts.Advance(total)
	d = getDep()
	if d.Status != factory.DeploymentCompleted || d.Progress != 100 || d.CompletedAt == nil || d.CurrentStep() != nil {
		t.Fatalf("after the steps: %+v", d)
	}
	wantEnd := d.CreatedAt.Add(5*time.Second + total)
	if !d.CompletedAt.Equal(wantEnd) || !d.Steps[5].CompletedAt.Equal(wantEnd) {
		t.Errorf("completed at %v, last step at %v; want %v", d.CompletedAt, d.Steps[5].CompletedAt, wantEnd)
	}
	for i, s := range d.Steps {
		if s.Status != factory.StepCompleted || s.StartedAt == nil || s.CompletedAt == nil {
			t.Errorf("step %d %+v", i, s)
		}
		if i > 0 && !s.StartedAt.Equal(*d.Steps[i-1].CompletedAt) {
			t.Errorf("step %s starts at %v, not when %s completed (%v)", s.Name, s.StartedAt, d.Steps[i-1].Name, d.Steps[i-1].CompletedAt)
		}
	}
	ag = getAgent()
	if ag.Status != platform.AgentOnline || ag.LastActive == nil || !ag.LastActive.Equal(wantEnd) {
		t.Errorf("agent after the deployment: %s, last active %v; want online at %v", ag.Status, ag.LastActive, wantEnd)
	}

	mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: factoryDeploy + "dep-9999", Token: mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")}).Want(t, 404, "not_found")
}

func TestFactoryCreateRefusals(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	admin := mocktest.Token(t, ts, mockserver.AdminEmail, "admin")
	body := `{"template_id":"tmpl-api","agent_name":"crm-bridge"}`

	for _, role := range []struct{ email, role string }{{mockserver.OperatorEmail, "operator"}, {mockserver.ViewerEmail, "viewer"}} {
		a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: factoryAgents, Token: mocktest.Token(t, ts, role.email, role.role), Body: body})
		a.Want(t, 403, "permission_denied")
	}
	mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: factoryAgents, Body: body}).Want(t, 401, "unauthenticated")

	before := agentCount(t, ts)
	a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: factoryAgents, Token: admin,
		Body: `{"template_id":"tmpl-api","agent_name":"x","resources":{"cpu_cores":16},"config":{"auth_type":"magic"}}`})
	a.Want(t, 400, "invalid_argument")
	var eb platform.ErrorBody
	a.Decode(t, &eb)
	var fields []string
	for _, d := range eb.Error.Details {
		fields = append(fields, d.Field)
	}
	if !slices.Equal(fields, []string{"agent_name", "config.auth_type", "resources.cpu_cores"}) {
		t.Errorf("details name %v", fields)
	}
	for _, bad := range []string{"", `{"template_id":"tmpl-api","agent_name":"crm-bridge","extra":1}`, `{"template_id":`} {
		mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: factoryAgents, Token: admin, Body: bad}).Want(t, 400, "invalid_argument")
	}
	if n := agentCount(t, ts); n != before {
		t.Errorf("refused creates changed the agents: %d, want %d", n, before)
	}

	// Names are unique among all agents, seeded ones too, whatever the case.
	for _, name := range []string{"WowMemory", "wowmemory", "CONTENT-marketing-x"} {
		b := fmt.Sprintf(`{"template_id":"tmpl-memory","agent_name":%q}`, name)
		a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: factoryAgents, Token: admin, Body: b})
		if name == "CONTENT-marketing-x" {
			a.Want(t, 202, "")
			b = fmt.Sprintf(`{"template_id":"tmpl-api","agent_name":%q}`, strings.ToLower(name))
			a = mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: factoryAgents, Token: admin, Body: b})
		}
		a.Want(t, 409, "already_exists")
	}
	if n := agentCount(t, ts); n != before+1 {
		t.Errorf("agents: %d, want %d", n, before+1)
	}
}

func TestFactoryCreateIsIdempotent(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	fc := factory.New(ts.Client(mockserver.AdminEmail))
	before := agentCount(t, ts)

	req := factory.Request{TemplateID: "tmpl-monitoring", AgentName: "uptime-watch"}
	ctx := platform.WithIdempotencyKey(t.Context(), "create-uptime-watch-1")
	first, err := fc.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := fc.Create(ctx, req)
	if err != nil {
		t.Fatalf("the same request with the same key: %v", err)
	}
	if again.ID() != first.ID() || again.Last().AgentID != first.Last().AgentID {
		t.Errorf("replay made deployment %s agent %s, want %s %s", again.ID(), again.Last().AgentID, first.ID(), first.Last().AgentID)
	}
	if n := agentCount(t, ts); n != before+1 {
		t.Errorf("agents: %d, want %d", n, before+1)
	}

	// The replay says so, and carries the Location.
	admin := mocktest.Token(t, ts, mockserver.AdminEmail, "admin")
	raw := mocktest.Call{Method: "POST", Path: factoryAgents, Token: admin, Body: `{"template_id":"tmpl-api","agent_name":"raw-key"}`,
		Header: map[string]string{"Idempotency-Key": "raw-1"}}
	a1, a2 := mocktest.Do(t, ts, raw), mocktest.Do(t, ts, raw)
	a2.Want(t, 202, "")
	if a2.Header.Get("Idempotent-Replayed") != "true" || a2.Header.Get("Location") != a1.Header.Get("Location") || string(a2.Raw) != string(a1.Raw) {
		t.Errorf("replay: %v %s; first: %v %s", a2.Header, a2.Raw, a1.Header, a1.Raw)
	}

	// The same key with another body is refused, and creates nothing.
	_, err = fc.Create(ctx, factory.Request{TemplateID: "tmpl-monitoring", AgentName: "uptime-watch-2"})
	var pe *platform.Error
	if !errors.As(err, &pe) || pe.StatusCode != 422 || pe.Code != "idempotency_key_reused" || !errors.Is(err, platform.ErrConflict) {
		t.Fatalf("same key, other body: %v, want 422 idempotency_key_reused", err)
	}
	if n := agentCount(t, ts); n != before+2 {
		t.Errorf("agents: %d, want %d", n, before+2)
	}

	// Without a caller's key every Create is its own: a second one is a
	// duplicate name.
	if _, err := fc.Create(t.Context(), req); !errors.Is(err, platform.ErrConflict) {
		t.Errorf("second create without a key: %v, want a conflict", err)
	}
}

func TestFactoryConcurrentCreatesOfOneName(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	fc := factory.New(ts.Client(mockserver.AdminEmail))
	before := agentCount(t, ts)
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = fc.Create(t.Context(), factory.Request{TemplateID: "tmpl-data", AgentName: "etl-nightly"})
		})
	}
	wg.Wait()
	var ok, dup int
	for _, err := range errs {
		var pe *platform.Error
		switch {
		case err == nil:
			ok++
		case errors.As(err, &pe) && pe.StatusCode == 409 && pe.Code == "already_exists":
			dup++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 || dup != n-1 {
		t.Errorf("%d created and %d refused, want 1 and %d", ok, dup, n-1)
	}
	if got := agentCount(t, ts); got != before+1 {
		t.Errorf("agents: %d, want %d", got, before+1)
	}
}

// failingSource is a template source whose every call fails with err, as
// a crashed or hung plugin host would.
type failingSource struct{ err error }

func (f failingSource) List(context.Context) ([]template.Description, error) { return nil, f.err }
func (f failingSource) Get(context.Context, string) (template.Template, error) {
	return nil, f.err
}

func TestFactoryTemplateFailures(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"crashed", errors.New("plugin exited"), http.StatusServiceUnavailable, "unavailable"},
		{"hung", fmt.Errorf("plugin call: %w", context.DeadlineExceeded), http.StatusGatewayTimeout, "template_timeout"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := apitest.Start(t, mockserver.WithTemplates(failingSource{tt.err}))
			admin := mocktest.Token(t, ts, mockserver.AdminEmail, "admin")
			before := agentCount(t, ts)
			body := `{"template_id":"tmpl-memory","agent_name":"mem-agent"}`
			for _, c := range []mocktest.Call{
				{Method: "GET", Path: factoryTemplates},
				{Method: "GET", Path: factoryTemplates + "/tmpl-memory"},
				{Method: "POST", Path: factoryValidate, Body: body},
				{Method: "POST", Path: factoryEstimate, Body: body},
				{Method: "POST", Path: factoryAgents, Body: body},
			} {
				c.Token = admin
				a := mocktest.Do(t, ts, c)
				if a.Status != tt.status || a.ErrCode(t) != tt.code {
					t.Errorf("%s %s: %d %s, want %d %s", c.Method, c.Path, a.Status, a.Raw, tt.status, tt.code)
				}
			}
			if n := agentCount(t, ts); n != before {
				t.Errorf("a failed create changed the agents: %d, want %d", n, before)
			}
		})
	}
}

// TestFactoryResetForgetsDeployments: Reset drops created agents and
// their deployments.
func TestFactoryResetForgetsDeployments(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	fc := factory.New(ts.Client(mockserver.AdminEmail))
	before := agentCount(t, ts)
	op, err := fc.Create(t.Context(), factory.Request{TemplateID: "tmpl-blank", AgentName: "scratch"})
	if err != nil {
		t.Fatal(err)
	}
	ts.Reset()
	if _, err := fc.Deployment(t.Context(), op.ID()); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("deployment after Reset: %v, want not found", err)
	}
	if n := agentCount(t, ts); n != before {
		t.Errorf("agents after Reset: %d, want %d", n, before)
	}
}

// FuzzFactoryRequest sends arbitrary bodies to validate, estimate-cost and
// create: the answer is always a documented 2xx or 400, never a 5xx, and
// validate never disagrees with the SDK's local check.
func FuzzFactoryRequest(f *testing.F) {
	for _, s := range []string{
		`{"template_id":"tmpl-memory","agent_name":"mem-agent"}`,
		`{"template_id":"tmpl-api","agent_name":"x","resources":{"cpu_cores":16},"config":{"auth_type":"magic"}}`,
		`{"template_id":"tmpl-data","agent_name":"etl","capabilities":["a","a"],"plan":"gold","config":[1]}`,
		`{"template_id":"tmpl-blank","agent_name":"b-1","config":{"x":{"y":[1,2,{"z":null}]}}}`,
		`{"resources":{"cpu_cores":1e308,"memory_gb":-0,"storage_gb":5e-324}}`,
		`null`, `{}`, `[]`, `"x"`, ``,
	} {
		f.Add(s)
	}
	srv := mockserver.New()
	hc := &http.Client{Transport: srv.Transport()}
	tok, err := srv.Token(mockserver.AdminEmail, "admin", time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	fc := factory.New(nil)
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{factoryValidate, factoryEstimate, factoryAgents} {
			req, _ := http.NewRequest("POST", "http://mock.local"+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw := new(strings.Builder)
			io.Copy(raw, resp.Body)
			resp.Body.Close()
			ok := resp.StatusCode == 200 || resp.StatusCode == 202 || resp.StatusCode == 400 || resp.StatusCode == 409 || resp.StatusCode == 413
			if !ok {
				t.Fatalf("POST %s %q: %d %s", path, body, resp.StatusCode, raw)
			}
			if path != factoryValidate || resp.StatusCode != 200 {
				continue
			}
			var r factory.Request
			if err := json.Unmarshal([]byte(body), &r); err != nil {
				t.Fatalf("the server read a body Go cannot: %v", err)
			}
			local, err := fc.ValidateLocal(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			var server factory.Result
			if err := json.Unmarshal([]byte(raw.String()), &server); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(*local, server); diff != "" {
				t.Fatalf("%q: server and local disagree (-local +server):\n%s", body, diff)
			}
		}
	})
}
