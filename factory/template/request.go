package template

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Request asks for an agent made from a template. It is the body of
// POST /api/platform/factory/validate, …/factory/estimate-cost and
// …/factory/agents. Only TemplateID and AgentName are required; Check
// fills in the rest from the template.
type Request struct {
	TemplateID  string `json:"template_id"`
	AgentName   string `json:"agent_name"`
	Description string `json:"description,omitempty"`
	// Plan defaults to professional.
	Plan Plan `json:"plan,omitempty"`
	// Capabilities defaults (when empty) to the template's required ones; a
	// non-empty list is taken as the whole list, so it must name every
	// required capability. Empty and absent are the same, as on the wire.
	Capabilities []string `json:"capabilities,omitempty"`
	// Config defaults to the template's default config; a given object is
	// merged over the default at the top level, so it need only hold the
	// fields that differ.
	Config json.RawMessage `json:"config,omitempty"`
	// Resources defaults to the template's resource defaults; a zero field
	// takes the template's default for that field.
	Resources *Resources `json:"resources,omitempty"`
}

// Result is the outcome of checking a Request: the body of the
// POST /api/platform/factory/validate response. Valid is true when Errors is
// empty; Warnings never make a request invalid. Both lists encode as [] when
// empty, never null.
type Result struct {
	Valid    bool    `json:"valid"`
	Errors   []Issue `json:"errors"`
	Warnings []Issue `json:"warnings"`
}

// MarshalJSON encodes nil Errors and Warnings as [].
func (r Result) MarshalJSON() ([]byte, error) {
	type result Result // without this method
	out := result(r)
	out.Errors = nonNilIssues(out.Errors)
	out.Warnings = nonNilIssues(out.Warnings)
	return json.Marshal(out)
}

// Resolved is a Request with every default applied: what the factory
// renders, prices and stores once Check finds the request valid. When the
// request is invalid it holds what could be resolved, for reporting only.
type Resolved struct {
	TemplateID   string          `json:"template_id"`
	AgentName    string          `json:"agent_name"`
	Description  string          `json:"description,omitempty"`
	Plan         Plan            `json:"plan"`
	Capabilities []string        `json:"capabilities"`
	Config       json.RawMessage `json:"config"`
	Resources    Resources       `json:"resources"`
}

// RenderRequest is what the template's Render receives for r.
func (r Resolved) RenderRequest() RenderRequest {
	return RenderRequest{
		AgentName: r.AgentName,
		Config:    bytes.Clone(r.Config),
		Resources: r.Resources,
		Plan:      r.Plan,
	}
}

// The common rules of every request, whatever the template.
const (
	minAgentNameLen   = 3
	maxAgentNameLen   = 63
	maxDescriptionLen = 200

	minCPUCores  = 0.5
	maxCPUCores  = 4
	minMemoryGB  = 0.5
	maxMemoryGB  = 8
	minStorageGB = 1
	maxStorageGB = 100
)

var agentNameChars = regexp.MustCompile(`^[A-Za-z0-9_-]*$`)

