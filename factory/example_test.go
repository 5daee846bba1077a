package factory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

// exampleClient is a platform client signed in as email on an in-memory
// mock server.
func exampleClient(srv *mockserver.Server, email string, opts ...platform.Option) *platform.Client {
	pc, err := platform.New(append([]platform.Option{
		platform.WithBaseURL("http://waooaw-mock.local"),
		platform.WithHTTPClient(&http.Client{Transport: srv.Transport()}),
		platform.WithTokenSource(srv.TokenSource(email)),
		platform.WithoutEnvironment(),
	}, opts...)...)
	if err != nil {
		log.Fatal(err)
	}
	return pc
}

// List the templates agents can be made from.
func ExampleClient_Templates() {
	ctx := context.Background()
	fc := factory.New(exampleClient(mockserver.New(), mockserver.ViewerEmail))
	for t, err := range fc.Templates(ctx, platform.ListOptions{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-18s %-26s %s\n", t.TemplateID, t.Name, t.Complexity)
	}
	// Output:
	// tmpl-api           API Integration Agent      low
	// tmpl-blank         Blank Agent                high
	// tmpl-data          Data Processing Agent      medium
	// tmpl-memory        Memory Agent               medium
	// tmpl-monitoring    Monitoring Agent           low
	// tmpl-orchestration Orchestration Agent        high
}

// Check a request locally, with the rules the platform applies, then ask
// the platform for its price.
func ExampleClient_ValidateLocal() {
	ctx := context.Background()
	fc := factory.New(exampleClient(mockserver.New(), mockserver.ViewerEmail))

	req := factory.Request{
		TemplateID: "tmpl-memory",
		AgentName:  "x",
		Resources:  &factory.Resources{CPUCores: 16},
	}
	res, err := fc.ValidateLocal(ctx, req) // no network
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("valid:", res.Valid)
	for _, e := range res.Errors {
		fmt.Printf("  %s: %s\n", e.Field, e.Issue)
	}

	req.AgentName, req.Resources = "support-memory", nil
	cost, err := fc.EstimateCost(ctx, req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.2f %s a %s\n", cost.Total, cost.Currency, cost.Period)
	// Output:
	// valid: false
	//   agent_name: must be at least 3 characters long (got 1)
	//   resources.cpu_cores: must be between 0.5 and 4
	// 22.00 USD a month
}

// Create an agent and follow its deployment until the agent is online. The
// mock server's clock is moved on between readings, so the deployment's
// minutes pass at once.
func ExampleClient_Create() {
	ctx := context.Background()
	srv := mockserver.New()
	pc := exampleClient(srv, mockserver.AdminEmail, platform.WithPollInterval(time.Millisecond))
	fc := factory.New(pc)

	op, err := fc.Create(ctx, factory.Request{TemplateID: "tmpl-api", AgentName: "crm-bridge"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("deployment", op.ID(), "for agent", op.Last().AgentID)
	for d, err := range op.Watch(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		step := "-"
		if s := d.CurrentStep(); s != nil {
			step = s.Name
		}
		fmt.Printf("%-9s %3d%% %s\n", d.Status, d.Progress, step)
		srv.Advance(2 * time.Minute)
	}
	a, err := pc.Agents.Get(ctx, op.Last().AgentID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.Name, "is", a.Status)
	// Output:
	// deployment dep-0001 for agent agent-101
	// pending     0% -
	// running    19% allocate
	// running    40% provision
	// running    61% configure
	// running    82% health_check
	// completed 100% -
	// crm-bridge is online
}

// Build a request step by step, as the portal's wizard does: each step
// reports the problems of its own fields; Review checks and prices the
// whole request; Deploy creates the agent.
func ExampleWizard() {
	ctx := context.Background()
	fc := factory.New(exampleClient(mockserver.New(), mockserver.AdminEmail))
	show := func(step string, res factory.Result, err error) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: valid %v\n", step, res.Valid)
		for _, e := range res.Errors {
			fmt.Printf("  error %s: %s\n", e.Field, e.Issue)
		}
		for _, w := range res.Warnings {
			fmt.Printf("  warning %s: %s\n", w.Field, w.Issue)
		}
	}

	w := fc.NewWizard()
	res, err := w.ChooseTemplate(ctx, "tmpl-memory")
	show("template", res, err)
	res, err = w.Configure(ctx, factory.Configuration{
		AgentName: "support memory",
		Config:    json.RawMessage(`{"memory_type":"short_term"}`),
	})
	show("configure", res, err)
	res, err = w.Configure(ctx, factory.Configuration{
		AgentName: "support-memory",
		Config:    json.RawMessage(`{"memory_type":"short_term","retention_days":7}`),
	})
	show("configure", res, err)
	res, err = w.SetResources(ctx, factory.Resources{CPUCores: 0.5}, factory.PlanStarter)
	show("resources", res, err)

	rv, err := w.Review(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("review: valid %v, %.2f USD a month, config %s\n", rv.Result.Valid, rv.Cost.Total, rv.Resolved.Config)
	op, err := w.Deploy(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("deploying agent", op.Last().AgentID)
	// Output:
	// template: valid true
	// configure: valid false
	//   error agent_name: may contain only letters, digits, '-' and '_'
	//   error config.retention_days: must be at most 7 when memory_type is short_term; use hybrid or long_term to keep memories longer
	// configure: valid true
	// resources: valid true
	//   warning resources.cpu_cores: 0.5 is below the template's default of 1; the agent may run slowly or out of resources
	// review: valid true, 9.50 USD a month, config {"max_context_size":10000,"memory_type":"short_term","retention_days":7}
	// deploying agent agent-101
}
