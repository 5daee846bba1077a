package helpdesk_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/waooaw/waooaw-go/helpdesk"
	"github.com/waooaw/waooaw-go/internal/sdktest"
	"github.com/waooaw/waooaw-go/platform"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const base = "/api/platform/helpdesk"

// setup returns a help-desk client whose requests reach mux in memory
// (sdktest.Setup). The client does not retry, so each call is one request.
func setup(t testing.TB) (*helpdesk.Client, *http.ServeMux) {
	t.Helper()
	pc, mux := sdktest.Setup(t)
	return helpdesk.New(pc), mux
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": message, "request_id": "req-1"}})
	sdktest.WriteJSON(w, status, string(b))
}

var (
	t0      = time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	created = time.Date(2024, 11, 28, 10, 0, 0, 0, time.UTC)
)

const acmeJSON = `{"customer_id":"cust-001","company_name":"Acme Corp","email":"ops@acme.example","agents_count":3,` +
	`"status":"active","created_at":"2024-11-28T10:00:00Z","tier":"gold"}`

var acme = helpdesk.Customer{CustomerID: "cust-001", CompanyName: "Acme Corp", Email: "ops@acme.example",
	AgentsCount: 3, Status: helpdesk.CustomerActive, CreatedAt: created}

func TestSearchCustomers(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var calls sdktest.Counter
	mux.HandleFunc("GET "+base+"/customers/search", func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add() {
		case 1:
			sdktest.TestRequest(t, r, "GET", url.Values{"q": {"acme"}, "page_size": {"1"}})
			sdktest.WriteJSON(w, 200, `{"customers":[`+acmeJSON+`],"next_page_token":"p2","total":2}`)
		case 2:
			sdktest.TestRequest(t, r, "GET", url.Values{"q": {"acme"}, "page_size": {"1"}, "page_token": {"p2"}})
			sdktest.WriteJSON(w, 200, `{"customers":[{"customer_id":"cust-009","company_name":"Acme Labs","agents_count":0,`+
				`"status":"on_hold","created_at":"2024-11-28T10:00:00Z"}],"next_page_token":"","total":2}`)
		default:
			t.Error("a third request")
		}
	})
	var got []helpdesk.Customer
	for cu, err := range c.SearchCustomers(context.Background(), helpdesk.SearchOptions{Q: "acme", ListOptions: platform.ListOptions{PageSize: 1}}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, cu)
	}
	want := []helpdesk.Customer{acme, {CustomerID: "cust-009", CompanyName: "Acme Labs", Status: "on_hold", CreatedAt: created}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("customers (-want +got):\n%s", diff)
	}
}

func TestSearchCustomersPageStartsAtItsToken(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET "+base+"/customers/search", func(w http.ResponseWriter, r *http.Request) {
		sdktest.TestRequest(t, r, "GET", url.Values{"page_token": {"p7"}})
		sdktest.WriteJSON(w, 200, `{"customers":[`+acmeJSON+`],"next_page_token":"","total":9}`)
	})
	n := 0
	for _, err := range c.SearchCustomers(context.Background(), helpdesk.SearchOptions{ListOptions: platform.ListOptions{PageToken: "p7"}}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	p, err := c.SearchCustomersPage(context.Background(), helpdesk.SearchOptions{ListOptions: platform.ListOptions{PageToken: "p7"}})
	if err != nil || n != 1 || p.Total != 9 || len(p.Items) != 1 {
		t.Errorf("page: %+v, %v; iterated %d", p, err, n)
	}
}