// Check resolves req's defaults from its template in src and applies every
// rule of the factory, collecting all the problems at once. It is the one
// implementation of the rules: the mock server answers
// POST …/factory/validate with it and the SDK validates locally with it, so
// both always agree.
//
// Defaults: plan professional; capabilities the template's required ones;
// resources the template's defaults (per field); config the template's
// default config, with a given config merged over it at the top level.
//
// Rules, each reported as an Issue on the field at fault:
//   - template_id is required and must name a template of src;
//   - agent_name is required, 3-63 characters of letters, digits, '-' and '_';
//   - description is at most 200 characters;
//   - plan is starter, professional or enterprise;
//   - capabilities include every required one, name only the template's
//     required or optional ones, and have no duplicates;
//   - resources.cpu_cores is within 0.5-4, memory_gb 0.5-8, storage_gb
//     1-100, and each is within the template's own limits;
//   - config is a JSON object that the template's Validate accepts; its
//     issues are reported under "config." ("config.retention_days"), an
//     issue with the whole object under "config".
//
// Warnings point out resources below the template's defaults.
//
// Errors and warnings are sorted by field. The error is non-nil only when
// the check could not run (src or the template failed, or ctx ended), never
// because of what req holds; the other results are then zero.
func Check(ctx context.Context, src Source, req Request) (Resolved, Result, error) {
	if src == nil {
		return Resolved{}, Result{}, errors.New("template: check: no template source")
	}
	c := checker{res: Resolved{
		TemplateID:   req.TemplateID,
		AgentName:    req.AgentName,
		Description:  req.Description,
		Plan:         req.Plan,
		Capabilities: slices.Clone(req.Capabilities),
	}}

	var tmpl Template
	var desc *Description
	if req.TemplateID == "" {
		c.fail("template_id", "is required")
	} else {
		t, err := src.Get(ctx, req.TemplateID)
		switch {
		case errors.Is(err, ErrNotFound):
			c.fail("template_id", fmt.Sprintf("unknown template %q", req.TemplateID))
		case err != nil:
			return Resolved{}, Result{}, fmt.Errorf("template: check: %w", err)
		case t == nil:
			return Resolved{}, Result{}, fmt.Errorf("template: check: source returned no template for %q", req.TemplateID)
		default:
			d, err := t.Describe(ctx)
			if err != nil {
				return Resolved{}, Result{}, fmt.Errorf("template: check: describe %s: %w", req.TemplateID, err)
			}
			tmpl, desc = t, &d
		}
	}

	c.agentName(req.AgentName)
	if n := utf8.RuneCountInString(req.Description); n > maxDescriptionLen {
		c.fail("description", fmt.Sprintf("must be at most %d characters long (got %d)", maxDescriptionLen, n))
	}
	c.plan()
	c.capabilities(desc)
	c.resources(req.Resources, desc)
	validate, err := c.config(req.Config, desc)
	if err != nil {
		return Resolved{}, Result{}, err
	}
	if validate {
		issues, err := tmpl.Validate(ctx, c.res.Config)
		if err != nil {
			return Resolved{}, Result{}, fmt.Errorf("template: check: validate %s config: %w", desc.TemplateID, err)
		}
		for _, is := range issues {
			c.fail(configField(is.Field), is.Issue)
		}
	}

	sortIssues(c.errs)
	sortIssues(c.warns)
	return c.res, Result{Valid: len(c.errs) == 0, Errors: nonNilIssues(c.errs), Warnings: nonNilIssues(c.warns)}, nil
}

// checker collects the issues of one request and its resolved values.
type checker struct {
	res         Resolved
	errs, warns []Issue
}

func (c *checker) fail(field, issue string) {
	c.errs = append(c.errs, Issue{Field: field, Issue: issue})
}

func (c *checker) warn(field, issue string) {
	c.warns = append(c.warns, Issue{Field: field, Issue: issue})
}

func (c *checker) agentName(name string) {
	if name == "" {
		c.fail("agent_name", "is required")
		return
	}
	if !agentNameChars.MatchString(name) {
		c.fail("agent_name", "may contain only letters, digits, '-' and '_'")
	}
	switch n := utf8.RuneCountInString(name); {
	case n < minAgentNameLen:
		c.fail("agent_name", fmt.Sprintf("must be at least %d characters long (got %d)", minAgentNameLen, n))
	case n > maxAgentNameLen:
		c.fail("agent_name", fmt.Sprintf("must be at most %d characters long (got %d)", maxAgentNameLen, n))
	}
}

func (c *checker) plan() {
	switch c.res.Plan {
	case "":
		c.res.Plan = PlanProfessional
	case PlanStarter, PlanProfessional, PlanEnterprise:
	default:
		c.fail("plan", fmt.Sprintf("must be one of: %s, %s, %s", PlanStarter, PlanProfessional, PlanEnterprise))
	}
}

func (c *checker) capabilities(desc *Description) {
	if len(c.res.Capabilities) == 0 {
		if desc != nil {
			c.res.Capabilities = slices.Clone(desc.RequiredCapabilities)
		}
		c.res.Capabilities = nonNil(c.res.Capabilities)
		return
	}
	seen := make(map[string]int, len(c.res.Capabilities))
	for i, capability := range c.res.Capabilities {
		field := fmt.Sprintf("capabilities[%d]", i)
		if j, dup := seen[capability]; dup {
			c.fail(field, fmt.Sprintf("duplicate capability %q (also capabilities[%d])", capability, j))
			continue
		}
		seen[capability] = i
		if desc == nil {
			continue
		}
		if !slices.Contains(desc.RequiredCapabilities, capability) && !slices.Contains(desc.OptionalCapabilities, capability) {
			allowed := slices.Concat(desc.RequiredCapabilities, desc.OptionalCapabilities)
			msg := fmt.Sprintf("unknown capability %q; %s takes none", capability, desc.TemplateID)
			if len(allowed) > 0 {
				msg = fmt.Sprintf("unknown capability %q; %s takes: %s", capability, desc.TemplateID, strings.Join(allowed, ", "))
			}
			c.fail(field, msg)
		}
	}
	if desc == nil {
		return
	}
	for _, r := range desc.RequiredCapabilities {
		if _, ok := seen[r]; !ok {
			c.fail("capabilities", fmt.Sprintf("missing required capability %q", r))
		}
	}
}

