package template

import "math"

// Prices of the factory's cost estimate, in USD a month.
const (
	pricePerCore      = 10.0 // times the plan's factor
	pricePerMemoryGB  = 5.0  // times the plan's factor
	pricePerStorageGB = 0.10
	priceNetwork      = 1.0
)

// Cost is a monthly cost estimate: the body of the
// POST /api/platform/factory/estimate-cost response. Every figure is
// rounded to cents and Total is the sum of the Breakdown.
type Cost struct {
	Currency  string    `json:"currency"` // always "USD"
	Period    string    `json:"period"`   // always "month"
	Total     float64   `json:"total"`
	Breakdown Breakdown `json:"breakdown"`
}

// Breakdown is a Cost split by what is paid for.
type Breakdown struct {
	CPU     float64 `json:"cpu"`
	Memory  float64 `json:"memory"`
	Storage float64 `json:"storage"`
	Network float64 `json:"network"`
}

// EstimateCost prices resources on a plan: $10 per core and $5 per GB of
// memory, times the plan's factor (starter 0.5, professional 1, enterprise
// 1.5), plus $0.10 per GB of storage and $1 for network. An empty or unknown
// plan is priced as professional; Check rejects unknown plans first.
//
// Memory Agent defaults (1 core, 2 GB, 10 GB) on professional cost $22.00.
func EstimateCost(r Resources, p Plan) Cost {
	factor := 1.0
	switch p {
	case PlanStarter:
		factor = 0.5
	case PlanEnterprise:
		factor = 1.5
	}
	b := Breakdown{
		CPU:     cents(pricePerCore * r.CPUCores * factor),
		Memory:  cents(pricePerMemoryGB * r.MemoryGB * factor),
		Storage: cents(pricePerStorageGB * r.StorageGB),
		Network: priceNetwork,
	}
	return Cost{
		Currency:  "USD",
		Period:    "month",
		Total:     cents(b.CPU + b.Memory + b.Storage + b.Network),
		Breakdown: b,
	}
}

// cents rounds to the nearest cent.
func cents(f float64) float64 { return math.Round(f*100) / 100 }