func TestOverview(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET "+base+"/customers/{id}/overview", func(w http.ResponseWriter, r *http.Request) {
		sdktest.TestRequest(t, r, "GET", nil)
		if got := r.URL.EscapedPath(); got != base+"/customers/cust%2F1/overview" {
			t.Errorf("path %q", got)
		}
		sdktest.WriteJSON(w, 200, `{"customer":`+acmeJSON+`,"agents":[{"agent_id":"agent-001","name":"Content Marketing Specialist",`+
			`"tier":"Business","status":"online","health":"healthy","capabilities":["content"],"last_active":null,`+
			`"customer_id":"cust-001","created_at":"2025-10-04T10:00:00Z"}],"recent_issues":[{"incident_id":"INC-001",`+
			`"title":"Search down","severity":"high","status":"investigating","category":"availability","customer_id":"cust-001",`+
			`"affected_agent":"wow-search","created_at":"2026-01-02T09:15:00Z","sla_deadline":"2026-01-02T13:15:00Z",`+
			`"sla_status":"on_track"}],"workflows":[{"workflow_id":"wf-001","workflow_name":"Customer Onboarding",`+
			`"status":"running","progress":60}],"notes":"ignored"}`)
	})
	got, err := c.Overview(context.Background(), "cust/1")
	if err != nil {
		t.Fatal(err)
	}
	want := &helpdesk.Overview{
		Customer: acme,
		Agents: []platform.Agent{{AgentID: "agent-001", Name: "Content Marketing Specialist", Tier: platform.TierBusiness,
			Status: platform.AgentOnline, Health: platform.AgentHealthy, Capabilities: []string{"content"}, CustomerID: "cust-001",
			CreatedAt: time.Date(2025, 10, 4, 10, 0, 0, 0, time.UTC)}},
		RecentIssues: []helpdesk.Incident{{IncidentID: "INC-001", Title: "Search down", Severity: helpdesk.SeverityHigh,
			Status: helpdesk.IncidentInvestigating, Category: helpdesk.CategoryAvailability, CustomerID: "cust-001",
			AffectedAgent: "wow-search", CreatedAt: t0.Add(-45 * time.Minute), SLADeadline: t0.Add(3*time.Hour + 15*time.Minute),
			SLAStatus: helpdesk.SLAOnTrack}},
		Workflows: []helpdesk.WorkflowSummary{{WorkflowID: "wf-001", WorkflowName: "Customer Onboarding", Status: helpdesk.WorkflowRunning, Progress: 60}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("overview (-want +got):\n%s", diff)
	}
}

const agentJSON = `{"agent_id":"wow-search","name":"WowSearch","tier":"Platform CoE","status":"starting","health":"unhealthy",` +
	`"capabilities":[],"last_active":null,"created_at":"2025-10-04T10:00:00Z"}`

