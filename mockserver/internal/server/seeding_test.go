package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
	"github.com/waooaw/waooaw-go/workflows"
)

// qPath is the queues area's base path.
const qPath = "/api/platform/queues"

// figures are the numbers of a queue seen over HTTP.
type figures struct {
	accepted, pending, dlq, processed, deleted int64
	dlqTotal                                   int64 // total of GET …/dlq
}

// httpFigures reads a queue's counters and its DLQ's total over HTTP and
// fails the test unless every accepted message is accounted for.
func httpFigures(t *testing.T, ts *mockserver.TestServer, tok, queue string) figures {
	t.Helper()
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: qPath + "/" + queue, Token: tok})
	if a.Status != 200 {
		t.Fatalf("GET queue %s: %d %s", queue, a.Status, a.Raw)
	}
	var d queues.QueueDetail
	if err := json.Unmarshal(a.Raw, &d); err != nil {
		t.Fatal(err)
	}
	f := figures{accepted: d.MessagesAccepted, pending: int64(d.MessagesPending), dlq: int64(d.DLQMessages),
		processed: d.MessagesProcessed, deleted: d.MessagesDeleted}
	if sum := f.pending + f.dlq + f.processed + f.deleted; f.accepted != sum {
		t.Errorf("%s: accepted %d ≠ pending + dlq + processed + deleted = %d (%+v)", queue, f.accepted, sum, f)
	}
	a = mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: qPath + "/" + queue + "/dlq?page_size=1", Token: tok})
	if a.Status != 200 {
		t.Fatalf("GET dlq %s: %d %s", queue, a.Status, a.Raw)
	}
	f.dlqTotal = int64(a.JSON(t)["total"].(float64))
	return f
}

// problems lists the details of a 400, one "field: issue" a line.
func problems(t *testing.T, a mocktest.Answer) string {
	t.Helper()
	var body platform.ErrorBody
	if err := json.Unmarshal(a.Raw, &body); err != nil {
		t.Fatalf("not an error body: %s", a.Raw)
	}
	var b strings.Builder
	for _, d := range body.Error.Details {
		b.WriteString(d.Field + ": " + d.Issue + "\n")
	}
	return b.String()
}

func seedHTTP(t *testing.T, ts *mockserver.TestServer, body string) mocktest.Answer {
	t.Helper()
	return mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/seed", Body: body})
}

// longToken is a token that outlives the clock's moves in a test.
func longToken(t *testing.T, ts *mockserver.TestServer, email string) string {
	t.Helper()
	tok, err := ts.Token(email, "", 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// deadLetterSeed is a seed of n dead letters for queue, every other one with
// an id.
func deadLetterSeed(queue string, n int) string {
	var b strings.Builder
	b.WriteString(`{"dead_letters": [`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		id := ""
		if i%2 == 0 {
			id = fmt.Sprintf(`"message_id": "seeded-%02d", `, i)
		}
		fmt.Fprintf(&b, `{%s"queue_name": %q, "error": "seeded failure %d", "payload": {"n": %d}, "retry_count": 1}`, id, queue, i, i)
	}
	b.WriteString("]}")
	return b.String()
}

func TestSeedOverHTTPAddsDeadLettersAndResetRemovesThem(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	tok := longToken(t, ts, mockserver.ViewerEmail)
	before := httpFigures(t, ts, tok, "agent-tasks")

	if a := seedHTTP(t, ts, deadLetterSeed("agent-tasks", 50)); a.Status != http.StatusOK {
		t.Fatalf("POST /_mock/seed: %d %s", a.Status, a.Raw)
	}
	after := httpFigures(t, ts, tok, "agent-tasks")
	if after.dlqTotal != before.dlqTotal+50 || after.dlq != before.dlq+50 || after.accepted != before.accepted+50 {
		t.Errorf("after seeding 50: %+v, before %+v; want dlq, its total and accepted 50 higher", after, before)
	}
	if after.pending != before.pending || after.processed != before.processed || after.deleted != before.deleted {
		t.Errorf("seeding dead letters moved other counters: %+v, before %+v", after, before)
	}
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: qPath + "/agent-tasks/dlq?error_contains=seeded+failure&page_size=500", Token: tok})
	var page struct {
		Messages []queues.Message `json:"messages"`
	}
	if err := json.Unmarshal(a.Raw, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Messages) != 50 {
		t.Fatalf("%d seeded dead letters listed, want 50", len(page.Messages))
	}
	for i, m := range page.Messages { // in the seed's order, after the others
		if want := fmt.Sprintf("seeded failure %d", i); m.Error != want || !m.Timestamp.Equal(mockserver.Epoch()) ||
			string(m.Payload) != fmt.Sprintf(`{"n":%d}`, i) && string(m.Payload) != fmt.Sprintf(`{"n": %d}`, i) {
			t.Errorf("letter %d: %+v; want error %q, payload {\"n\": %d}, timestamp the clock", i, m, want, i)
		}
		if i%2 == 0 && m.MessageID != fmt.Sprintf("seeded-%02d", i) {
			t.Errorf("letter %d has id %q, want the one seeded", i, m.MessageID)
		}
	}

	// A seeded dead letter is one like the others: a retry processes it
	// and the counts still add up.
	ops := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: qPath + "/agent-tasks/dlq/seeded-00/retry", Token: ops}); a.Status != 200 {
		t.Fatalf("retry a seeded dead letter: %d %s", a.Status, a.Raw)
	}
	ts.Advance(time.Hour)
	if f := httpFigures(t, ts, tok, "agent-tasks"); f.dlq != after.dlq-1 {
		t.Errorf("after retrying one: dlq %d, want %d", f.dlq, after.dlq-1)
	}

	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/reset"}); a.Status != http.StatusNoContent {
		t.Fatalf("POST /_mock/reset: %d %s", a.Status, a.Raw)
	}
	tok = longToken(t, ts, mockserver.ViewerEmail) // a reset retires the signing keys
	if got := httpFigures(t, ts, tok, "agent-tasks"); got != before {
		t.Errorf("after reset: %+v, want the start's %+v", got, before)
	}
}

