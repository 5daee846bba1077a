package factory_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/internal/sdktest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// setup returns a factory client whose requests reach mux in memory
// (sdktest.Setup: no socket, safe inside a synctest bubble). The client
// retries once, at most a millisecond later.
func setup(t *testing.T, opts ...platform.Option) (*factory.Client, *http.ServeMux) {
	t.Helper()
	pc, mux := sdktest.Setup(t, append([]platform.Option{
		platform.WithBackoff(time.Microsecond, time.Millisecond),
		platform.WithRetries(1),
	}, opts...)...)
	return factory.New(pc), mux
}

// checkRequest asserts the method and the JSON body of a request.
func checkRequest(t *testing.T, r *http.Request, method, body string) {
	t.Helper()
	sdktest.TestMethod(t, r, method)
	sdktest.TestJSONBody(t, r, body)
}

var memoryRequest = factory.Request{
	TemplateID: "tmpl-memory",
	AgentName:  "support-memory",
	Plan:       factory.PlanEnterprise,
	Config:     json.RawMessage(`{"retention_days":90}`),
	Resources:  &factory.Resources{CPUCores: 2},
}

const memoryRequestJSON = `{"template_id":"tmpl-memory","agent_name":"support-memory","plan":"enterprise",
	"config":{"retention_days":90},"resources":{"cpu_cores":2,"memory_gb":0,"storage_gb":0}}`

func TestTemplates(t *testing.T) {
	t.Parallel()
	fc, mux := setup(t)
	mux.HandleFunc("/api/platform/factory/templates", func(w http.ResponseWriter, r *http.Request) {
		checkRequest(t, r, "GET", "")
		switch r.URL.Query().Get("page_token") {
		case "":
			if got := r.URL.Query().Get("page_size"); got != "1" {
				t.Errorf("page_size %q, want 1", got)
			}
			sdktest.WriteJSON(w, 200, `{"templates":[{"template_id":"tmpl-a","name":"A","future_field":1}],"next_page_token":"p2","total":2}`)
		case "p2":
			sdktest.WriteJSON(w, 200, `{"templates":[{"template_id":"tmpl-b","name":"B"}],"next_page_token":"","total":2}`)
		default:
			t.Errorf("page_token %q", r.URL.Query().Get("page_token"))
		}
	})
	var got []string
	for d, err := range fc.Templates(t.Context(), platform.ListOptions{PageSize: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, d.TemplateID+"/"+d.Name)
	}
	if diff := cmp.Diff([]string{"tmpl-a/A", "tmpl-b/B"}, got); diff != "" {
		t.Errorf("templates (-want +got):\n%s", diff)
	}
}

func TestTemplate(t *testing.T) {
	t.Parallel()
	fc, mux := setup(t)
	mux.HandleFunc("/api/platform/factory/templates/{id}", func(w http.ResponseWriter, r *http.Request) {
		checkRequest(t, r, "GET", "")
		if r.PathValue("id") != "tmpl-memory" {
			sdktest.WriteJSON(w, 404, `{"error":{"code":"not_found","message":"template not found","request_id":"r1"}}`)
			return
		}
		sdktest.WriteJSON(w, 200, `{"template_id":"tmpl-memory","name":"Memory Agent","version":"1.0.0",
			"resource_defaults":{"cpu_cores":1,"memory_gb":2,"storage_gb":10},"required_capabilities":["memory_storage"]}`)
	})
	d, err := fc.Template(t.Context(), "tmpl-memory")
	if err != nil {
		t.Fatal(err)
	}
	want := &factory.Description{TemplateID: "tmpl-memory", Name: "Memory Agent", Version: "1.0.0",
		ResourceDefaults: factory.Resources{CPUCores: 1, MemoryGB: 2, StorageGB: 10}, RequiredCapabilities: []string{"memory_storage"}}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("template (-want +got):\n%s", diff)
	}
	if _, err := fc.Template(t.Context(), "tmpl-nope"); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("unknown template: %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "..", "."} {
		if _, err := fc.Template(t.Context(), bad); !errors.Is(err, platform.ErrInvalidArgument) {
			t.Errorf("Template(%q): %v, want ErrInvalidArgument before any request", bad, err)
		}
	}
}