func TestActions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cleared := t0
	wantAgent := &platform.Agent{AgentID: "wow-search", Name: "WowSearch", Tier: platform.TierPlatformCoE, Status: platform.AgentStarting,
		Health: platform.AgentUnhealthy, Capabilities: []string{}, CreatedAt: time.Date(2025, 10, 4, 10, 0, 0, 0, time.UTC)}
	for _, tc := range []struct {
		name, path, body, answer string
		call                     func(c *helpdesk.Client) (*helpdesk.ActionResult, error)
		want                     *helpdesk.ActionResult
	}{
		{
			name: "restart", path: "/actions/restart-agent", body: `{"agent_id":"wow-search"}`,
			answer: `{"action":"restart-agent","target_id":"wow-search","status":"done","message":"restarting","agent":` + agentJSON + `}`,
			call:   func(c *helpdesk.Client) (*helpdesk.ActionResult, error) { return c.RestartAgent(ctx, "wow-search") },
			want: &helpdesk.ActionResult{Action: helpdesk.ActionRestartAgent, TargetID: "wow-search", Status: helpdesk.ActionDone,
				Message: "restarting", Agent: wantAgent},
		},
		{
			name: "clear cache", path: "/actions/clear-cache", body: `{"agent_id":"wow-search"}`,
			answer: `{"action":"clear-cache","target_id":"wow-search","status":"done","message":"cleared","agent":` + agentJSON +
				`,"cache_cleared_at":"2026-01-02T10:00:00Z"}`,
			call: func(c *helpdesk.Client) (*helpdesk.ActionResult, error) { return c.ClearCache(ctx, "wow-search") },
			want: &helpdesk.ActionResult{Action: helpdesk.ActionClearCache, TargetID: "wow-search", Status: helpdesk.ActionDone,
				Message: "cleared", Agent: wantAgent, CacheClearedAt: &cleared},
		},
		{
			name: "retry the only failed task", path: "/actions/retry-workflow", body: `{"workflow_id":"wf-003"}`,
			answer: `{"action":"retry-workflow","target_id":"wf-003","task_id":"task-101","status":"done","message":"running",` +
				`"workflow":{"workflow_id":"wf-003","workflow_name":"Data Migration","status":"running","progress":40}}`,
			call: func(c *helpdesk.Client) (*helpdesk.ActionResult, error) { return c.RetryWorkflow(ctx, "wf-003", "") },
			want: &helpdesk.ActionResult{Action: helpdesk.ActionRetryWorkflow, TargetID: "wf-003", TaskID: "task-101",
				Status: helpdesk.ActionDone, Message: "running", Workflow: &helpdesk.WorkflowSummary{WorkflowID: "wf-003",
					WorkflowName: "Data Migration", Status: helpdesk.WorkflowRunning, Progress: 40}},
		},
		{
			name: "retry a named task", path: "/actions/retry-workflow", body: `{"workflow_id":"wf-003","task_id":"task-101"}`,
			answer: `{"action":"retry-workflow","target_id":"wf-003","task_id":"task-101","status":"queued","message":"m"}`,
			call: func(c *helpdesk.Client) (*helpdesk.ActionResult, error) {
				return c.RetryWorkflow(ctx, "wf-003", "task-101")
			},
			want: &helpdesk.ActionResult{Action: helpdesk.ActionRetryWorkflow, TargetID: "wf-003", TaskID: "task-101",
				Status: "queued", Message: "m"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.HandleFunc("POST "+base+tc.path, func(w http.ResponseWriter, r *http.Request) {
				sdktest.TestRequest(t, r, "POST", nil)
				if r.Header.Get("Idempotency-Key") == "" {
					t.Error("a mutation without an Idempotency-Key")
				}
				sdktest.TestJSONBody(t, r, tc.body)
				sdktest.WriteJSON(w, 200, tc.answer)
			})
			got, err := tc.call(c)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// Run sends each recommendation to its action's route.
func TestRun(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var mu sync.Mutex
	var seen []string
	mux.HandleFunc("POST "+base+"/actions/{action}", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, r.PathValue("action")+" "+string(b))
		mu.Unlock()
		sdktest.WriteJSON(w, 200, `{"action":"`+r.PathValue("action")+`","target_id":"x","status":"done","message":"ok"}`)
	})
	ctx := context.Background()
	for _, rec := range []helpdesk.Recommendation{
		{Action: helpdesk.ActionRestartAgent, TargetID: "wow-search", Reason: "r"},
		{Action: helpdesk.ActionClearCache, TargetID: "agent-004"},
		{Action: helpdesk.ActionRetryWorkflow, TargetID: "wf-003", TaskID: "task-101"},
	} {
		res, err := c.Run(ctx, rec)
		if err != nil || res.Action != rec.Action {
			t.Errorf("Run(%+v) = %+v, %v", rec, res, err)
		}
	}
	_, err := c.Run(ctx, helpdesk.Recommendation{Action: "escalate", TargetID: "x"})
	if !errors.Is(err, platform.ErrInvalidArgument) || !strings.Contains(err.Error(), `"escalate"`) {
		t.Errorf("Run of an unknown action: %v", err)
	}
	want := []string{
		`restart-agent {"agent_id":"wow-search"}`,
		`clear-cache {"agent_id":"agent-004"}`,
		`retry-workflow {"workflow_id":"wf-003","task_id":"task-101"}`,
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestDiagnose(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("POST "+base+"/customers/cust-002/diagnose", func(w http.ResponseWriter, r *http.Request) {
		sdktest.TestRequest(t, r, "POST", nil)
		sdktest.TestJSONBody(t, r, "")
		sdktest.WriteJSON(w, 200, `{"customer_id":"cust-002","checked_at":"2026-01-02T10:00:00Z","checks":[`+
			`{"check_name":"agent:agent-002","status":"pass","message":"ok","details":{"agent_id":"agent-002","agent_status":"online","agent_health":"healthy"}},`+
			`{"check_name":"workflow:wf-003","status":"fail","message":"wf-003 failed","details":{"workflow_id":"wf-003",`+
			`"workflow_status":"failed","failed_task_id":"task-101","task_error":"timeout"},"recommendation":{"action":"retry-workflow",`+
			`"target_id":"wf-003","task_id":"task-101","reason":"retry it"},"playbook_id":"pb-x"},`+
			`{"check_name":"dead_letters","status":"warn","message":"2","details":{"dead_letters":2,"by_queue":{"webhooks":2}}},`+
			`{"check_name":"quantum","status":"maybe","message":"?","details":{"qubits":3}}],`+
			`"root_cause":"wf-003 failed","recommendations":[{"action":"retry-workflow","target_id":"wf-003","task_id":"task-101","reason":"retry it"}]}`)
	})
	d, err := c.Diagnose(context.Background(), "cust-002")
	if err != nil {
		t.Fatal(err)
	}
	two := 2
	rec := helpdesk.Recommendation{Action: helpdesk.ActionRetryWorkflow, TargetID: "wf-003", TaskID: "task-101", Reason: "retry it"}
	want := &helpdesk.Diagnosis{CustomerID: "cust-002", CheckedAt: t0, RootCause: "wf-003 failed",
		Checks: []helpdesk.Check{
			{CheckName: helpdesk.AgentCheck("agent-002"), Status: helpdesk.CheckPass, Message: "ok", Details: helpdesk.CheckDetails{
				AgentID: "agent-002", AgentStatus: platform.AgentOnline, AgentHealth: platform.AgentHealthy}},
			{CheckName: helpdesk.WorkflowCheck("wf-003"), Status: helpdesk.CheckFail, Message: "wf-003 failed", Details: helpdesk.CheckDetails{
				WorkflowID: "wf-003", WorkflowStatus: helpdesk.WorkflowFailed, FailedTaskID: "task-101", TaskError: "timeout"},
				Recommendation: &rec, PlaybookID: "pb-x"},
			{CheckName: helpdesk.CheckDeadLetters, Status: helpdesk.CheckWarn, Message: "2", Details: helpdesk.CheckDetails{
				DeadLetters: &two, ByQueue: map[string]int{"webhooks": 2}}},
			{CheckName: "quantum", Status: "maybe", Message: "?"},
		},
		Recommendations: []helpdesk.Recommendation{rec},
	}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Errorf("diagnosis (-want +got):\n%s", diff)
	}
	if d.Healthy() {
		t.Error("Healthy with a failed check")
	}
	if got, ok := d.Check("dead_letters"); !ok || got.Status != helpdesk.CheckWarn {
		t.Errorf("Check(dead_letters) = %+v, %v", got, ok)
	}
	if _, ok := d.Check("agent:nobody"); ok {
		t.Error("Check found a check that is not there")
	}
	if !(&helpdesk.Diagnosis{Checks: []helpdesk.Check{{Status: helpdesk.CheckPass}}}).Healthy() {
		t.Error("not Healthy with every check passed")
	}
}

func TestIncidents(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var calls sdktest.Counter
	mux.HandleFunc("GET "+base+"/incidents", func(w http.ResponseWriter, r *http.Request) {
		q := url.Values{"status": {"open"}, "severity": {"low"}, "sla_status": {"at_risk"}, "customer_id": {"cust-002"}, "page_size": {"1"}}
		if calls.Add() == 2 {
			q.Set("page_token", "n2")
			sdktest.TestRequest(t, r, "GET", q)
			sdktest.WriteJSON(w, 200, `{"incidents":[],"next_page_token":"","total":1}`)
			return
		}
		sdktest.TestRequest(t, r, "GET", q)
		sdktest.WriteJSON(w, 200, `{"incidents":[{"incident_id":"INC-005","title":"Slow","severity":"low","status":"open",`+
			`"category":"performance","customer_id":"cust-002","created_at":"2026-01-01T15:00:00Z",`+
			`"sla_deadline":"2026-01-02T15:00:00Z","sla_status":"at_risk"}],"next_page_token":"n2","total":1}`)
	})
	opts := helpdesk.IncidentOptions{Status: helpdesk.IncidentOpen, Severity: helpdesk.SeverityLow, SLAStatus: helpdesk.SLAAtRisk,
		CustomerID: "cust-002", ListOptions: platform.ListOptions{PageSize: 1}}
	var got []helpdesk.Incident
	for inc, err := range c.Incidents(context.Background(), opts) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, inc)
	}
	want := []helpdesk.Incident{{IncidentID: "INC-005", Title: "Slow", Severity: helpdesk.SeverityLow, Status: helpdesk.IncidentOpen,
		Category: helpdesk.CategoryPerformance, CustomerID: "cust-002", CreatedAt: t0.Add(-19 * time.Hour),
		SLADeadline: t0.Add(5 * time.Hour), SLAStatus: helpdesk.SLAAtRisk}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("incidents (-want +got):\n%s", diff)
	}
}