func TestSeedOverHTTPAddsAQueueWithItsDeadLetters(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	tok := longToken(t, ts, mockserver.ViewerEmail)
	body := `{
		"queues": [{"queue_name": "billing", "messages_pending": 600, "consumer_lag": 550,
			"throughput_per_sec": 2.5, "error_rate": 0.01, "oldest_message_age_sec": 900,
			"messages_processed": 1000, "messages_deleted": 7}],
		"dead_letters": [{"queue_name": "billing", "error": "card declined", "timestamp": "2026-01-02T09:00:00+01:00"}]
	}`
	if a := seedHTTP(t, ts, body); a.Status != http.StatusOK {
		t.Fatalf("POST /_mock/seed: %d %s", a.Status, a.Raw)
	}
	want := figures{accepted: 600 + 1 + 1000 + 7, pending: 600, dlq: 1, processed: 1000, deleted: 7, dlqTotal: 1}
	for _, step := range []time.Duration{0, time.Hour, 24 * time.Hour} {
		ts.Advance(step)
		got := httpFigures(t, ts, tok, "billing")
		// Producers keep pace with the consumers: pending holds while the
		// history grows.
		grown := got.processed - want.processed
		if got.pending != want.pending || got.dlq != 1 || got.accepted != want.accepted+grown || got.deleted != 7 {
			t.Errorf("after %v more: %+v; want pending 600, 1 dead letter, 7 deleted, accepted and processed grown alike", step, got)
		}
	}
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: qPath + "/billing", Token: tok})
	var d queues.QueueDetail
	json.Unmarshal(a.Raw, &d)
	if d.Status != queues.StatusCritical || d.ConsumerLag != 550 || d.ErrorRate != 0.01 || d.ThroughputPerSec != 2.5 {
		t.Errorf("billing: %+v; want critical (lag 550 ≥ 500), error rate 0.01, throughput 2.5", d.Queue)
	}
	a = mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: qPath + "/billing/dlq", Token: tok})
	var page struct {
		Messages []queues.Message `json:"messages"`
	}
	json.Unmarshal(a.Raw, &page)
	if len(page.Messages) != 1 || page.Messages[0].MessageID != "dlq-billing-001" ||
		page.Messages[0].Timestamp.Format(time.RFC3339) != "2026-01-02T08:00:00Z" || string(page.Messages[0].Payload) != "{}" {
		t.Errorf("billing's DLQ: %s; want dlq-billing-001, its time in UTC, payload {}", a.Raw)
	}
}

