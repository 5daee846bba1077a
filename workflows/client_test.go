package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/waooaw/waooaw-go/internal/sdktest"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/workflows"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const listURL = "/api/platform/orchestration/workflows"

// setup returns a workflows client whose requests reach mux in memory
// (sdktest.Setup: no socket, safe inside a synctest bubble). The client does
// not retry, so each call is one request.
func setup(t testing.TB, opts ...platform.Option) (*workflows.Client, *http.ServeMux) {
	t.Helper()
	pc, mux := sdktest.Setup(t, opts...)
	return workflows.New(pc), mux
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": message}})
	sdktest.WriteJSON(w, status, string(b))
}

// wfJSON is a minimal workflow as the platform sends it.
func wfJSON(id string, status workflows.Status) string {
	return `{"workflow_id":"` + id + `","workflow_name":"Customer Onboarding","customer_id":"cust-001",` +
		`"customer_name":"Acme Corp","status":"` + string(status) + `","progress":60,"total_tasks":1,` +
		`"completed_tasks":0,"failed_tasks":0,"created_at":"2026-01-02T09:40:00Z","started_at":"2026-01-02T09:45:00Z",` +
		`"completed_at":null,"tasks":[{"task_id":"task-001","task_name":"Verify Account","status":"running",` +
		`"dependencies":[],"agent_id":"wow-security","estimated_duration_ms":300000,"duration_ms":60000,` +
		`"started_at":"2026-01-02T09:45:00Z","completed_at":null}]}`
}

func wantWorkflow(id string, status workflows.Status) workflows.Workflow {
	created := time.Date(2026, 1, 2, 9, 40, 0, 0, time.UTC)
	started := created.Add(5 * time.Minute)
	dur := int64(60000)
	return workflows.Workflow{
		WorkflowID: id, WorkflowName: "Customer Onboarding", CustomerID: "cust-001", CustomerName: "Acme Corp",
		Status: status, Progress: 60, TotalTasks: 1, CreatedAt: created, StartedAt: &started,
		Tasks: []workflows.Task{{
			TaskID: "task-001", TaskName: "Verify Account", Status: workflows.TaskRunning, Dependencies: []string{},
			AgentID: "wow-security", EstimatedDurationMS: 300000, DurationMS: &dur, StartedAt: &started,
		}},
	}
}

func TestListPages(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var calls sdktest.Counter
	mux.HandleFunc("GET "+listURL, func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add() {
		case 1:
			sdktest.TestRequest(t, r, "GET", url.Values{"status": {"running"}, "customer_id": {"cust-001"}, "page_size": {"1"}})
			sdktest.WriteJSON(w, 200, `{"workflows":[`+wfJSON("wf-001", "running")+`],"next_page_token":"p2","total":2,"new_field":1}`)
		default:
			sdktest.TestRequest(t, r, "GET", url.Values{"status": {"running"}, "customer_id": {"cust-001"}, "page_size": {"1"}, "page_token": {"p2"}})
			sdktest.WriteJSON(w, 200, `{"workflows":[`+wfJSON("wf-009", "running")+`],"next_page_token":"","total":2}`)
		}
	})
	var got []workflows.Workflow
	opts := workflows.ListOptions{Status: workflows.StatusRunning, CustomerID: "cust-001", ListOptions: platform.ListOptions{PageSize: 1}}
	for w, err := range c.List(context.Background(), opts) {
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		got = append(got, w)
	}
	want := []workflows.Workflow{wantWorkflow("wf-001", "running"), wantWorkflow("wf-009", "running")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	if n := calls.Get(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

func TestListPageWithoutFiltersSendsNoQuery(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET "+listURL, func(w http.ResponseWriter, r *http.Request) {
		sdktest.TestRequest(t, r, "GET", nil)
		sdktest.WriteJSON(w, 200, `{"workflows":[],"next_page_token":"","total":0}`)
	})
	p, err := c.ListPage(context.Background(), workflows.ListOptions{})
	if err != nil || len(p.Items) != 0 || p.Total != 0 || p.NextPageToken != "" {
		t.Errorf("ListPage: %+v %v", p, err)
	}
}