func TestPlaybooks(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET "+base+"/playbooks", func(w http.ResponseWriter, r *http.Request) {
		sdktest.TestRequest(t, r, "GET", url.Values{"q": {"dead letter"}})
		sdktest.WriteJSON(w, 200, `{"playbooks":[{"playbook_id":"pb-dlq-growing","title":"DLQ growing","category":"error",`+
			`"summary":"s"}],"next_page_token":"","total":1}`)
	})
	mux.HandleFunc("GET "+base+"/playbooks/{id}", func(w http.ResponseWriter, r *http.Request) {
		sdktest.TestRequest(t, r, "GET", nil)
		sdktest.WriteJSON(w, 200, `{"playbook_id":"`+r.PathValue("id")+`","title":"DLQ growing","category":"error","summary":"s",`+
			`"symptoms":["dead letters"],"steps":[{"order":1,"title":"Look","detail":"d"},{"order":2,"title":"Retry",`+
			`"detail":"d","action":"retry-workflow"}],"related_actions":["retry-workflow"]}`)
	})
	ctx := context.Background()
	var got []helpdesk.PlaybookSummary
	for p, err := range c.Playbooks(ctx, helpdesk.PlaybookOptions{Q: "dead letter"}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	if diff := cmp.Diff([]helpdesk.PlaybookSummary{{PlaybookID: "pb-dlq-growing", Title: "DLQ growing",
		Category: helpdesk.CategoryError, Summary: "s"}}, got); diff != "" {
		t.Errorf("playbooks (-want +got):\n%s", diff)
	}
	p, err := c.Playbook(ctx, got[0].PlaybookID)
	if err != nil {
		t.Fatal(err)
	}
	want := &helpdesk.Playbook{PlaybookID: "pb-dlq-growing", Title: "DLQ growing", Category: helpdesk.CategoryError, Summary: "s",
		Symptoms: []string{"dead letters"}, Steps: []helpdesk.Step{{Order: 1, Title: "Look", Detail: "d"},
			{Order: 2, Title: "Retry", Detail: "d", Action: helpdesk.ActionRetryWorkflow}},
		RelatedActions: []helpdesk.Action{helpdesk.ActionRetryWorkflow}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("playbook (-want +got):\n%s", diff)
	}
}