func TestValidateEstimateCreateSendTheRequest(t *testing.T) {
	t.Parallel()
	fc, mux := setup(t)
	mux.HandleFunc("/api/platform/factory/validate", func(w http.ResponseWriter, r *http.Request) {
		checkRequest(t, r, "POST", memoryRequestJSON)
		sdktest.WriteJSON(w, 200, `{"valid":false,"errors":[{"field":"agent_name","issue":"taken"}],"warnings":[]}`)
	})
	mux.HandleFunc("/api/platform/factory/estimate-cost", func(w http.ResponseWriter, r *http.Request) {
		checkRequest(t, r, "POST", memoryRequestJSON)
		sdktest.WriteJSON(w, 200, `{"currency":"USD","period":"month","total":61,"breakdown":{"cpu":30,"memory":30,"storage":0,"network":1}}`)
	})
	var keys []string
	mux.HandleFunc("/api/platform/factory/agents", func(w http.ResponseWriter, r *http.Request) {
		checkRequest(t, r, "POST", memoryRequestJSON)
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		if len(keys) == 1 { // the first attempt fails: the retry must reuse the key
			sdktest.WriteJSON(w, 503, `{"error":{"code":"unavailable","message":"try again","request_id":"r"}}`)
			return
		}
		w.Header().Set("Location", "/api/platform/factory/deployments/dep-0001")
		sdktest.WriteJSON(w, 202, `{"agent_id":"agent-101","deployment_id":"dep-0001","status":"provisioning"}`)
	})
	ctx := t.Context()

	res, err := fc.Validate(ctx, memoryRequest)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&factory.Result{Errors: []factory.Issue{{Field: "agent_name", Issue: "taken"}}, Warnings: []factory.Issue{}}, res); diff != "" {
		t.Errorf("validate (-want +got):\n%s", diff)
	}

	cost, err := fc.EstimateCost(ctx, memoryRequest)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&factory.Cost{Currency: "USD", Period: "month", Total: 61,
		Breakdown: template.Breakdown{CPU: 30, Memory: 30, Network: 1}}, cost); diff != "" {
		t.Errorf("estimate (-want +got):\n%s", diff)
	}

	op, err := fc.Create(ctx, memoryRequest)
	if err != nil {
		t.Fatal(err)
	}
	if last := op.Last(); op.ID() != "dep-0001" || last.AgentID != "agent-101" || last.DeploymentID != "dep-0001" ||
		last.Status != factory.DeploymentPending || op.Progress() != 0 || op.Done() {
		t.Errorf("operation: id %s last %+v progress %d done %v", op.ID(), last, op.Progress(), op.Done())
	}
	if len(keys) != 2 || keys[0] == "" || keys[0] != keys[1] {
		t.Errorf("Idempotency-Keys of the attempts: %q, want one key reused", keys)
	}

	// A caller's key is sent as is.
	keys = nil
	if _, err := fc.Create(platform.WithIdempotencyKey(ctx, "mine-1"), memoryRequest); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || keys[0] != "mine-1" || keys[1] != "mine-1" {
		t.Errorf("Idempotency-Keys: %q, want mine-1 on each attempt", keys)
	}
}