func (c *checker) resources(given *Resources, desc *Description) {
	var defaults Resources
	var limits *ResourceLimits
	if desc != nil {
		defaults, limits = desc.ResourceDefaults, &desc.ResourceLimits
	}
	c.res.Resources = defaults
	if given == nil {
		return
	}
	r := withDefaults(*given, defaults)
	c.res.Resources = r
	type field struct {
		name                     string
		v, lo, hi, def, tlo, thi float64
	}
	fields := []field{
		{name: "cpu_cores", v: r.CPUCores, lo: minCPUCores, hi: maxCPUCores, def: defaults.CPUCores},
		{name: "memory_gb", v: r.MemoryGB, lo: minMemoryGB, hi: maxMemoryGB, def: defaults.MemoryGB},
		{name: "storage_gb", v: r.StorageGB, lo: minStorageGB, hi: maxStorageGB, def: defaults.StorageGB},
	}
	if limits != nil {
		fields[0].tlo, fields[0].thi = limits.Min.CPUCores, limits.Max.CPUCores
		fields[1].tlo, fields[1].thi = limits.Min.MemoryGB, limits.Max.MemoryGB
		fields[2].tlo, fields[2].thi = limits.Min.StorageGB, limits.Max.StorageGB
	}
	for _, f := range fields {
		name := "resources." + f.name
		switch {
		case f.v == 0 && desc == nil:
			// Unset, and no template to take a default from: template_id
			// already carries the error.
		case !(f.v >= f.lo && f.v <= f.hi): // written so that NaN fails
			c.fail(name, fmt.Sprintf("must be between %s and %s", num(f.lo), num(f.hi)))
		case limits != nil && !(f.v >= f.tlo && f.v <= f.thi):
			c.fail(name, fmt.Sprintf("must be between %s and %s for %s", num(f.tlo), num(f.thi), desc.TemplateID))
		case desc != nil && f.v < f.def:
			c.warn(name, fmt.Sprintf("%s is below the template's default of %s; the agent may run slowly or out of resources", num(f.v), num(f.def)))
		}
	}
}

// config resolves the config and reports whether the template should
// validate it. The error is for a template whose default config is broken.
func (c *checker) config(given json.RawMessage, desc *Description) (bool, error) {
	if isNull(given) {
		if desc == nil {
			return false, nil
		}
		c.res.Config = bytes.Clone(desc.DefaultConfig)
		return true, nil
	}
	over, _, err := decodeObject(given)
	if err != nil {
		c.res.Config = bytes.Clone(given)
		c.fail("config", err.Error())
		return false, nil
	}
	if desc == nil {
		c.res.Config = bytes.Clone(given)
		return false, nil
	}
	merged := map[string]any{}
	if !isNull(desc.DefaultConfig) {
		defaults, _, err := decodeObject(desc.DefaultConfig)
		if err != nil {
			return false, fmt.Errorf("template: check: %s default_config: %w", desc.TemplateID, err)
		}
		merged = defaults
	}
	for k, v := range over {
		merged[k] = v
	}
	raw, err := canonicalJSON(merged)
	if err != nil {
		return false, fmt.Errorf("template: check: merge config: %w", err)
	}
	c.res.Config = raw
	return true, nil
}

// configField puts a template's issue path under "config".
func configField(f string) string {
	switch {
	case f == "":
		return "config"
	case strings.HasPrefix(f, "["):
		return "config" + f
	default:
		return "config." + f
	}
}

// canonicalJSON encodes v compactly with sorted keys and without HTML
// escaping, so equal configs are equal bytes.
func canonicalJSON(v any) (json.RawMessage, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func nonNilIssues(is []Issue) []Issue {
	if is == nil {
		return []Issue{}
	}
	return is
}