// every method of the client with id as its one id, for the tests of
// failure paths.
func every(c *helpdesk.Client, id string) map[string]func() error {
	ctx := context.Background()
	first := func(_ any, err error) error { return err }
	return map[string]func() error{
		"Overview":      func() error { return first(c.Overview(ctx, id)) },
		"Diagnose":      func() error { return first(c.Diagnose(ctx, id)) },
		"RestartAgent":  func() error { return first(c.RestartAgent(ctx, id)) },
		"ClearCache":    func() error { return first(c.ClearCache(ctx, id)) },
		"RetryWorkflow": func() error { return first(c.RetryWorkflow(ctx, id, "")) },
		"Run": func() error {
			return first(c.Run(ctx, helpdesk.Recommendation{Action: helpdesk.ActionRestartAgent, TargetID: id}))
		},
		"Playbook": func() error { return first(c.Playbook(ctx, id)) },
		"SearchCustomersPage": func() error {
			return first(c.SearchCustomersPage(ctx, helpdesk.SearchOptions{Q: id}))
		},
		"SearchCustomers": func() error {
			for _, err := range c.SearchCustomers(ctx, helpdesk.SearchOptions{Q: id}) {
				return err
			}
			return errors.New("yielded nothing")
		},
		"IncidentsPage": func() error { return first(c.IncidentsPage(ctx, helpdesk.IncidentOptions{CustomerID: id})) },
		"Incidents": func() error {
			for _, err := range c.Incidents(ctx, helpdesk.IncidentOptions{CustomerID: id}) {
				return err
			}
			return errors.New("yielded nothing")
		},
		"PlaybooksPage": func() error { return first(c.PlaybooksPage(ctx, helpdesk.PlaybookOptions{Q: id})) },
		"Playbooks": func() error {
			for _, err := range c.Playbooks(ctx, helpdesk.PlaybookOptions{Q: id}) {
				return err
			}
			return errors.New("yielded nothing")
		},
	}
}

