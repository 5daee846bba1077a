package factory

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/platform"
)

// The wire types of the factory are defined once, in package template, and
// shared by the SDK, the mock server and template plugins.
type (
	// Request asks for an agent made from a template: the body of Validate,
	// ValidateLocal, EstimateCost and Create. Only TemplateID and AgentName
	// are required; omitted fields take the template's defaults.
	Request = template.Request
	// Resources are an agent's CPU cores, memory and storage (GB).
	Resources = template.Resources
	// Plan is the billing plan: PlanStarter, PlanProfessional (the
	// default) or PlanEnterprise.
	Plan = template.Plan
	// Result is the outcome of validating a Request: Valid, and the Errors
	// and Warnings with their dotted field paths ("resources.cpu_cores",
	// "config.retention_days").
	Result = template.Result
	// Issue is one problem with one field of a Request.
	Issue = template.Issue
	// Resolved is a Request with every default applied.
	Resolved = template.Resolved
	// Cost is a monthly cost estimate in USD with its breakdown.
	Cost = template.Cost
	// Description is a template as the factory describes it: id, name,
	// category, complexity, version, config JSON Schema and default
	// config, resource defaults and limits, required and optional
	// capabilities.
	Description = template.Description
	// ResourceLimits bound the resources a template accepts, inclusive.
	ResourceLimits = template.ResourceLimits
)

// Plans.
const (
	PlanStarter      = template.PlanStarter
	PlanProfessional = template.PlanProfessional
	PlanEnterprise   = template.PlanEnterprise
)

const (
	templatesPath   = "/api/platform/factory/templates"
	templatePath    = templatesPath + "/{}"
	validatePath    = "/api/platform/factory/validate"
	estimatePath    = "/api/platform/factory/estimate-cost"
	agentsPath      = "/api/platform/factory/agents"
	deploymentPath  = "/api/platform/factory/deployments/{}"
	templatesKey    = "templates"
	errNoClientText = "factory: no platform client: build the client with factory.New(pc) and a non-nil pc"
)

var errNoClient = errors.New(errNoClientText)

// Client is the agent factory API. Build one with New; it is safe for
// concurrent use.
type Client struct {
	pc  *platform.Client
	src template.Source
}

// ok is the error a call of c returns before it does anything: no platform
// client when the call needs one.
func (c *Client) ok(needPC bool) error {
	if c == nil || needPC && c.pc == nil {
		return errNoClient
	}
	return nil
}

// New returns a factory client that sends its calls through pc (its base
// URL, token, retries, clock and poll interval) and checks requests
// locally against the built-in templates (see WithTemplates). With a nil
// pc the client still checks requests locally (ValidateLocal, the Wizard's
// steps), and the calls that need the platform return an error.
func New(pc *platform.Client) *Client {
	return &Client{pc: pc, src: template.Builtins()}
}

// WithTemplates returns a copy of c that checks requests (ValidateLocal and
// the Wizard) against src, e.g. template.Combine(template.Builtins(),
// pluginHost) to match a platform that serves plugin templates. A nil src
// is template.Builtins().
func (c *Client) WithTemplates(src template.Source) *Client {
	if src == nil {
		src = template.Builtins()
	}
	var pc *platform.Client
	if c != nil {
		pc = c.pc
	}
	return &Client{pc: pc, src: src}
}

// Source is the template source ValidateLocal and the Wizard check
// requests against (see WithTemplates).
func (c *Client) Source() template.Source {
	if c == nil {
		return nil
	}
	return c.src
}

// TemplatesPage fetches one page of the platform's templates, ordered by
// template id, for callers who keep the page token themselves.
func (c *Client) TemplatesPage(ctx context.Context, opts platform.ListOptions) (platform.Page[Description], error) {
	if err := c.ok(true); err != nil {
		return platform.Page[Description]{}, err
	}
	return platform.GetPage[Description](ctx, c.pc, templatesPath, templatesKey, nil, opts)
}

// Templates iterates over every template the platform offers (the six
// built-ins and any plugin templates), fetching pages as needed. An error
// is yielded once and ends the iteration.
func (c *Client) Templates(ctx context.Context, opts platform.ListOptions) iter.Seq2[Description, error] {
	return platform.All(ctx, func(ctx context.Context, token string) (platform.Page[Description], error) {
		o := opts
		if token != "" {
			o.PageToken = token
		}
		return c.TemplatesPage(ctx, o)
	})
}

// Template fetches one template's description from the platform. An
// unknown id gives an error matching platform.ErrNotFound.
func (c *Client) Template(ctx context.Context, id string) (*Description, error) {
	if err := c.ok(true); err != nil {
		return nil, err
	}
	p, err := platform.Path(templatePath, id)
	if err != nil {
		return nil, fmt.Errorf("factory: template: %w", err)
	}
	var d Description
	if err := c.pc.Do(ctx, "GET", p, nil, nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Validate asks the platform to check req. A request with problems is not
// an error: the Result says Valid false and lists them. Errors are for calls
// that could not be made or answered (platform.ErrInvalidArgument when the
// body cannot be read at all, e.g. a Config that is not JSON).
func (c *Client) Validate(ctx context.Context, req Request) (*Result, error) {
	if err := c.ok(true); err != nil {
		return nil, err
	}
	var res Result
	if err := c.pc.Do(ctx, "POST", validatePath, nil, req, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// ValidateLocal checks req without the network, with the same code the
// platform runs (template.Check) over the client's template source (see
// WithTemplates), so it gives the same Result as Validate when the sources
// agree. The error is non-nil only when the check could not run (a
// template failed, or ctx ended).
func (c *Client) ValidateLocal(ctx context.Context, req Request) (*Result, error) {
	if err := c.ok(false); err != nil {
		return nil, err
	}
	_, res, err := template.Check(ctx, c.src, req)
	if err != nil {
		return nil, fmt.Errorf("factory: validate locally: %w", err)
	}
	return &res, nil
}

// EstimateCost asks the platform for the monthly cost of the agent req
// describes. An invalid request gives an error matching
// platform.ErrInvalidArgument whose Details name the problems.
func (c *Client) EstimateCost(ctx context.Context, req Request) (*Cost, error) {
	if err := c.ok(true); err != nil {
		return nil, err
	}
	var cost Cost
	if err := c.pc.Do(ctx, "POST", estimatePath, nil, req, &cost); err != nil {
		return nil, err
	}
	return &cost, nil
}
