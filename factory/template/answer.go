package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The range of a deployment step's duration (Step.DurationMS), inclusive.
// The built-ins keep every step within it; a host refuses a spec with a
// step outside it (CheckSpec): it is not clamped.
const (
	MinStepDuration = time.Minute
	MaxStepDuration = 10 * time.Minute
)

// templateIDPattern is what a template id may look like: it ends up in URLs
// and file names.
var templateIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// StepNames are the steps of every deployment spec, in order: a spec has
// exactly these, each once.
func StepNames() []string {
	return []string{StepValidate, StepAllocate, StepProvision, StepConfigure, StepHealthCheck, StepOnline}
}

// Errors a template's callers branch on with errors.Is.
var (
	// ErrFailed is matched when the template itself failed a call: it
	// returned an error, or panicked. Retrying the same call fails the same
	// way; a server answers 500 template_failed.
	ErrFailed = errors.New("template failed")
	// ErrRefused is matched when a template's answer broke the rules every
	// template must follow (CheckDescription, CheckIssues, CheckSpec), so
	// the host did not use it; a server answers 502 template_refused.
	ErrRefused = errors.New("template answer refused")
)

// refuse is the error of an answer that broke rule.
func refuse(method, rule string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrRefused, method, fmt.Sprintf(rule, args...))
}

// CheckDescription applies the rules every description meets (the
// built-ins' rules): a template id, a config schema that compiles, a
// default config that is an object, resource limits with 0 < min ≤ max
// within the factory's range, and defaults within them. id, when not
// empty, is the id the description must have. The error matches
// ErrRefused and names the rule.
func CheckDescription(d Description, id string) error {
	if id != "" && d.TemplateID != id {
		return refuse("describe", "template_id is %q, want %q", d.TemplateID, id)
	}
	if !templateIDPattern.MatchString(d.TemplateID) {
		return refuse("describe", "template_id %q is not an id (letters, digits, '.', '_', '-'; at most 100)", d.TemplateID)
	}
	if _, err := CompileConfigSchema(d.ConfigSchema); err != nil {
		return refuse("describe", "config_schema: %v", err)
	}
	if _, _, err := decodeObject(d.DefaultConfig); err != nil && !isNull(d.DefaultConfig) {
		return refuse("describe", "default_config: %v", err)
	}
	lo, hi, def := d.ResourceLimits.Min, d.ResourceLimits.Max, d.ResourceDefaults
	for _, r := range []struct {
		name              string
		lo, hi, def, a, b float64
	}{
		{"cpu_cores", lo.CPUCores, hi.CPUCores, def.CPUCores, minCPUCores, maxCPUCores},
		{"memory_gb", lo.MemoryGB, hi.MemoryGB, def.MemoryGB, minMemoryGB, maxMemoryGB},
		{"storage_gb", lo.StorageGB, hi.StorageGB, def.StorageGB, minStorageGB, maxStorageGB},
	} {
		if !(r.lo > 0 && r.lo <= r.hi) {
			return refuse("describe", "resource_limits.%s: min %s, max %s; want 0 < min ≤ max", r.name, num(r.lo), num(r.hi))
		}
		if r.lo < r.a || r.hi > r.b {
			return refuse("describe", "resource_limits.%s: %s-%s is outside the factory's %s-%s", r.name, num(r.lo), num(r.hi), num(r.a), num(r.b))
		}
		if !(r.def >= r.lo && r.def <= r.hi) {
			return refuse("describe", "resource_defaults.%s = %s is outside the template's limits %s-%s", r.name, num(r.def), num(r.lo), num(r.hi))
		}
	}
	return nil
}

// CheckIssues applies the rules every Validate answer meets: each issue
// has a field relative to config (never "config." or a JSON pointer) and
// says what is wrong. The error matches ErrRefused and names the rule.
func CheckIssues(issues []Issue) error {
	for _, is := range issues {
		f := is.Field
		if f == "config" || strings.HasPrefix(f, "config.") || strings.HasPrefix(f, "config[") ||
			strings.HasPrefix(f, "/") || strings.HasPrefix(f, "#") || strings.HasPrefix(f, "$") || strings.HasPrefix(f, ".") {
			return refuse("validate", "issue field %q is not a dotted path relative to config", f)
		}
		if strings.TrimSpace(is.Issue) == "" {
			return refuse("validate", "issue on %q says nothing", f)
		}
	}
	return nil
}

// CheckSpec applies the rules every rendered spec meets (the built-ins'
// rules) for the template d and the request req: the spec is for d's
// template id, req's agent name and plan (a valid plan); its steps are
// StepNames in order, each lasting MinStepDuration to MaxStepDuration; its
// resources are within d's limits; its config, if any, is JSON. The error
// matches ErrRefused and names the rule.
func CheckSpec(d Description, req RenderRequest, spec Spec) error {
	switch {
	case spec.TemplateID != d.TemplateID:
		return refuse("render", "the spec is for template %q, not %q", spec.TemplateID, d.TemplateID)
	case spec.AgentName != req.AgentName:
		return refuse("render", "the spec is for agent %q, not the request's %q", spec.AgentName, req.AgentName)
	case spec.Plan != req.Plan:
		return refuse("render", "the spec's plan is %q, not the request's %q", spec.Plan, req.Plan)
	}
	if !slices.Contains([]Plan{PlanStarter, PlanProfessional, PlanEnterprise}, spec.Plan) {
		return refuse("render", "plan %q is not starter, professional or enterprise", spec.Plan)
	}
	want := StepNames()
	names := make([]string, len(spec.Steps))
	for i, s := range spec.Steps {
		names[i] = s.Name
	}
	if !slices.Equal(names, want) {
		return refuse("render", "steps %q, want exactly %q in that order", names, want)
	}
	lo, hi := MinStepDuration.Milliseconds(), MaxStepDuration.Milliseconds()
	for _, s := range spec.Steps {
		if s.DurationMS < lo || s.DurationMS > hi {
			return refuse("render", "step %q lasts %d ms, outside %d-%d ms (%s-%s)", s.Name, s.DurationMS, lo, hi, MinStepDuration, MaxStepDuration)
		}
	}
	l, r := d.ResourceLimits, spec.Resources
	for _, f := range []struct {
		name      string
		v, lo, hi float64
	}{
		{"cpu_cores", r.CPUCores, l.Min.CPUCores, l.Max.CPUCores},
		{"memory_gb", r.MemoryGB, l.Min.MemoryGB, l.Max.MemoryGB},
		{"storage_gb", r.StorageGB, l.Min.StorageGB, l.Max.StorageGB},
	} {
		if math.IsNaN(f.v) || f.v < f.lo || f.v > f.hi {
			return refuse("render", "resources.%s = %s is outside the template's limits %s-%s", f.name, num(f.v), num(f.lo), num(f.hi))
		}
	}
	if len(bytes.TrimSpace(spec.Config)) > 0 && !json.Valid(spec.Config) {
		return refuse("render", "the spec's config is not JSON")
	}
	return nil
}

// MergeIssues is the issues of both lists, each once, sorted by field.
func MergeIssues(a, b []Issue) []Issue {
	if len(a)+len(b) == 0 {
		return nil
	}
	out := slices.Clone(a)
	for _, is := range b {
		if !slices.Contains(out, is) {
			out = append(out, is)
		}
	}
	sortIssues(out)
	return out
}