func TestServerErrorsAreTyped(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status   int
		code     string
		sentinel error
	}{
		{404, "not_found", platform.ErrNotFound},
		{409, "conflict", platform.ErrConflict},
		{403, "permission_denied", platform.ErrPermissionDenied},
		{400, "invalid_argument", platform.ErrInvalidArgument},
	} {
		c, mux := setup(t)
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			writeError(w, tc.status, tc.code, "no luck")
		})
		for name, call := range every(c, "x-1") {
			err := call()
			var pe *platform.Error
			if !errors.Is(err, tc.sentinel) || !errors.As(err, &pe) || pe.StatusCode != tc.status || pe.Message != "no luck" ||
				!strings.HasPrefix(err.Error(), "helpdesk: ") {
				t.Errorf("%s with %d: %v, want %v", name, tc.status, err, tc.sentinel)
			}
		}
	}
}

func TestBadIDsAreRefusedWithoutARequest(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request sent: %s %s", r.Method, r.URL)
	})
	for _, id := range []string{"", ".", ".."} {
		for name, call := range every(c, id) {
			if strings.HasSuffix(name, "Page") || strings.HasPrefix(name, "Search") || strings.HasPrefix(name, "Incidents") ||
				name == "Playbooks" || id != "" && (name == "RestartAgent" || name == "ClearCache" || name == "RetryWorkflow" || name == "Run") {
				continue // filters and body ids: the server judges them
			}
			if err := call(); !errors.Is(err, platform.ErrInvalidArgument) || !strings.HasPrefix(err.Error(), "helpdesk: ") {
				t.Errorf("%s(%q): %v, want invalid argument", name, id, err)
			}
		}
	}
}

func TestClientWithoutPlatformClient(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]*helpdesk.Client{"nil": nil, "New(nil)": helpdesk.New(nil)} {
		for method, call := range every(c, "x-1") {
			if err := call(); err == nil || !strings.Contains(err.Error(), "helpdesk.New") {
				t.Errorf("%s client, %s: %v, want an error saying how to build one", name, method, err)
			}
		}
	}
}