func TestCreateErrors(t *testing.T) {
	t.Parallel()
	fc, mux := setup(t)
	mux.HandleFunc("/api/platform/factory/agents", func(w http.ResponseWriter, r *http.Request) {
		var req factory.Request
		json.NewDecoder(r.Body).Decode(&req)
		switch req.AgentName {
		case "taken":
			sdktest.WriteJSON(w, 409, `{"error":{"code":"already_exists","message":"an agent named taken exists","request_id":"r"}}`)
		case "x":
			sdktest.WriteJSON(w, 400, `{"error":{"code":"invalid_argument","message":"not valid","details":[{"field":"agent_name","issue":"too short"}],"request_id":"r"}}`)
		case "no-id":
			sdktest.WriteJSON(w, 202, `{"agent_id":"agent-1","status":"provisioning"}`)
		default:
			sdktest.WriteJSON(w, 403, `{"error":{"code":"permission_denied","message":"admin only","request_id":"r"}}`)
		}
	})
	for _, tt := range []struct {
		name string
		want error
	}{
		{"taken", platform.ErrConflict},
		{"x", platform.ErrInvalidArgument},
		{"viewer", platform.ErrPermissionDenied},
	} {
		_, err := fc.Create(t.Context(), factory.Request{TemplateID: "tmpl-api", AgentName: tt.name})
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	var pe *platform.Error
	_, err := fc.Create(t.Context(), factory.Request{TemplateID: "tmpl-api", AgentName: "x"})
	if !errors.As(err, &pe) || len(pe.Details) != 1 || pe.Details[0].Field != "agent_name" {
		t.Errorf("400 details: %v", err)
	}
	if _, err := fc.Create(t.Context(), factory.Request{TemplateID: "tmpl-api", AgentName: "no-id"}); err == nil || !strings.Contains(err.Error(), "deployment_id") {
		t.Errorf("an answer without deployment_id: %v", err)
	}
	// A config that is not JSON cannot be sent.
	if _, err := fc.Create(t.Context(), factory.Request{TemplateID: "tmpl-api", AgentName: "raw", Config: json.RawMessage(`{`)}); err == nil {
		t.Errorf("a config that is not JSON was sent")
	}
}

func TestNilClient(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	var nilClient *factory.Client
	noPC := factory.New(nil)
	for _, c := range []*factory.Client{nilClient, noPC} {
		if _, err := c.Template(ctx, "tmpl-api"); err == nil {
			t.Error("Template without a platform client did not fail")
		}
		if _, err := c.Validate(ctx, factory.Request{}); err == nil {
			t.Error("Validate without a platform client did not fail")
		}
		if _, err := c.EstimateCost(ctx, factory.Request{}); err == nil {
			t.Error("EstimateCost without a platform client did not fail")
		}
		if _, err := c.Create(ctx, factory.Request{}); err == nil {
			t.Error("Create without a platform client did not fail")
		}
		if _, err := c.Deployment(ctx, "dep-1"); err == nil {
			t.Error("Deployment without a platform client did not fail")
		}
		if _, err := c.TemplatesPage(ctx, platform.ListOptions{}); err == nil {
			t.Error("TemplatesPage without a platform client did not fail")
		}
	}
	// Local validation needs no platform.
	if res, err := noPC.ValidateLocal(ctx, factory.Request{TemplateID: "tmpl-api", AgentName: "api-bridge"}); err != nil || !res.Valid {
		t.Errorf("ValidateLocal without a platform client: %v %v", res, err)
	}
}

func TestValidateLocalUsesTheSource(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	req := factory.Request{TemplateID: "tmpl-memory", AgentName: "mem"}
	def := factory.New(nil)
	if res, err := def.ValidateLocal(ctx, req); err != nil || !res.Valid {
		t.Fatalf("built-ins: %v %v", res, err)
	}
	empty := factory.New(nil).WithTemplates(template.Combine())
	res, err := empty.ValidateLocal(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid || len(res.Errors) != 1 || res.Errors[0].Field != "template_id" {
		t.Errorf("an empty source: %+v, want an unknown template_id", res)
	}
	failing := factory.New(nil).WithTemplates(errSource{})
	if _, err := failing.ValidateLocal(ctx, req); err == nil || !strings.Contains(err.Error(), "plugin crashed") {
		t.Errorf("a failing source: %v, want its error", err)
	}
	if got := factory.New(nil).WithTemplates(nil).Source(); got == nil {
		t.Error("WithTemplates(nil) left no source")
	}
}

type errSource struct{}

func (errSource) List(context.Context) ([]template.Description, error) {
	return nil, errors.New("plugin crashed")
}
func (errSource) Get(context.Context, string) (template.Template, error) {
	return nil, errors.New("plugin crashed")
}

// deploymentServer answers GET deployments/dep-1 with the readings in
// turn, repeating the last; it counts the reads.
func deploymentServer(t *testing.T, mux *http.ServeMux, readings ...string) *atomic.Int32 {
	var n atomic.Int32
	mux.HandleFunc("/api/platform/factory/deployments/{id}", func(w http.ResponseWriter, r *http.Request) {
		checkRequest(t, r, "GET", "")
		if r.PathValue("id") != "dep-1" {
			sdktest.WriteJSON(w, 404, `{"error":{"code":"not_found","message":"no such deployment","request_id":"r"}}`)
			return
		}
		i := min(int(n.Add(1))-1, len(readings)-1)
		sdktest.WriteJSON(w, 200, readings[i])
	})
	return &n
}

func reading(status string, progress int, extra string) string {
	return fmt.Sprintf(`{"deployment_id":"dep-1","agent_id":"agent-101","template_id":"tmpl-api","status":%q,"progress":%d,
		"steps":[],"created_at":"2026-01-02T10:00:00Z","completed_at":null%s}`, status, progress, extra)
}

func TestWatchAndWait(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fc, mux := setup(t, platform.WithPollInterval(10*time.Second))
		reads := deploymentServer(t, mux,
			reading("pending", 0, ""),
			reading("running", 40, ""),
			reading("completed", 100, `,"future":true`),
		)
		op, err := fc.Deployment(t.Context(), "dep-1")
		if err != nil {
			t.Fatal(err)
		}
		if op.Progress() != 0 || op.Done() || op.Last().AgentID != "agent-101" {
			t.Errorf("after the first read: progress %d done %v agent %s", op.Progress(), op.Done(), op.Last().AgentID)
		}
		start := time.Now()
		var seen []string
		for d, err := range op.Watch(t.Context()) {
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, fmt.Sprintf("%s %d", d.Status, d.Progress))
		}
		// The Watch reads at once, then every 10 s until the end.
		if diff := cmp.Diff([]string{"running 40", "completed 100"}, seen); diff != "" {
			t.Errorf("readings (-want +got):\n%s", diff)
		}
		if el := time.Since(start); el != 10*time.Second {
			t.Errorf("watch took %v, want one poll interval", el)
		}
		if !op.Done() || op.Progress() != 100 || op.Last().Status != factory.DeploymentCompleted {
			t.Errorf("after the watch: done %v progress %d last %+v", op.Done(), op.Progress(), op.Last())
		}
		d, err := op.Wait(t.Context())
		if err != nil || d.Status != factory.DeploymentCompleted {
			t.Errorf("Wait on a completed deployment: %+v %v", d, err)
		}
		if got := reads.Load(); got != 4 {
			t.Errorf("%d reads, want 4", got)
		}
	})
}