func TestSeedFromGoReturnsIDsTheClientsUse(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ctx := context.Background()
	res, err := ts.Seed(mockserver.Seed{
		Customers: []mockserver.Customer{{CompanyName: "Initrode"}, {CustomerID: "hooli", CompanyName: "Hooli", Email: "it@hooli.example"}},
		Agents: []platform.Agent{
			{Name: "Hooli Helper", CustomerID: "hooli", Capabilities: []string{"support"}},
			{AgentID: "hooli-indexer", Name: "Hooli Indexer", Status: platform.AgentStarting},
		},
		Queues:      []mockserver.SeedQueue{{QueueName: "hooli-jobs", MessagesPending: 3, ThroughputPerSec: 1}},
		DeadLetters: []queues.Message{{QueueName: "hooli-jobs", Error: "timeout"}, {QueueName: "webhooks", Error: "410 Gone"}},
		Workflows: []workflows.Workflow{{
			WorkflowName: "Hooli Onboarding", CustomerID: "hooli", Status: workflows.StatusRunning,
			Tasks: []workflows.Task{
				{TaskID: "t1", TaskName: "Index", AgentID: "hooli-indexer", Status: workflows.TaskRunning, EstimatedDurationMS: 60_000},
				{TaskID: "t2", TaskName: "Greet", AgentID: "wow-communication", EstimatedDurationMS: 60_000, Dependencies: []string{"t1"}},
			},
		}},
		Users: []mockserver.User{{Email: "Lead@Hooli.example", Name: "Hooli Lead", Role: "operator"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := mockserver.SeedResult{
		Customers:   []string{"cust-005", "hooli"},
		Agents:      []string{"agent-101", "hooli-indexer"},
		Queues:      []string{"hooli-jobs"},
		DeadLetters: []string{"dlq-hooli-jobs-001", "dlq-webhooks-015"},
		Workflows:   []string{"wf-005"},
		Users:       res.Users,
	}
	if diff := cmp.Diff(want, res); diff != "" || len(res.Users) != 1 || !strings.HasPrefix(res.Users[0], "usr-") {
		t.Fatalf("result (-want +got):\n%s", diff)
	}

	// The seeded user signs in with the seeded role.
	pc := ts.Client("lead@hooli.example")
	a, err := pc.Agents.Get(ctx, res.Agents[0])
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Hooli Helper" || a.Tier != platform.TierBusiness || a.Status != platform.AgentOnline ||
		a.Health != platform.AgentHealthy || a.CustomerID != "hooli" || a.LastActive == nil || !a.CreatedAt.Equal(mockserver.Epoch()) {
		t.Errorf("seeded agent with defaults: %+v", a)
	}
	if _, err := pc.Agents.Stop(ctx, res.Agents[0]); err != nil {
		t.Errorf("the seeded operator stops the seeded agent: %v", err)
	}
	ts.Advance(30 * time.Second)
	if a, err := pc.Agents.Get(ctx, "hooli-indexer"); err != nil || a.Status != platform.AgentOnline {
		t.Errorf("a starting agent 30 s later: %+v, %v; want online", a, err)
	}

	qc := queues.New(pc)
	for _, id := range []struct{ queue, msg string }{{"hooli-jobs", res.DeadLetters[0]}, {"webhooks", res.DeadLetters[1]}} {
		if _, err := qc.Retry(ctx, id.queue, id.msg); err != nil {
			t.Errorf("retry %s/%s: %v", id.queue, id.msg, err)
		}
	}

	wc := workflows.New(pc)
	w, err := wc.Get(ctx, res.Workflows[0])
	if err != nil {
		t.Fatal(err)
	}
	if w.CustomerName != "Hooli" || w.Status != workflows.StatusRunning || w.TotalTasks != 2 {
		t.Errorf("seeded workflow: %+v; want customer_name from the seeded customer, running, 2 tasks", w)
	}
	ts.Advance(3 * time.Minute)
	if w, err := wc.Get(ctx, res.Workflows[0]); err != nil || w.Status != workflows.StatusCompleted || w.Progress != 100 {
		t.Errorf("3 minutes later: %+v, %v; want completed", w, err)
	}
}

// counts is what a server holds, to show a refused seed changed nothing.
func counts(t *testing.T, ts *mockserver.TestServer) string {
	t.Helper()
	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	var parts []string
	for _, p := range []string{"/api/platform/agents", qPath, "/api/platform/orchestration/workflows", qPath + "/webhooks/dlq"} {
		a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: p + "?page_size=1", Token: tok})
		parts = append(parts, fmt.Sprintf("%s=%v", p, a.JSON(t)["total"]))
	}
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: qPath + "/webhooks", Token: tok})
	parts = append(parts, "webhooks accepted="+fmt.Sprint(a.JSON(t)["messages_accepted"]))
	return strings.Join(parts, " ")
}

