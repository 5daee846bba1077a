// Package template defines what a factory template is (the Template
// interface), where templates come from (Source), the rules the factory host
// applies to every creation request, and the six built-in templates.
//
// A template describes itself, validates the config object of a creation
// request and renders a validated request into a deployment spec. The
// built-ins implement the interface in-process; plugins (package
// factory/plugin) implement the same interface in their own binaries.
package template

import (
	"context"
	"encoding/json"
)

// Template is one kind of agent the factory can create.
//
// Implementations must be safe for concurrent use. The context carries the
// host's deadline for the call.
type Template interface {
	// Describe returns the template's static description.
	Describe(ctx context.Context) (Description, error)
	// Validate checks config, the request's "config" object only, and
	// returns every problem found. Issue paths are relative to config
	// ("retention_days", "sources[2].url"); the host prefixes "config.".
	// A non-nil error means validation could not run, not that config is bad.
	Validate(ctx context.Context, config json.RawMessage) ([]Issue, error)
	// Render turns a validated request into a deployment spec. It has no
	// side effects and is deterministic: the same request gives the same spec.
	Render(ctx context.Context, req RenderRequest) (Spec, error)
}

// Description is what a template says about itself (the template detail of
// GET /api/platform/factory/templates/{id}).
type Description struct {
	TemplateID           string          `json:"template_id"`
	Name                 string          `json:"name"`
	Description          string          `json:"description"`
	Category             string          `json:"category"`
	Complexity           string          `json:"complexity"`
	Version              string          `json:"version"`
	ConfigSchema         json.RawMessage `json:"config_schema"`
	DefaultConfig        json.RawMessage `json:"default_config"`
	ResourceDefaults     Resources       `json:"resource_defaults"`
	ResourceLimits       ResourceLimits  `json:"resource_limits"`
	RequiredCapabilities []string        `json:"required_capabilities"`
	OptionalCapabilities []string        `json:"optional_capabilities"`
}

// Resources are the compute resources of an agent.
type Resources struct {
	CPUCores  float64 `json:"cpu_cores"`
	MemoryGB  float64 `json:"memory_gb"`
	StorageGB float64 `json:"storage_gb"`
}

// ResourceLimits bound the resources a template accepts, inclusive.
type ResourceLimits struct {
	Min Resources `json:"min"`
	Max Resources `json:"max"`
}

// Issue is one problem with a request: a dotted field path ("[i]" for
// elements) and what is wrong with it. It is also the item shape of the
// platform error body's "details".
type Issue struct {
	Field string `json:"field"`
	Issue string `json:"issue"`
}

// Plan is the billing plan of an agent.
type Plan string

// Plans.
const (
	PlanStarter      Plan = "starter"
	PlanProfessional Plan = "professional"
	PlanEnterprise   Plan = "enterprise"
)

// RenderRequest is what Render receives, after validation.
type RenderRequest struct {
	AgentName string          `json:"agent_name"`
	Config    json.RawMessage `json:"config"`
	Resources Resources       `json:"resources"`
	Plan      Plan            `json:"plan"`
}

// Spec is a deployment spec: the steps to run and the resources to allocate.
type Spec struct {
	TemplateID   string            `json:"template_id"`
	AgentName    string            `json:"agent_name"`
	Steps        []Step            `json:"steps"`
	Resources    Resources         `json:"resources"`
	Plan         Plan              `json:"plan"`
	Dependencies []string          `json:"dependencies,omitempty"`
	Env          map[string]string `json:"env,omitempty"`
	Config       json.RawMessage   `json:"config"`
}

// Step is one step of a deployment and how long it is expected to take.
//
// A spec has the steps of StepNames, in that order. DurationMS must lie
// within MinStepDuration and MaxStepDuration (1-10 minutes, 60000-600000
// ms), inclusive: a host refuses a spec with a step outside that range
// (CheckSpec); it does not clamp it.
type Step struct {
	Name       string `json:"name"`
	DurationMS int64  `json:"duration_ms"`
}

// Source lists and finds templates. The built-ins are one Source, a plugin
// host is another; Combine joins several.
type Source interface {
	// List describes every template of the source, ordered by template id.
	List(ctx context.Context) ([]Description, error)
	// Get finds a template by id; an unknown id gives an error matching
	// ErrNotFound.
	Get(ctx context.Context, id string) (Template, error)
}
