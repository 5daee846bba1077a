package helpdesk_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/waooaw/waooaw-go/helpdesk"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

// mockClient is a help-desk client of an in-process mock server, signed in
// as its demo operator. In a test, use mockserver.Start(t) and ts.Client.
func mockClient() (*helpdesk.Client, *mockserver.Server) {
	srv := mockserver.New()
	pc, err := platform.New(
		platform.WithBaseURL("http://mock.invalid"),
		platform.WithHTTPClient(&http.Client{Transport: srv.Transport()}),
		platform.WithTokenSource(srv.TokenSource(mockserver.OperatorEmail)),
		platform.WithoutEnvironment(),
	)
	if err != nil {
		panic(err)
	}
	return helpdesk.New(pc), srv
}

// Diagnose a customer, run the recommended quick actions, and check again.
func Example() {
	hd, srv := mockClient()
	ctx := context.Background()

	d, err := hd.Diagnose(ctx, "cust-002")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("root cause:", d.RootCause)
	for _, rec := range d.Recommendations {
		fmt.Printf("recommended: %s %s %s\n", rec.Action, rec.TargetID, rec.TaskID)
		res, err := hd.Run(ctx, rec)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(res.Status+":", res.Message)
	}

	srv.Advance(30 * time.Second) // the mock's clock moves only when told
	d, err = hd.Diagnose(ctx, "cust-002")
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := d.Check(helpdesk.WorkflowCheck("wf-003"))
	fmt.Println(c.Status+":", c.Message)
	// Output:
	// root cause: Data Migration (wf-003) failed: task Sync CRM Records (task-101) failed: API timeout after 30s (after 3 retries)
	// recommended: retry-workflow wf-003 task-101
	// done: Data Migration (wf-003) is running again from task Sync CRM Records (task-101), retry 4
	// pass: Data Migration (wf-003) is running, 40% done
}

// Find a customer and see them at a glance.
func ExampleClient_SearchCustomers() {
	hd, _ := mockClient()
	ctx := context.Background()
	for c, err := range hd.SearchCustomers(ctx, helpdesk.SearchOptions{Q: "acme"}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s %s <%s>: %d agents, %s\n", c.CustomerID, c.CompanyName, c.Email, c.AgentsCount, c.Status)
		o, err := hd.Overview(ctx, c.CustomerID)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, a := range o.Agents {
			fmt.Printf("  agent %s %s: %s\n", a.AgentID, a.Name, a.Status)
		}
		for _, i := range o.RecentIssues {
			fmt.Printf("  %s %s (%s, %s): SLA %s\n", i.IncidentID, i.Title, i.Severity, i.Status, i.SLAStatus)
		}
		for _, w := range o.Workflows {
			fmt.Printf("  workflow %s %s: %s %d%%\n", w.WorkflowID, w.WorkflowName, w.Status, w.Progress)
		}
	}
	// Output:
	// cust-001 Acme Corp <ops@acme.example>: 3 agents, active
	//   agent agent-001 Content Marketing Specialist: online
	//   agent agent-003 Sales Development Rep: offline
	//   agent agent-005 Onboarding Concierge: online
	//   INC-001 Knowledge search returns no results (high, investigating): SLA on_track
	//   INC-002 Sales Development Rep stopped sending outreach (low, open): SLA on_track
	//   INC-003 Welcome emails delayed by up to an hour (medium, resolved): SLA on_track
	//   workflow wf-001 Customer Onboarding: running 60%
	//   workflow wf-004 Quarterly Business Review: pending 0%
}

// The incidents past their SLA.
func ExampleClient_Incidents() {
	hd, _ := mockClient()
	for i, err := range hd.Incidents(context.Background(), helpdesk.IncidentOptions{SLAStatus: helpdesk.SLABreached}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s %s: %s for %s, due %s\n", i.IncidentID, i.Title, i.Severity, i.CustomerID, i.SLADeadline.Format(time.Kitchen))
	}
	// Output:
	// INC-004 Data Migration stuck at CRM sync: critical for cust-002, due 8:40AM
}

// Find the playbook for a problem and read its steps.
func ExampleClient_Playbook() {
	hd, _ := mockClient()
	ctx := context.Background()
	for s, err := range hd.Playbooks(ctx, helpdesk.PlaybookOptions{Q: "slow"}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		p, err := hd.Playbook(ctx, s.PlaybookID)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s (%s)\n", p.Title, p.Category)
		for _, st := range p.Steps {
			fmt.Printf("  %d. %s", st.Order, st.Title)
			if st.Action != "" {
				fmt.Printf(" [%s]", st.Action)
			}
			fmt.Println()
		}
	}
	// Output:
	// Slow agent responses (performance)
	//   1. Compare the agent's figures
	//   2. Clear the agent's cache [clear-cache]
	//   3. Restart if it stays slow [restart-agent]
	//   4. Scale or upgrade
}