func TestABadSeedChangesNothing(t *testing.T) {
	t.Parallel()
	good := `{"customer_id": "cust-900", "company_name": "Good Co"}`
	for _, c := range []struct {
		name string
		body string
		want []string // the problems, "path: issue" substrings, in order
	}{
		{
			name: "an agent's bad status among good items",
			body: `{"customers": [` + good + `], "agents": [{"name": "A1"}, {"name": "A2"}, {"name": "A3", "status": "asleep"}],
				"dead_letters": [{"queue_name": "webhooks", "error": "x"}]}`,
			want: []string{`agents[2].status: must be one of online`},
		},
		{
			name: "a dead letter for an unknown queue",
			body: `{"dead_letters": [{"queue_name": "webhooks", "error": "x"}, {"queue_name": "x", "error": "y"}]}`,
			want: []string{`dead_letters[1].queue_name: unknown queue "x"`},
		},
		{
			name: "every problem is listed",
			body: `{"agents": [{"name": "wowmemory"}, {"agent_id": "wow-cache", "name": "Other"}, {"name": "Dup"}, {"name": "DUP"}],
				"customers": [{"company_name": ""}, {"customer_id": "cust-001", "company_name": "Acme", "status": "gone"}],
				"users": [{"email": "not-an-email", "name": "N", "role": "root"}]}`,
			want: []string{
				`agents[0].name: agent wow-memory is named "wowmemory" already`,
				`agents[1].agent_id: agent "wow-cache" exists already`,
				`agents[3].name: "DUP" is given twice (also at agents[2]`,
				`customers[0].company_name: is required`,
				`customers[1].customer_id: customer "cust-001" exists already`,
				`customers[1].status: must be active or suspended`,
				`users[0].email: must be an email address`,
				`users[0].role: must be viewer, operator or admin`,
			},
		},
		{
			name: "a wrong type",
			body: `{"agents": [{"name": "A"}, {"name": "B", "capabilities": 3}]}`,
			want: []string{`agents[1].capabilities: want an array of strings, got a number`},
		},
		{
			name: "a derived queue field",
			body: `{"queues": [{"queue_name": "q1", "status": "healthy", "consumer_lag": 5}]}`,
			// The shape is checked first: its problems come alone.
			want: []string{`queues[0].status: is derived from the queue's figures`},
		},
		{
			name: "an existing message id",
			body: `{"dead_letters": [{"queue_name": "webhooks", "message_id": "dlq-webhooks-001", "error": "x"}]}`,
			want: []string{`dead_letters[0].message_id: queue "webhooks" has a message "dlq-webhooks-001" already`},
		},
		{
			name: "a time after the clock",
			body: `{"dead_letters": [{"queue_name": "webhooks", "error": "x", "timestamp": "2030-01-01T00:00:00Z"}]}`,
			want: []string{`dead_letters[0].timestamp: 2030-01-01T00:00:00Z is after the server's clock (2026-01-02T10:00:00Z)`},
		},
		{
			name: "a workflow naming an unknown agent and customer",
			body: `{"workflows": [{"workflow_name": "W", "customer_id": "cust-404",
				"tasks": [{"task_id": "a", "task_name": "A", "agent_id": "nobody", "estimated_duration_ms": 1000}]}]}`,
			want: []string{`workflows[0].customer_id: unknown customer "cust-404"`, `workflows[0].tasks[0].agent_id: unknown agent "nobody"`},
		},
		{
			name: "not an object",
			body: `[1, 2]`,
			want: []string{`want an object, got an array`},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ts := apitest.Start(t)
			before := counts(t, ts)
			a := seedHTTP(t, ts, c.body)
			if a.Status != http.StatusBadRequest || a.ErrCode(t) != "invalid_argument" {
				t.Fatalf("POST /_mock/seed: %d %s; want 400 invalid_argument", a.Status, a.Raw)
			}
			var body platform.ErrorBody
			json.Unmarshal(a.Raw, &body)
			got := strings.Split(strings.TrimSuffix(problems(t, a), "\n"), "\n")
			if len(got) != len(c.want) {
				t.Errorf("details:\n%s\nwant %d:\n%s", strings.Join(got, "\n"), len(c.want), strings.Join(c.want, "\n"))
			}
			for i := range min(len(got), len(c.want)) {
				if !strings.Contains(got[i], c.want[i]) {
					t.Errorf("detail %d: %q, want it to contain %q", i, got[i], c.want[i])
				}
			}
			if !strings.Contains(body.Error.Message, "nothing was added") {
				t.Errorf("message %q does not say nothing was added", body.Error.Message)
			}
			if after := counts(t, ts); after != before {
				t.Errorf("a refused seed changed the server:\nbefore %s\nafter  %s", before, after)
			}
			// The same seed from Go is refused with a *SeedError.
			var seed mockserver.Seed
			if json.Unmarshal([]byte(c.body), &seed) == nil {
				_, err := ts.Seed(seed)
				var se *mockserver.SeedError
				if !errors.As(err, &se) {
					t.Errorf("Seed: %v; want a *SeedError", err)
				}
				if after := counts(t, ts); after != before {
					t.Errorf("a seed refused from Go changed the server:\nbefore %s\nafter  %s", before, after)
				}
			}
		})
	}
}