func TestSeverityAndSLA(t *testing.T) {
	t.Parallel()
	for sev, want := range map[helpdesk.Severity]time.Duration{
		helpdesk.SeverityCritical: time.Hour, helpdesk.SeverityHigh: 4 * time.Hour,
		helpdesk.SeverityMedium: 8 * time.Hour, helpdesk.SeverityLow: 24 * time.Hour, "urgent": 0, "": 0,
	} {
		if got := sev.SLA(); got != want {
			t.Errorf("%q.SLA() = %v, want %v", sev, got, want)
		}
		if sev.Valid() != (want > 0) {
			t.Errorf("%q.Valid() = %v", sev, sev.Valid())
		}
	}
	// A high incident opened at t0: 4 h window, at risk from 3 h.
	inc := helpdesk.Incident{Severity: helpdesk.SeverityHigh, Status: helpdesk.IncidentOpen, CreatedAt: t0, SLADeadline: t0.Add(4 * time.Hour)}
	for _, tc := range []struct {
		status helpdesk.IncidentStatus
		at     time.Duration
		want   helpdesk.SLAStatus
	}{
		{helpdesk.IncidentOpen, 0, helpdesk.SLAOnTrack},
		{helpdesk.IncidentOpen, 3*time.Hour - time.Nanosecond, helpdesk.SLAOnTrack},
		{helpdesk.IncidentInvestigating, 3 * time.Hour, helpdesk.SLAAtRisk},
		{helpdesk.IncidentInProgress, 4 * time.Hour, helpdesk.SLAAtRisk},
		{helpdesk.IncidentOpen, 4*time.Hour + time.Nanosecond, helpdesk.SLABreached},
		{helpdesk.IncidentResolved, 9 * time.Hour, helpdesk.SLAOnTrack},
		{helpdesk.IncidentClosed, 9 * time.Hour, helpdesk.SLAOnTrack},
		{"reopened", 9 * time.Hour, helpdesk.SLAOnTrack}, // unknown: not open
	} {
		inc.Status = tc.status
		if got := inc.SLAAt(t0.Add(tc.at)); got != tc.want {
			t.Errorf("%s at +%v: %s, want %s", tc.status, tc.at, got, tc.want)
		}
	}
}

func TestEnumsValid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		valid func() bool
		want  bool
	}{
		{"open", helpdesk.IncidentOpen.Valid, true},
		{"closed", helpdesk.IncidentClosed.Valid, true},
		{"reopened", helpdesk.IncidentStatus("reopened").Valid, false},
		{"security", helpdesk.CategorySecurity.Valid, true},
		{"billing", helpdesk.Category("billing").Valid, false},
		{"breached", helpdesk.SLABreached.Valid, true},
		{"late", helpdesk.SLAStatus("late").Valid, false},
		{"clear-cache", helpdesk.ActionClearCache.Valid, true},
		{"reboot", helpdesk.Action("reboot").Valid, false},
		{"warn", helpdesk.CheckWarn.Valid, true},
		{"maybe", helpdesk.CheckStatus("maybe").Valid, false},
		{"suspended", helpdesk.CustomerSuspended.Valid, true},
		{"on_hold", helpdesk.CustomerStatus("on_hold").Valid, false},
		{"paused", helpdesk.WorkflowPaused.Valid, true},
		{"stuck", helpdesk.WorkflowStatus("stuck").Valid, false},
	} {
		if got := tc.valid(); got != tc.want {
			t.Errorf("%s.Valid() = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !helpdesk.IncidentInProgress.Open() || helpdesk.IncidentResolved.Open() {
		t.Error("Open() is wrong")
	}
	if got := helpdesk.AgentCheck("wow-search") + " " + helpdesk.WorkflowCheck("wf-003"); got != "agent:wow-search workflow:wf-003" {
		t.Errorf("check names: %s", got)
	}
}
