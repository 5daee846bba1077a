package template_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/factory/template"
)

func TestEstimateCost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    template.Resources
		plan template.Plan
		want template.Breakdown
		tot  float64
	}{
		{"memory defaults, professional", template.Resources{CPUCores: 1, MemoryGB: 2, StorageGB: 10}, template.PlanProfessional,
			template.Breakdown{CPU: 10, Memory: 10, Storage: 1, Network: 1}, 22},
		{"memory defaults, starter", template.Resources{CPUCores: 1, MemoryGB: 2, StorageGB: 10}, template.PlanStarter,
			template.Breakdown{CPU: 5, Memory: 5, Storage: 1, Network: 1}, 12},
		{"memory defaults, enterprise", template.Resources{CPUCores: 1, MemoryGB: 2, StorageGB: 10}, template.PlanEnterprise,
			template.Breakdown{CPU: 15, Memory: 15, Storage: 1, Network: 1}, 32},
		{"empty plan is professional", template.Resources{CPUCores: 2, MemoryGB: 4, StorageGB: 20}, "",
			template.Breakdown{CPU: 20, Memory: 20, Storage: 2, Network: 1}, 43},
		{"api defaults, starter", template.Resources{CPUCores: 0.5, MemoryGB: 1, StorageGB: 1}, template.PlanStarter,
			template.Breakdown{CPU: 2.5, Memory: 2.5, Storage: 0.1, Network: 1}, 6.1},
		{"rounded to cents", template.Resources{CPUCores: 0.333, MemoryGB: 0.777, StorageGB: 3.333}, template.PlanEnterprise,
			template.Breakdown{CPU: 5, Memory: 5.83, Storage: 0.33, Network: 1}, 12.16},
		{"largest", template.Resources{CPUCores: 4, MemoryGB: 8, StorageGB: 100}, template.PlanEnterprise,
			template.Breakdown{CPU: 60, Memory: 60, Storage: 10, Network: 1}, 131},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := template.Cost{Currency: "USD", Period: "month", Total: tt.tot, Breakdown: tt.want}
			if diff := cmp.Diff(want, template.EstimateCost(tt.r, tt.plan)); diff != "" {
				t.Errorf("EstimateCost (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCostJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(template.EstimateCost(template.Resources{CPUCores: 1, MemoryGB: 2, StorageGB: 10}, template.PlanProfessional))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"currency":"USD","period":"month","total":22,"breakdown":{"cpu":10,"memory":10,"storage":1,"network":1}}`
	if string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
}