func TestSeededWorkflowsMustFitTheStateMachine(t *testing.T) {
	t.Parallel()
	task := func(id, status string, deps ...string) string {
		d, _ := json.Marshal(deps)
		if deps == nil {
			d = []byte("[]")
		}
		return fmt.Sprintf(`{"task_id": %q, "task_name": "T %s", "agent_id": "wow-memory", "status": %q, "estimated_duration_ms": 60000, "dependencies": %s}`, id, id, status, d)
	}
	wf := func(status string, extra string, tasks ...string) string {
		return fmt.Sprintf(`{"workflows": [{"workflow_name": "W", "customer_id": "cust-001", "status": %q%s, "tasks": [%s]}]}`,
			status, extra, strings.Join(tasks, ", "))
	}
	for _, c := range []struct {
		name, body string
		want       string // "" when the seed is accepted
	}{
		{"a running workflow", wf("running", "", task("a", "completed"), task("b", "running", "a"), task("c", "pending", "b")), ""},
		{"a completed workflow", wf("completed", "", task("a", "completed"), task("b", "completed", "a")), ""},
		{"a failed workflow", wf("failed", "", task("a", "failed"), task("b", "pending", "a")), ""},
		{"a cancelled workflow", wf("cancelled", "", task("a", "completed"), task("b", "cancelled", "a")), ""},
		{"a paused workflow", wf("paused", "", task("a", "running")), ""},
		{"a pending workflow", wf("pending", "", task("a", "pending")), ""},
		{"derived counts that match", wf("completed", `, "progress": 100, "total_tasks": 1, "completed_tasks": 1`, task("a", "completed")), ""},
		{"a task before its dependency", wf("running", "", task("a", "pending"), task("b", "running", "a")),
			`workflows[0].tasks[1].status: cannot be running: it depends on task "a", which is pending`},
		{"a pending workflow with a running task", wf("pending", "", task("a", "running")),
			`workflows[0].tasks[0].status: must be pending in a pending workflow`},
		{"a completed workflow with a failed task", wf("completed", "", task("a", "failed")),
			`workflows[0].tasks[0].status: must be completed in a completed workflow`},
		{"a failed workflow without a failed task", wf("failed", "", task("a", "completed")),
			`workflows[0].status: a failed workflow needs a failed task`},
		{"a running workflow with nothing to run", wf("running", "", task("a", "completed")),
			`workflows[0].status: a running workflow needs a task that is running or ready to start`},
		{"a cancelled task in a running workflow", wf("running", "", task("a", "running"), task("b", "cancelled")),
			`workflows[0].tasks[1].status: only a cancelled workflow has cancelled tasks`},
		{"a cycle", wf("pending", "", task("a", "pending", "b"), task("b", "pending", "a")),
			`workflows[0].tasks: dependency cycle`},
		{"an unknown dependency", wf("pending", "", task("a", "pending", "zz")),
			`workflows[0].tasks[0].dependencies[0]: unknown task "zz"`},
		{"a duplicated task id", wf("pending", "", task("a", "pending"), task("a", "pending")),
			`workflows[0].tasks[1].task_id: "a" is given twice (also at workflows[0].tasks[0])`},
		{"progress that does not match", wf("completed", `, "progress": 50`, task("a", "completed")),
			`workflows[0].progress: is 50, but the tasks make it 100`},
		{"a customer name that does not match", wf("pending", `, "customer_name": "Globex"`, task("a", "pending")),
			`workflows[0].customer_name: is "Globex", but customer cust-001 is "Acme Corp"`},
		{"a start in a pending workflow", wf("pending", `, "started_at": "2026-01-02T09:00:00Z"`, task("a", "pending")),
			`workflows[0].started_at: must be null for a pending workflow`},
		{"a start before the creation", wf("running", `, "created_at": "2026-01-02T09:00:00Z", "started_at": "2026-01-02T08:00:00Z"`, task("a", "running")),
			`workflows[0].started_at: is before created_at`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ts := apitest.Start(t)
			a := seedHTTP(t, ts, c.body)
			switch {
			case c.want == "" && a.Status != http.StatusOK:
				t.Errorf("%d %s; want 200", a.Status, a.Raw)
			case c.want != "" && (a.Status != http.StatusBadRequest || !strings.Contains(problems(t, a), c.want)):
				t.Errorf("%d %s; want 400 with %q", a.Status, a.Raw, c.want)
			}
		})
	}
}

