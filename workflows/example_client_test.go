package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/workflows"
)

// mockClient is a workflows client of an in-process mock server, signed in
// as its demo operator. In a test, use mockserver.Start(t) and ts.Client.
func mockClient() (*workflows.Client, *mockserver.Server) {
	srv := mockserver.New()
	pc, err := platform.New(
		platform.WithBaseURL("http://mock.invalid"),
		platform.WithHTTPClient(&http.Client{Transport: srv.Transport()}),
		platform.WithTokenSource(srv.TokenSource(mockserver.OperatorEmail)),
		platform.WithoutEnvironment(),
		platform.WithPollInterval(time.Millisecond), // the mock's clock moves when told to
	)
	if err != nil {
		panic(err)
	}
	return workflows.New(pc), srv
}

// List the running workflows of one customer.
func ExampleClient_List() {
	wf, _ := mockClient()
	ctx := context.Background()
	opts := workflows.ListOptions{Status: workflows.StatusRunning, CustomerID: "cust-001"}
	for w, err := range wf.List(ctx, opts) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s %s for %s: %s, %d%% (%d of %d tasks)\n", w.WorkflowID, w.WorkflowName, w.CustomerName,
			w.Status, w.Progress, w.CompletedTasks, w.TotalTasks)
	}
	// Output:
	// wf-001 Customer Onboarding for Acme Corp: running, 60% (3 of 5 tasks)
}

// Follow a workflow to its end. Against the mock server the example moves
// the server's clock itself after each reading; against the platform the
// workflow moves on its own.
func ExampleClient_Watch() {
	wf, srv := mockClient()
	ctx := context.Background()
	for w, err := range wf.Watch(ctx, "wf-001") {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s %s %d%%\n", w.AsOf().Format(time.Kitchen), w.Status, w.Progress)
		srv.Advance(4 * time.Minute)
	}
	// Output:
	// 10:00AM running 60%
	// 10:04AM running 60%
	// 10:08AM running 80%
	// 10:10AM completed 100%
}

// Retry the failed task of a failed workflow, then wait until the workflow
// has ended.
func ExampleClient_RetryTask() {
	wf, srv := mockClient()
	ctx := context.Background()
	w, err := wf.Get(ctx, "wf-003")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range w.Tasks {
		if t.Status == workflows.TaskFailed {
			fmt.Printf("%s failed after %d retries: %s\n", t.TaskName, t.RetryCount, t.Error)
			if w, err = wf.RetryTask(ctx, w.WorkflowID, t.TaskID); err != nil {
				fmt.Println(err)
				return
			}
			fmt.Println("workflow", w.Status)
		}
	}
	// Retrying it again is a conflict: the task is running now.
	_, err = wf.RetryTask(ctx, "wf-003", "task-101")
	fmt.Println("retry again is a conflict:", errors.Is(err, platform.ErrConflict))

	srv.Advance(time.Hour) // on the platform, time passes by itself
	w, err = wf.WaitFor(ctx, "wf-003", func(w workflows.Workflow) bool { return w.Status.Terminal() })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("workflow", w.Status, w.Progress)
	// Output:
	// Sync CRM Records failed after 3 retries: API timeout after 30s
	// workflow running
	// retry again is a conflict: true
	// workflow completed 100
}

// Draw a workflow's timeline as a text Gantt chart, at the platform's clock
// as the workflow shows it.
func ExampleWorkflow_AsOf() {
	wf, _ := mockClient()
	w, err := wf.Get(context.Background(), "wf-001")
	if err != nil {
		fmt.Println(err)
		return
	}
	tl, err := workflows.NewTimeline(*w, w.AsOf())
	if err != nil {
		fmt.Println(err)
		return
	}
	tl.WriteText(os.Stdout, 30)
	// Output:
	// Customer Onboarding (Acme Corp)
	// 2026-01-02T09:45:00Z → 2026-01-02T10:11:00Z (26m00s)
	//
	// Verify Account                 * |█████                         | completed 4m00s
	// Provision Memory               * |    ██████████                | completed 8m00s
	// Connect CRM Integration          |    ███████                   | completed 5m00s
	// Configure Onboarding Concierge * |             ▓▓▓▓▓            | running   3m00s+
	// Send Welcome Pack              * |                          ░░░░| pending   ~3m00s
	//
	// legend: █ completed ▓ running ░ pending ✗ failed · cancelled ? other; * critical path, ~ estimated, + so far
}
