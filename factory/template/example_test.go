package template_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"

	"github.com/waooaw/waooaw-go/factory/template"
)

// Check a creation request locally, with the same rules the server applies,
// then price and render it.
func ExampleCheck() {
	ctx := context.Background()
	src := template.Builtins()

	bad := template.Request{
		TemplateID: "tmpl-memory",
		AgentName:  "my memory",
		Config:     json.RawMessage(`{"retention_days": 400}`),
	}
	_, res, err := template.Check(ctx, src, bad)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("valid:", res.Valid)
	for _, e := range res.Errors {
		fmt.Printf("  %s: %s\n", e.Field, e.Issue)
	}

	good := template.Request{
		TemplateID: "tmpl-memory",
		AgentName:  "my-memory",
		Config:     json.RawMessage(`{"retention_days": 90}`),
	}
	resolved, res, err := template.Check(ctx, src, good)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("valid:", res.Valid)
	fmt.Printf("config: %s\n", resolved.Config)
	fmt.Printf("cost: $%.2f a month\n", template.EstimateCost(resolved.Resources, resolved.Plan).Total)

	tmpl, err := src.Get(ctx, resolved.TemplateID)
	if err != nil {
		log.Fatal(err)
	}
	spec, err := tmpl.Render(ctx, resolved.RenderRequest())
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range spec.Steps {
		fmt.Printf("  %s %ds\n", s.Name, s.DurationMS/1000)
	}
	// Output:
	// valid: false
	//   agent_name: may contain only letters, digits, '-' and '_'
	//   config.retention_days: must be between 1 and 365
	// valid: true
	// config: {"max_context_size":10000,"memory_type":"hybrid","retention_days":90}
	// cost: $22.00 a month
	//   validate 90s
	//   allocate 150s
	//   provision 300s
	//   configure 180s
	//   health_check 90s
	//   online 68s
}

func ExampleEstimateCost() {
	cost := template.EstimateCost(template.Resources{CPUCores: 1, MemoryGB: 2, StorageGB: 10}, template.PlanProfessional)
	fmt.Printf("%s %.2f a %s (cpu %.2f, memory %.2f, storage %.2f, network %.2f)\n",
		cost.Currency, cost.Total, cost.Period,
		cost.Breakdown.CPU, cost.Breakdown.Memory, cost.Breakdown.Storage, cost.Breakdown.Network)
	// Output:
	// USD 22.00 a month (cpu 10.00, memory 10.00, storage 1.00, network 1.00)
}