func TestSeededWorkflowsRunOnTheClock(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	res, err := ts.Seed(mockserver.Seed{Workflows: []workflows.Workflow{{
		WorkflowID: "wf-seeded", WorkflowName: "Nightly Sync", CustomerID: "cust-002", Status: workflows.StatusRunning,
		Tasks: []workflows.Task{
			{TaskID: "a", TaskName: "Export", AgentID: "wow-integration", Status: workflows.TaskCompleted, EstimatedDurationMS: 120_000},
			{TaskID: "b", TaskName: "Load", AgentID: "wow-memory", Status: workflows.TaskRunning, EstimatedDurationMS: 300_000,
				Dependencies: []string{"a"}, StartedAt: ptr(mockserver.Epoch().Add(-2 * time.Minute))},
			{TaskID: "c", TaskName: "Report", AgentID: "wow-analytics", EstimatedDurationMS: 60_000, Dependencies: []string{"b"}},
		},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	wc := workflows.New(ts.Client(mockserver.ViewerEmail))
	w, err := wc.Get(context.Background(), res.Workflows[0])
	if err != nil {
		t.Fatal(err)
	}
	// Times left out follow from the others: b started 2 minutes ago, so a
	// ended then, having run its estimate; the workflow started with a.
	b, _ := w.Task("b")
	a, _ := w.Task("a")
	if !a.CompletedAt.Equal(mockserver.Epoch().Add(-2*time.Minute)) || !a.StartedAt.Equal(mockserver.Epoch().Add(-4*time.Minute)) ||
		*a.DurationMS != 120_000 || !w.StartedAt.Equal(*a.StartedAt) || !w.CreatedAt.Equal(*a.StartedAt) ||
		*b.DurationMS != 120_000 || w.Progress != 33 {
		t.Errorf("seeded times: workflow created %v started %v, a %+v, b %+v", w.CreatedAt, w.StartedAt, a, b)
	}
	for _, step := range []struct {
		d    time.Duration
		want workflows.Status
		done int
	}{{2 * time.Minute, workflows.StatusRunning, 1}, {time.Minute, workflows.StatusRunning, 2}, {time.Minute, workflows.StatusCompleted, 3}} {
		ts.Advance(step.d)
		w, err := wc.Get(context.Background(), res.Workflows[0])
		if err != nil || w.Status != step.want || w.CompletedTasks != step.done {
			t.Errorf("after %v more: %v, %d tasks done (%v); want %s, %d", step.d, w.Status, w.CompletedTasks, err, step.want, step.done)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestWithEmptyStart(t *testing.T) {
	t.Parallel()
	seed := mockserver.Seed{
		Customers: []mockserver.Customer{{CustomerID: "c1", CompanyName: "Only Co"}},
		Agents:    []platform.Agent{{AgentID: "only-agent", Name: "Only Agent", CustomerID: "c1"}},
	}
	for _, c := range []struct {
		name   string
		opts   []mockserver.Option
		agents []string
	}{
		{"empty", []mockserver.Option{mockserver.WithEmptyStart()}, nil},
		{"empty plus a seed", []mockserver.Option{mockserver.WithEmptyStart(), mockserver.WithSeed(seed)}, []string{"only-agent"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ts := apitest.Start(t, c.opts...)
			pc := ts.Client(mockserver.ViewerEmail) // the demo users stay
			ctx := context.Background()
			check := func(when string) {
				t.Helper()
				var got []string
				for a, err := range pc.Agents.List(ctx, platform.AgentListOptions{}) {
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, a.AgentID)
				}
				if diff := cmp.Diff(c.agents, got); diff != "" {
					t.Errorf("%s: agents (-want +got):\n%s", when, diff)
				}
				for _, p := range []string{qPath, "/api/platform/orchestration/workflows"} {
					var page struct{ Total int }
					if err := pc.Do(ctx, "GET", p, nil, nil, &page); err != nil || page.Total != 0 {
						t.Errorf("%s: GET %s: total %d (%v), want 0", when, p, page.Total, err)
					}
				}
				m, err := pc.Metrics(ctx)
				if err != nil || m.TotalAgents != len(c.agents) || m.MessagesPending != 0 || m.RunningWorkflows != 0 {
					t.Errorf("%s: metrics %+v (%v)", when, m, err)
				}
			}
			check("at the start")
			if _, err := ts.Seed(mockserver.Seed{Agents: []platform.Agent{{Name: "Later"}}}); err != nil {
				t.Fatal(err)
			}
			ts.Reset()
			check("after a reset")
		})
	}
}

func TestWithSeedIsReappliedOnReset(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t, mockserver.WithSeed(mockserver.Seed{
		Agents: []platform.Agent{{Name: "Seeded At Start", Status: platform.AgentOffline}},
		Users:  []mockserver.User{{Email: "qa@example.com", Name: "QA", Role: "admin"}},
	}))
	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	find := func() []any {
		a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents?q=seeded+at", Token: tok})
		return a.JSON(t)["agents"].([]any)
	}
	if got := find(); len(got) != 1 || got[0].(map[string]any)["agent_id"] != "agent-101" || got[0].(map[string]any)["last_active"] != nil {
		t.Fatalf("at the start: %v; want agent-101, never active", got)
	}
	if a := seedHTTP(t, ts, `{"agents": [{"name": "Seeded At Runtime"}]}`); a.Status != 200 {
		t.Fatalf("seed: %d %s", a.Status, a.Raw)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/agents/agent-101/start", Token: mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")}); a.Status != 200 {
		t.Fatalf("start: %d %s", a.Status, a.Raw)
	}
	if got := find(); len(got) != 2 {
		t.Fatalf("before the reset: %d seeded agents, want 2", len(got))
	}
	ts.Reset()
	tok = mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	got := find()
	if len(got) != 1 || got[0].(map[string]any)["status"] != "offline" {
		t.Errorf("after the reset: %v; want the start's agent alone, offline again", got)
	}
	admin := mocktest.Token(t, ts, "qa@example.com", "")
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/auth/me", Token: admin}); a.Status != 200 || a.JSON(t)["role"] != "admin" {
		t.Errorf("the start's user after the reset: %d %s; want admin", a.Status, a.Raw)
	}
}

func TestARefusedStartSeedIsReported(t *testing.T) {
	t.Parallel()
	srv := mockserver.New(mockserver.WithEmptyStart(),
		mockserver.WithSeed(mockserver.Seed{Agents: []platform.Agent{{Name: "Fine"}}}),
		mockserver.WithSeed(mockserver.Seed{DeadLetters: []queues.Message{{QueueName: "agent-tasks", Error: "x"}}}))
	err := srv.SeedErr()
	var se *mockserver.SeedError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), `dead_letters[0].queue_name: unknown queue "agent-tasks"`) {
		t.Fatalf("SeedErr: %v; want the refused seed's problem", err)
	}
	// The other seed was applied; the refused one changed nothing.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/platform/agents", nil)
	tok, _ := srv.Token(mockserver.ViewerEmail, "", 0)
	req.Header.Set("Authorization", "Bearer "+tok)
	srv.ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(), `"total":1`) {
		t.Errorf("agents: %s; want the one good seed's agent", rec.Body)
	}
}