func TestWaitFailed(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fc, mux := setup(t, platform.WithPollInterval(time.Second))
		deploymentServer(t, mux, reading("running", 10, ""), reading("failed", 30, `,"error":"provision: quota exceeded"`))
		op, err := fc.Deployment(t.Context(), "dep-1")
		if err != nil {
			t.Fatal(err)
		}
		d, err := op.Wait(t.Context())
		if !errors.Is(err, factory.ErrDeploymentFailed) || !strings.Contains(err.Error(), "quota exceeded") {
			t.Errorf("Wait: %v, want ErrDeploymentFailed with the reason", err)
		}
		if d == nil || d.Status != factory.DeploymentFailed {
			t.Errorf("Wait returned %+v, want the failed deployment", d)
		}
	})
}

func TestWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		fc, mux := setup(t) // the default interval, 2 s
		reads := deploymentServer(t, mux, reading("running", 50, ""))
		op, err := fc.Deployment(t.Context(), "dep-1")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		start := time.Now()
		d, err := op.Wait(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait: %v, want the context's deadline", err)
		}
		if el := time.Since(start); el != 5*time.Second {
			t.Errorf("Wait gave up after %v, want at the deadline (5 s)", el)
		}
		if d == nil || d.Progress != 50 {
			t.Errorf("Wait returned %+v, want the last reading", d)
		}
		if got := reads.Load(); got != 1+3 { // Deployment, then at 0, 2 and 4 s
			t.Errorf("%d reads, want 4", got)
		}
	})
}

func TestDeploymentUnknown(t *testing.T) {
	t.Parallel()
	fc, mux := setup(t)
	deploymentServer(t, mux, reading("running", 1, ""))
	if _, err := fc.Deployment(t.Context(), "dep-2"); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("unknown deployment: %v, want ErrNotFound", err)
	}
	if _, err := fc.Deployment(t.Context(), "../x"); err == nil {
		t.Errorf("a path-breaking id was accepted")
	}
}

// TestCreateAndWaitOnTheMockServer follows a real deployment on the mock
// server, whose clock here is the bubble's: Wait's polls move it.
func TestCreateAndWaitOnTheMockServer(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := mockserver.New(mockserver.WithRealClock())
		pc := sdktest.MockClient(t, srv, mockserver.AdminEmail, platform.WithPollInterval(30*time.Second))
		fc := factory.New(pc)
		ctx := t.Context()
		op, err := fc.Create(ctx, factory.Request{TemplateID: "tmpl-api", AgentName: "crm-bridge"})
		if err != nil {
			t.Fatal(err)
		}
		a, err := pc.Agents.Get(ctx, op.Last().AgentID)
		if err != nil || a.Status != platform.AgentProvisioning {
			t.Fatalf("new agent: %+v %v", a, err)
		}
		start := time.Now()
		d, err := op.Wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var total time.Duration
		for _, s := range d.Steps {
			total += time.Duration(s.EstimatedDurationMS) * time.Millisecond
		}
		if el := time.Since(start); el < total || el > total+5*time.Second+30*time.Second {
			t.Errorf("Wait took %v for %v of steps", el, total)
		}
		if d.Progress != 100 || d.CompletedAt == nil {
			t.Errorf("deployment %+v", d)
		}
		a, err = pc.Agents.Get(ctx, op.Last().AgentID)
		if err != nil || a.Status != platform.AgentOnline {
			t.Errorf("agent after Wait: %+v %v, want online", a, err)
		}
	})
}

func TestDeploymentStatusTerminal(t *testing.T) {
	t.Parallel()
	for s, want := range map[factory.DeploymentStatus]bool{
		factory.DeploymentPending: false, factory.DeploymentRunning: false,
		factory.DeploymentCompleted: true, factory.DeploymentFailed: true, "paused": false,
	} {
		if got := s.Terminal(); got != want {
			t.Errorf("%s.Terminal() = %v", s, got)
		}
	}
}
