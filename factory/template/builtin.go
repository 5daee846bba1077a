package template

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
)

// Step names of every deployment spec the built-ins render, in order.
const (
	StepValidate    = "validate"
	StepAllocate    = "allocate"
	StepProvision   = "provision"
	StepConfigure   = "configure"
	StepHealthCheck = "health_check"
	StepOnline      = "online"
)

// builtinVersion is the version of every built-in template.
const builtinVersion = "1.0.0"

// builtin is an in-process Template defined by data: its description, its
// dependencies, and the rules its schema cannot say.
type builtin struct {
	desc Description
	deps []string
	// rules checks what the schema cannot (cross-field rules, uniqueness by
	// key). It sees the decoded config (numbers as json.Number) even when the
	// schema failed, so it must not assume types.
	rules func(cfg map[string]any) []Issue
	// render adds template-specific parts to a spec; may be nil.
	render func(cfg map[string]any, spec *Spec)
	// schema is compiled once per template value, on first use.
	schema func() (*ConfigSchema, error)
}

func newBuiltin(b builtin) *builtin {
	raw := b.desc.ConfigSchema
	b.schema = sync.OnceValues(func() (*ConfigSchema, error) { return CompileConfigSchema(raw) })
	return &b
}

// Describe returns a copy of the template's description; callers may
// modify it.
func (b *builtin) Describe(ctx context.Context) (Description, error) {
	if err := ctx.Err(); err != nil {
		return Description{}, err
	}
	d := b.desc
	d.ConfigSchema = bytes.Clone(d.ConfigSchema)
	d.DefaultConfig = bytes.Clone(d.DefaultConfig)
	d.RequiredCapabilities = nonNil(slices.Clone(d.RequiredCapabilities))
	d.OptionalCapabilities = nonNil(slices.Clone(d.OptionalCapabilities))
	return d, nil
}

// Validate checks config against the template's schema and rules.
func (b *builtin) Validate(ctx context.Context, config json.RawMessage) ([]Issue, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, err := b.schema()
	if err != nil {
		return nil, fmt.Errorf("template: %s: %w", b.desc.TemplateID, err)
	}
	cfg, issues := s.check(config)
	if cfg == nil || b.rules == nil {
		return issues, nil
	}
	// A field the schema already faulted gets no second, rule-based issue.
	faulted := make(map[string]bool, len(issues))
	for _, is := range issues {
		faulted[is.Field] = true
	}
	for _, is := range b.rules(cfg) {
		if !faulted[is.Field] {
			issues = append(issues, is)
		}
	}
	sortIssues(issues)
	return issues, nil
}

// Render builds the deployment spec. Zero resource fields take the
// template's defaults, an empty plan is professional and an absent (or null)
// config is the default config; a given config is used as is, since the
// host merged it over the defaults before validating it.
func (b *builtin) Render(ctx context.Context, req RenderRequest) (Spec, error) {
	if err := ctx.Err(); err != nil {
		return Spec{}, err
	}
	config := req.Config
	if isNull(config) {
		config = b.desc.DefaultConfig
	}
	cfg, canonical, err := decodeObject(config)
	if err != nil {
		return Spec{}, fmt.Errorf("template: render %s: config: %w", b.desc.TemplateID, err)
	}
	plan := req.Plan
	if plan == "" {
		plan = PlanProfessional
	}
	res := withDefaults(req.Resources, b.desc.ResourceDefaults)
	spec := Spec{
		TemplateID:   b.desc.TemplateID,
		AgentName:    req.AgentName,
		Steps:        steps(b.desc.Complexity, res),
		Resources:    res,
		Plan:         plan,
		Dependencies: slices.Clone(b.deps),
		Config:       canonical,
	}
	if b.render != nil {
		b.render(cfg, &spec)
	}
	return spec, nil
}