func TestTwoServersSeedIndependently(t *testing.T) {
	t.Parallel()
	one, two := apitest.Start(t), apitest.Start(t)
	if _, err := one.Seed(mockserver.Seed{Agents: []platform.Agent{{AgentID: "only-in-one", Name: "Only In One"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := two.Seed(mockserver.Seed{Agents: []platform.Agent{{AgentID: "only-in-two", Name: "Only In One"}}}); err != nil {
		t.Errorf("the same name on the other server: %v", err)
	}
	ctx := context.Background()
	if _, err := one.Client(mockserver.ViewerEmail).Agents.Get(ctx, "only-in-two"); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("server one sees server two's agent: %v", err)
	}
	if _, err := two.Client(mockserver.ViewerEmail).Agents.Get(ctx, "only-in-one"); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("server two sees server one's agent: %v", err)
	}
}

func TestLoadSeedFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name, body string
		want       string // after "<file>: "
	}{
		{"wrong-type.json", `{"agents": [{"name": "A"}, {"name": "B"}, {"name": "C", "capabilities": 7}]}`,
			"agents[2].capabilities: want an array of strings, got a number"},
		{"nested.json", `{"workflows": [{"workflow_name": "W", "customer_id": "c", "tasks": [{"task_id": "a"}, {"task_id": "b", "dependencies": ["a", 2]}]}]}`,
			"workflows[0].tasks[1].dependencies[1]: want a string, got a number"},
		{"integer.json", `{"queues": [{"queue_name": "q", "messages_pending": 1.5}]}`,
			"queues[0].messages_pending: want an integer, got 1.5"},
		{"time.json", `{"customers": [{"company_name": "C", "created_at": "yesterday"}]}`,
			`customers[0].created_at: want an RFC 3339 time string such as 2026-01-02T10:00:00Z, got "yesterday"`},
		{"unknown.json", `{"agents": [{"nmae": "A"}]}`,
			"agents[0].nmae: unknown field; the fields are agent_id, name, description,"},
		{"section.json", `{"agent": []}`,
			"agent: unknown field; the fields are agents, queues, dead_letters, workflows, customers, users"},
		{"object.json", `{"dead_letters": {"queue_name": "q"}}`,
			"dead_letters: want an array of objects, got an object"},
		{"syntax.json", "{\n  \"agents\": [\n    {\"name\": \"A\",}\n  ]\n}",
			"invalid JSON at line 3, column 18: invalid character '}' looking for beginning of object key string"},
		{"empty.json", "", "empty: want a JSON object"},
		{"two.json", `{} {}`, "data after the JSON object"},
		{"invalid.json", `{"agents": [{"name": "A", "tier": "Gold"}]}`,
			`agents[0].tier: must be "Platform CoE" or "Business", not "Gold"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := write(c.name, c.body)
			_, err := mockserver.LoadSeedFile(path)
			var se *mockserver.SeedError
			if !errors.As(err, &se) || se.File != path {
				t.Fatalf("LoadSeedFile: %v; want a *SeedError naming %s", err, path)
			}
			if want := path + ": " + c.want; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error:\n%s\nwant it to start with\n%s", err, want)
			}
		})
	}

	t.Run("a missing file", func(t *testing.T) {
		t.Parallel()
		_, err := mockserver.LoadSeedFile(filepath.Join(dir, "nope.json"))
		if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "nope.json") {
			t.Errorf("LoadSeedFile: %v; want a not-exist error naming the file", err)
		}
	})
}

func TestSeedFixture(t *testing.T) {
	t.Parallel()
	path := filepath.Join("testdata", "seeding", "helpdesk.json")
	seed, err := mockserver.LoadSeedFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ts := apitest.Start(t, mockserver.WithEmptyStart(), mockserver.WithSeed(seed))
	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	for p, want := range map[string]float64{
		"/api/platform/agents":                  3,
		qPath:                                   1,
		qPath + "/support-tickets/dlq":          2,
		"/api/platform/orchestration/workflows": 1,
	} {
		if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: p, Token: tok}); a.Status != 200 || a.JSON(t)["total"] != want {
			t.Errorf("GET %s: %d, total %v; want %v", p, a.Status, a.JSON(t)["total"], want)
		}
	}
	httpFigures(t, ts, tok, "support-tickets")

	// The same fixture on a server that already has its ids: the problems
	// name the file.
	srv := mockserver.New(mockserver.WithSeed(seed), mockserver.WithSeed(seed))
	if err := srv.SeedErr(); err == nil || !strings.HasPrefix(err.Error(), path+": agents[0].agent_id: agent") {
		t.Errorf("the fixture seeded twice: %v; want problems naming %s", err, path)
	}
}

// FuzzSeedBody: any body answers 200 or 400, never fails the server, and a
// 400 changes nothing.
func FuzzSeedBody(f *testing.F) {
	f.Add([]byte(deadLetterSeed("webhooks", 3)))
	f.Add([]byte(`{"agents": [{"name": "A", "status": "starting", "last_active": null}], "customers": [{"company_name": "C"}]}`))
	f.Add([]byte(`{"queues": [{"queue_name": "q", "messages_pending": 5, "consumer_lag": 5, "throughput_per_sec": 0}],
		"dead_letters": [{"queue_name": "q", "error": "e", "payload": {"a": [1]}}]}`))
	f.Add([]byte(`{"workflows": [{"workflow_name": "W", "customer_id": "cust-001", "status": "failed",
		"tasks": [{"task_id": "a", "task_name": "A", "agent_id": "wow-memory", "status": "failed", "estimated_duration_ms": 5, "error": "boom"}]}]}`))
	f.Add([]byte(`{"users": [{"email": "a@b", "name": "N", "role": "viewer", "sub": "x"}]}`))
	f.Add([]byte(`{"agents": [{"name": 1e999}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		srv := mockserver.New()
		snapshot := func() string {
			var b strings.Builder
			for _, p := range []string{"/api/platform/agents", qPath, "/api/platform/orchestration/workflows", qPath + "/webhooks"} {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest("GET", p+"?page_size=500", nil)
				tok, _ := srv.Token(mockserver.ViewerEmail, "", 0)
				req.Header.Set("Authorization", "Bearer "+tok)
				srv.ServeHTTP(rec, req)
				b.WriteString(rec.Body.String())
			}
			return b.String()
		}
		before := snapshot()
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/_mock/seed", strings.NewReader(string(body)))
		srv.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
			if after := snapshot(); after != before {
				t.Fatalf("a refused seed changed the server: %s", rec.Body)
			}
		default:
			t.Fatalf("POST /_mock/seed %q: %d %s", body, rec.Code, rec.Body)
		}
	})
}

// TestSeedConcurrentUse seeds while other callers read, retry dead letters
// and create agents; under -race, and every seeded item is there after.
func TestSeedConcurrentUse(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	pc := ts.Client(mockserver.OperatorEmail)
	qc := queues.New(pc)
	ctx := context.Background()
	const n = 8
	errs := make(chan error, 4*n)
	done := make(chan struct{})
	go func() { // readers and a writer of the DLQ, meanwhile
		defer close(done)
		for i := range n {
			for _, err := range qc.List(ctx, queues.ListOptions{}) {
				if err != nil {
					errs <- err
				}
			}
			if _, err := qc.Retry(ctx, "webhooks", fmt.Sprintf("dlq-webhooks-%03d", i+1)); err != nil {
				errs <- err
			}
		}
	}()
	results := make(chan mockserver.SeedResult, n)
	for i := range n {
		go func() {
			res, err := ts.Seed(mockserver.Seed{
				Agents:      []platform.Agent{{Name: fmt.Sprintf("Concurrent %d", i)}},
				Queues:      []mockserver.SeedQueue{{QueueName: fmt.Sprintf("q-%d", i), ThroughputPerSec: 1}},
				DeadLetters: []queues.Message{{QueueName: "webhooks", Error: "e"}, {QueueName: fmt.Sprintf("q-%d", i), Error: "e"}},
			})
			if err != nil {
				errs <- err
			}
			results <- res
		}()
	}
	seen := map[string]bool{}
	for range n {
		res := <-results
		for _, id := range append(res.Agents, res.DeadLetters...) {
			if seen[id] {
				t.Errorf("id %s given twice", id)
			}
			seen[id] = true
		}
	}
	<-done
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var names []string
	for q, err := range qc.List(ctx, queues.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, q.QueueName)
	}
	if len(names) != 4+n {
		t.Errorf("%d queues after %d seeds: %v", len(names), n, names)
	}
	d, err := qc.Get(ctx, "webhooks")
	if err != nil {
		t.Fatal(err)
	}
	mocktest.CheckConserved(t, *d)
}