func TestListStartsAtAGivenPageToken(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET "+listURL, func(w http.ResponseWriter, r *http.Request) {
		sdktest.TestRequest(t, r, "GET", url.Values{"page_token": {"p7"}})
		sdktest.WriteJSON(w, 200, `{"workflows":[`+wfJSON("wf-007", "paused")+`],"next_page_token":"","total":7}`)
	})
	n := 0
	for w, err := range c.List(context.Background(), workflows.ListOptions{ListOptions: platform.ListOptions{PageToken: "p7"}}) {
		if err != nil || w.WorkflowID != "wf-007" {
			t.Fatalf("List: %+v %v", w, err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("%d workflows, want 1", n)
	}
}

func TestGet(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("GET "+listURL+"/wf-001", func(w http.ResponseWriter, r *http.Request) {
		sdktest.TestRequest(t, r, "GET", nil)
		sdktest.WriteJSON(w, 200, wfJSON("wf-001", "running"))
	})
	got, err := c.Get(context.Background(), "wf-001")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if diff := cmp.Diff(wantWorkflow("wf-001", "running"), *got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
}

func TestActions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		path string
		call func(c *workflows.Client) (*workflows.Workflow, error)
		want workflows.Status
	}{
		{"pause", "/wf-001/pause", func(c *workflows.Client) (*workflows.Workflow, error) {
			return c.Pause(context.Background(), "wf-001")
		}, workflows.StatusPaused},
		{"resume", "/wf-001/resume", func(c *workflows.Client) (*workflows.Workflow, error) {
			return c.Resume(context.Background(), "wf-001")
		}, workflows.StatusRunning},
		{"cancel", "/wf-001/cancel", func(c *workflows.Client) (*workflows.Workflow, error) {
			return c.Cancel(context.Background(), "wf-001")
		}, workflows.StatusCancelled},
		{"retry task", "/wf-003/tasks/task-101/retry", func(c *workflows.Client) (*workflows.Workflow, error) {
			return c.RetryTask(context.Background(), "wf-003", "task-101")
		}, workflows.StatusRunning},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			id := strings.Split(tc.path, "/")[1]
			mux.HandleFunc("POST "+listURL+tc.path, func(w http.ResponseWriter, r *http.Request) {
				sdktest.TestRequest(t, r, "POST", nil)
				if r.Header.Get("Idempotency-Key") == "" {
					t.Error("a mutation without an Idempotency-Key")
				}
				if ct := r.Header.Get("Content-Type"); ct != "" {
					t.Errorf("Content-Type %q on a request without a body", ct)
				}
				if r.Body != nil {
					if b, _ := io.ReadAll(r.Body); len(b) != 0 {
						t.Errorf("body %q, want none", b)
					}
				}
				sdktest.WriteJSON(w, 200, wfJSON(id, tc.want))
			})
			got, err := tc.call(c)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if diff := cmp.Diff(wantWorkflow(id, tc.want), *got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}

// every method of the client with the ids it is given, for the tests of
// failure paths.
func every(c *workflows.Client, id, task string) map[string]func() error {
	ctx := context.Background()
	two := func(_ *workflows.Workflow, err error) error { return err }
	return map[string]func() error{
		"Get":       func() error { return two(c.Get(ctx, id)) },
		"Pause":     func() error { return two(c.Pause(ctx, id)) },
		"Resume":    func() error { return two(c.Resume(ctx, id)) },
		"Cancel":    func() error { return two(c.Cancel(ctx, id)) },
		"RetryTask": func() error { return two(c.RetryTask(ctx, id, task)) },
		"WaitFor": func() error {
			return two(c.WaitFor(ctx, id, func(workflows.Workflow) bool { return true }))
		},
		"Watch": func() error {
			for _, err := range c.Watch(ctx, id) {
				return err
			}
			return errors.New("watch yielded nothing")
		},
		"ListPage": func() error {
			_, err := c.ListPage(ctx, workflows.ListOptions{CustomerID: id})
			return err
		},
		"List": func() error {
			for _, err := range c.List(ctx, workflows.ListOptions{CustomerID: id}) {
				return err
			}
			return errors.New("list yielded nothing")
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
			writeError(w, tc.status, tc.code, "workflow \"wf-001\" is completed")
		})
		for name, call := range every(c, "wf-001", "task-1") {
			err := call()
			var pe *platform.Error
			if !errors.Is(err, tc.sentinel) || !errors.As(err, &pe) || pe.StatusCode != tc.status || pe.Message != `workflow "wf-001" is completed` {
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
	for _, ids := range [][2]string{{"", "task-1"}, {"..", "task-1"}, {".", "task-1"}, {"wf-001", ""}, {"wf-001", ".."}} {
		for name, call := range every(c, ids[0], ids[1]) {
			if strings.HasPrefix(name, "List") || (ids[1] != "task-1" && name != "RetryTask") {
				continue
			}
			if err := call(); !errors.Is(err, platform.ErrInvalidArgument) || !strings.HasPrefix(err.Error(), "workflows: ") {
				t.Errorf("%s(%q, %q): %v, want invalid argument", name, ids[0], ids[1], err)
			}
		}
	}
}

func TestIDsAreEscaped(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var got string
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.EscapedPath()
		sdktest.WriteJSON(w, 200, wfJSON("x", "running"))
	})
	if _, err := c.RetryTask(context.Background(), "wf/1?x", "t 1"); err != nil {
		t.Fatal(err)
	}
	if want := listURL + "/wf%2F1%3Fx/tasks/t%201/retry"; got != want {
		t.Errorf("path %q, want %q", got, want)
	}
}

func TestClientWithoutPlatformClient(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]*workflows.Client{"nil": nil, "New(nil)": workflows.New(nil)} {
		for method, call := range every(c, "wf-001", "task-1") {
			if err := call(); err == nil || !strings.Contains(err.Error(), "workflows.New") {
				t.Errorf("%s client, %s: %v, want an error saying how to build one", name, method, err)
			}
		}
	}
}