// steps are the deployment steps with their expected durations: a base per
// step, scaled by complexity, provisioning growing with storage, each kept
// within 1-10 minutes so deployments finish on the mock clock's terms.
func steps(complexity string, r Resources) []Step {
	factor := 1.5 // medium, and anything unknown
	switch complexity {
	case "low":
		factor = 1
	case "high":
		factor = 2
	}
	base := []struct {
		name    string
		seconds float64
	}{
		{StepValidate, 60},
		{StepAllocate, 90 + 10*r.CPUCores},
		{StepProvision, 180 + 2*r.StorageGB},
		{StepConfigure, 120},
		{StepHealthCheck, 60},
		{StepOnline, 45},
	}
	out := make([]Step, len(base))
	for i, s := range base {
		sec := math.Round(s.seconds * factor)
		switch {
		case !(sec >= 60): // also NaN, from resources Render was not meant to get
			sec = 60
		case sec > 600:
			sec = 600
		}
		out[i] = Step{Name: s.name, DurationMS: int64(sec) * 1000}
	}
	return out
}

// withDefaults fills each zero field of r from d.
func withDefaults(r, d Resources) Resources {
	if r.CPUCores == 0 {
		r.CPUCores = d.CPUCores
	}
	if r.MemoryGB == 0 {
		r.MemoryGB = d.MemoryGB
	}
	if r.StorageGB == 0 {
		r.StorageGB = d.StorageGB
	}
	return r
}

// DecodeObject decodes raw, which must hold exactly one JSON object (white
// space around it aside): empty input, malformed JSON, null or any other
// JSON type, and data after the object are errors, worded for the caller
// ("must be a JSON object, not null", "not valid JSON: data after the
// value"). Numbers stay json.Number, as written, so no precision is lost
// between the request and the config kept. It is the one decoder of config
// objects shared by the templates and the mock server.
func DecodeObject(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("not valid JSON: data after the value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("must be a JSON object, not %s", jsonType(v))
	}
	return obj, nil
}

// decodeObject decodes a JSON object (DecodeObject), returning it twice: as
// values (numbers as json.Number) and as canonical JSON (compact, keys
// sorted).
func decodeObject(raw json.RawMessage) (map[string]any, json.RawMessage, error) {
	obj, err := DecodeObject(raw)
	if err != nil {
		return nil, nil, err
	}
	canonical, err := canonicalJSON(obj)
	if err != nil {
		return nil, nil, err
	}
	return obj, canonical, nil
}

// isNull reports whether raw is absent or the JSON null.
func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// builtinSource is the Source of the six built-in templates.
type builtinSource struct {
	templates []*builtin // sorted by id
}

// Builtins returns the six built-in templates (tmpl-api, tmpl-blank,
// tmpl-data, tmpl-memory, tmpl-monitoring, tmpl-orchestration) as a Source.
// Each call returns a fresh, independent value; it is safe for concurrent
// use.
func Builtins() Source {
	ts := []*builtin{
		apiTemplate(),
		blankTemplate(),
		dataTemplate(),
		memoryTemplate(),
		monitoringTemplate(),
		orchestrationTemplate(),
	}
	slices.SortFunc(ts, func(a, b *builtin) int { return strings.Compare(a.desc.TemplateID, b.desc.TemplateID) })
	return builtinSource{templates: ts}
}

func (s builtinSource) List(ctx context.Context) ([]Description, error) {
	out := make([]Description, 0, len(s.templates))
	for _, t := range s.templates {
		d, err := t.Describe(ctx)
		if err != nil {
			return nil, fmt.Errorf("template: list built-ins: %w", err)
		}
		out = append(out, d)
	}
	return out, nil
}

func (s builtinSource) Get(ctx context.Context, id string) (Template, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, t := range s.templates {
		if t.desc.TemplateID == id {
			return t, nil
		}
	}
	return nil, fmt.Errorf("template: get %q: %w", id, ErrNotFound)
}

// number reads a decoded JSON number, reporting false for anything else.
func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}
