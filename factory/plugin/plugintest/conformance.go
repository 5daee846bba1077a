package plugintest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/factory/template"
)

// callTimeout bounds each call Conformance makes.
const callTimeout = 30 * time.Second

// largeConfigBytes is the size of the large config Conformance validates.
const largeConfigBytes = 2 << 20

// Field names Conformance adds to configs; a template must report them as
// unknown fields.
const (
	unknownField = "x_conformance_unknown"
	largeField   = "x_conformance_large"
)

var (
	idPattern      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)
	versionPattern = regexp.MustCompile(`^\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$`)
	complexities   = []string{"low", "medium", "high"}
	wantSteps      = []string{"validate", "allocate", "provision", "configure", "health_check", "online"}
)

// Conformance checks that tmpl behaves as every template must, whether it
// runs in-process or behind plugintest.Serve or a plugin host. Each check is
// a subtest:
//
//   - describe: template_id (letters, digits, '.', '_', '-'), name,
//     description, category, complexity (low, medium or high) and version
//     (semantic) are set; capabilities are unique; resource limits are
//     positive with min ≤ max and the defaults lie within them;
//   - schema: config_schema compiles (JSON Schema, as the host compiles it)
//     and default_config is an object that it accepts, once the required
//     fields it omits are given (see below);
//   - defaults: Validate of that config reports no issue, and the
//     factory's own check (template.Check) of a request with every default
//     and only those required fields is valid;
//   - issue_paths: every issue, for configs with each default field given a
//     value of the wrong type, has a path relative to config (never
//     "config." or a JSON pointer), and a typed field that was spoiled is
//     reported;
//   - unknown_field: an unknown config field is reported as an issue on that
//     field, not as an error or a panic;
//   - large_config: a 2 MiB config is validated without error;
//   - render: Render is deterministic (the same request twice gives equal
//     specs), leaves its request untouched, and gives a spec for the
//     template and the request with the steps validate, allocate,
//     provision, configure, health_check, online, each lasting
//     template.MinStepDuration to template.MaxStepDuration (1-10 minutes;
//     a host refuses other durations, it does not clamp them), and passes
//     template.CheckSpec, the host's check of every spec;
//   - concurrent: Validate runs safely from several goroutines.
//
// A template may require fields that default_config omits (JSON Schema
// "required" without a default: every request must give them). Conformance
// then gives each a value made from its schema: the first of "examples",
// else "default", "const" or the first of "enum", else one of its "type"
// ("https://example.com/conformance" for a string with format uri or a
// pattern starting ^https, else "x" repeated minLength times, at least 8;
// minimum or 1 for numbers; true; []; {}). Give such a field "examples"
// when none of that fits.
//
// Failures quote the configs and requests they used as JSON.
func Conformance(t *testing.T, tmpl template.Template) {
	t.Helper()
	conformance(t, tmpl, func(name string, check func(checkT)) {
		t.Run(name, func(t *testing.T) { check(t) })
	})
}

// checkT is what the checks need of a test: *testing.T, or Check's runner.
type checkT interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Fatal(args ...any)
	Context() context.Context
}

// conformance runs the checks, each through run (a subtest, or one of
// Check's results).
func conformance(t checkT, tmpl template.Template, run func(name string, check func(checkT))) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*callTimeout)
	defer cancel()
	d, err := tmpl.Describe(ctx)
	if err != nil {
		t.Fatalf("describe: %v", err)
	}

	required := requiredConfig(t, d)
	d.DefaultConfig = completeConfig(t, d) // every check starts from a valid config
	run("describe", func(t checkT) { checkDescription(t, d) })
	run("schema", func(t checkT) { checkSchema(t, d) })
	run("defaults", func(t checkT) { checkDefaults(t, tmpl, d, required) })
	run("issue_paths", func(t checkT) { checkIssuePaths(t, tmpl, d) })
	run("unknown_field", func(t checkT) {
		cfg := withField(t, d.DefaultConfig, unknownField, true)
		issues := validate(t, tmpl, cfg)
		checkPaths(t, issues)
		if !slices.ContainsFunc(issues, func(is template.Issue) bool { return is.Field == unknownField }) {
			t.Errorf("Validate(%s) = %v, want an issue on field %q", cfg, issues, unknownField)
		}
	})
	run("large_config", func(t checkT) {
		cfg := withField(t, d.DefaultConfig, largeField, strings.Repeat("x", largeConfigBytes))
		checkPaths(t, validate(t, tmpl, cfg))
	})
	run("render", func(t checkT) { checkRender(t, tmpl, d) })
	run("concurrent", func(t checkT) {
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() {
				ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
				defer cancel()
				issues, err := tmpl.Validate(ctx, bytes.Clone(d.DefaultConfig))
				if err == nil && len(issues) > 0 {
					err = fmt.Errorf("issues %v", issues)
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("concurrent Validate %d of the default config: %v", i, err)
			}
		}
	})
}

func checkDescription(t checkT, d template.Description) {
	if !idPattern.MatchString(d.TemplateID) {
		t.Errorf("template_id %q: want letters, digits, '.', '_' and '-', at most 100", d.TemplateID)
	}
	for name, v := range map[string]string{"name": d.Name, "description": d.Description, "category": d.Category} {
		if strings.TrimSpace(v) == "" {
			t.Errorf("%s is empty", name)
		}
	}
	if !slices.Contains(complexities, d.Complexity) {
		t.Errorf("complexity %q: want one of %v", d.Complexity, complexities)
	}
	if !versionPattern.MatchString(d.Version) {
		t.Errorf("version %q: want a semantic version (1.2.3)", d.Version)
	}
	seen := make(map[string]string)
	for kind, caps := range map[string][]string{"required": d.RequiredCapabilities, "optional": d.OptionalCapabilities} {
		for _, c := range caps {
			if c == "" {
				t.Errorf("%s_capabilities has an empty name", kind)
			}
			if prev, ok := seen[c]; ok {
				t.Errorf("capability %q is listed twice (%s and %s)", c, prev, kind)
			}
			seen[c] = kind
		}
	}
	lo, hi, def := d.ResourceLimits.Min, d.ResourceLimits.Max, d.ResourceDefaults
	for _, r := range []struct {
		name         string
		lo, hi, def_ float64
	}{
		{"cpu_cores", lo.CPUCores, hi.CPUCores, def.CPUCores},
		{"memory_gb", lo.MemoryGB, hi.MemoryGB, def.MemoryGB},
		{"storage_gb", lo.StorageGB, hi.StorageGB, def.StorageGB},
	} {
		if r.lo <= 0 || r.hi < r.lo {
			t.Errorf("resource_limits of %s: min %v, max %v; want 0 < min ≤ max", r.name, r.lo, r.hi)
		}
		if r.def_ < r.lo || r.def_ > r.hi {
			t.Errorf("resource_defaults.%s = %v, outside the limits %v-%v", r.name, r.def_, r.lo, r.hi)
		}
	}
}

func checkSchema(t checkT, d template.Description) {
	s, err := template.CompileConfigSchema(d.ConfigSchema)
	if err != nil {
		t.Fatalf("config_schema: %v", err)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(d.DefaultConfig, &obj); err != nil || obj == nil {
		t.Fatalf("default_config %s is not a JSON object (%v)", d.DefaultConfig, err)
	}
	if issues := s.Validate(d.DefaultConfig); len(issues) > 0 {
		t.Errorf("config_schema rejects default_config (with the required fields it omits given) %s: %v", d.DefaultConfig, issues)
	}
}

func checkDefaults(t checkT, tmpl template.Template, d template.Description, required json.RawMessage) {
	if issues := validate(t, tmpl, bytes.Clone(d.DefaultConfig)); len(issues) > 0 {
		t.Errorf("Validate(%s) = %v, want no issues", d.DefaultConfig, issues)
	}
	ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
	defer cancel()
	req := template.Request{TemplateID: d.TemplateID, AgentName: "conformance-agent", Config: required}
	_, res, err := template.Check(ctx, single{d.TemplateID, tmpl}, req)
	if err != nil {
		t.Fatalf("template.Check of the request %s (every default): %v", asJSON(req), err)
	}
	if !res.Valid || len(res.Errors) > 0 {
		t.Errorf("template.Check of the request %s (every default): errors %v, want none", asJSON(req), res.Errors)
	}
}

func checkIssuePaths(t checkT, tmpl template.Template, d template.Description) {
	var def map[string]json.RawMessage
	if err := json.Unmarshal(d.DefaultConfig, &def); err != nil {
		t.Fatalf("default_config is not a JSON object: %v", err)
	}
	typed := typedProperties(d.ConfigSchema)
	for _, key := range slices.Sorted(maps.Keys(def)) {
		cfg := maps.Clone(def)
		cfg[key] = wrongType(def[key])
		b, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		issues := validate(t, tmpl, b)
		checkPaths(t, issues)
		if typed[key] && !slices.ContainsFunc(issues, func(is template.Issue) bool { return onField(is.Field, key) }) {
			t.Errorf("Validate(%s) (%q of the wrong type): issues %v, want one on %q", b, key, issues, key)
		}
	}
}

// checkPaths fails for issue fields that are not relative to config.
func checkPaths(t checkT, issues []template.Issue) {
	t.Helper()
	for _, is := range issues {
		f := is.Field
		if f == "config" || strings.HasPrefix(f, "config.") || strings.HasPrefix(f, "config[") ||
			strings.HasPrefix(f, "/") || strings.HasPrefix(f, "#") || strings.HasPrefix(f, "$") || strings.HasPrefix(f, ".") {
			t.Errorf("issue %+v: the field must be a dotted path relative to config (\"retention_days\", \"sources[2].url\")", is)
		}
		if strings.TrimSpace(is.Issue) == "" {
			t.Errorf("issue on %q says nothing", f)
		}
	}
}

func checkRender(t checkT, tmpl template.Template, d template.Description) {
	req := template.RenderRequest{
		AgentName: "conformance-agent",
		Config:    bytes.Clone(d.DefaultConfig),
		Resources: d.ResourceDefaults,
		Plan:      template.PlanProfessional,
	}
	orig := bytes.Clone(req.Config)
	render := func() template.Spec {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
		defer cancel()
		spec, err := tmpl.Render(ctx, req)
		if err != nil {
			t.Fatalf("Render(%s): %v", asJSON(req), err)
		}
		return spec
	}
	first, second := render(), render()
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("Render is not deterministic: the same request %s gave (-first +second):\n%s", asJSON(req), diff)
	}
	if !bytes.Equal(req.Config, orig) {
		t.Errorf("Render changed its request's config: %s, was %s", req.Config, orig)
	}
	if first.TemplateID != d.TemplateID || first.AgentName != req.AgentName || first.Plan != req.Plan {
		t.Errorf("spec is for template %q, agent %q, plan %q; want %q, %q, %q",
			first.TemplateID, first.AgentName, first.Plan, d.TemplateID, req.AgentName, req.Plan)
	}
	if first.Resources != req.Resources {
		t.Errorf("spec resources %+v, want the request's %+v", first.Resources, req.Resources)
	}
	var names []string
	lo, hi := template.MinStepDuration.Milliseconds(), template.MaxStepDuration.Milliseconds()
	for _, s := range first.Steps {
		names = append(names, s.Name)
		if s.DurationMS < lo || s.DurationMS > hi {
			t.Errorf("step %q lasts %d ms, want %d-%d (template.MinStepDuration-MaxStepDuration)", s.Name, s.DurationMS, lo, hi)
		}
	}
	if !slices.Equal(names, wantSteps) {
		t.Errorf("spec steps %v, want %v", names, wantSteps)
	}
	if err := template.CheckSpec(d, req, first); err != nil {
		t.Errorf("Render(%s): %v", asJSON(req), err)
	}
	if len(first.Config) > 0 && !json.Valid(first.Config) {
		t.Errorf("spec config is not JSON: %s", first.Config)
	}
}

// asJSON writes v as JSON for failure messages.
func asJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	return string(b)
}

// requiredConfig is the config object of the required fields that
// default_config omits, with their sample values; nil when there are none.
func requiredConfig(t checkT, d template.Description) json.RawMessage {
	t.Helper()
	missing := template.RequiredWithoutDefault(d.ConfigSchema, d.DefaultConfig)
	if len(missing) == 0 {
		return nil
	}
	b, err := json.Marshal(sampleValues(d.ConfigSchema, missing))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// completeConfig is default_config with a value for each required field it
// omits (see Conformance).
func completeConfig(t checkT, d template.Description) json.RawMessage {
	t.Helper()
	missing := template.RequiredWithoutDefault(d.ConfigSchema, d.DefaultConfig)
	if len(missing) == 0 {
		return d.DefaultConfig
	}
	var obj map[string]any
	if err := json.Unmarshal(d.DefaultConfig, &obj); err != nil || obj == nil {
		return d.DefaultConfig // the schema check reports it
	}
	for k, v := range sampleValues(d.ConfigSchema, missing) {
		obj[k] = v
	}
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sampleValues makes a value for each of fields from its property schema.
func sampleValues(schema json.RawMessage, fields []string) map[string]any {
	var doc struct {
		Properties map[string]map[string]any `json:"properties"`
	}
	_ = json.Unmarshal(schema, &doc)
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		out[f] = sample(doc.Properties[f])
	}
	return out
}

func sample(p map[string]any) any {
	if ex, ok := p["examples"].([]any); ok && len(ex) > 0 {
		return ex[0]
	}
	for _, k := range []string{"default", "const"} {
		if v, ok := p[k]; ok {
			return v
		}
	}
	if e, ok := p["enum"].([]any); ok && len(e) > 0 {
		return e[0]
	}
	typ, _ := p["type"].(string)
	if ts, ok := p["type"].([]any); ok && len(ts) > 0 {
		typ, _ = ts[0].(string)
	}
	num := func(k string) (float64, bool) { v, ok := p[k].(float64); return v, ok }
	switch typ {
	case "string":
		pattern, _ := p["pattern"].(string)
		if p["format"] == "uri" || p["format"] == "url" || strings.HasPrefix(pattern, "^https") {
			return "https://example.com/conformance"
		}
		n := 8
		if v, ok := num("minLength"); ok && int(v) > n {
			n = int(v)
		}
		if v, ok := num("maxLength"); ok && int(v) < n {
			n = int(v)
		}
		return strings.Repeat("x", n)
	case "integer", "number":
		if v, ok := num("minimum"); ok {
			return v
		}
		if v, ok := num("maximum"); ok && v < 1 {
			return v
		}
		return 1
	case "boolean":
		return true
	case "array":
		return []any{}
	case "object":
		return map[string]any{}
	}
	return "x"
}

// validate calls Validate, failing the test on an error.
func validate(t checkT, tmpl template.Template, cfg json.RawMessage) []template.Issue {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), callTimeout)
	defer cancel()
	issues, err := tmpl.Validate(ctx, cfg)
	if err != nil {
		t.Fatalf("Validate(%.200s): %v; a bad config must give issues, not an error", cfg, err)
	}
	return issues
}

// withField is config with one more top-level field.
func withField(t checkT, config json.RawMessage, name string, v any) json.RawMessage {
	t.Helper()
	var obj map[string]any
	if err := json.Unmarshal(config, &obj); err != nil || obj == nil {
		t.Fatalf("default_config %s is not a JSON object (%v)", config, err)
	}
	obj[name] = v
	b, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wrongType is a JSON value of another type than v.
func wrongType(v json.RawMessage) json.RawMessage {
	switch t := bytes.TrimSpace(v); {
	case len(t) > 0 && t[0] == '"':
		return json.RawMessage(`12345`)
	default:
		return json.RawMessage(`"x-conformance-wrong-type"`)
	}
}

// typedProperties are the top-level properties whose schema states a type,
// so a value of another type must be reported.
func typedProperties(schema json.RawMessage) map[string]bool {
	var s struct {
		Properties map[string]struct {
			Type json.RawMessage `json:"type"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(schema, &s)
	out := make(map[string]bool)
	for k, p := range s.Properties {
		out[k] = len(p.Type) > 0
	}
	return out
}

// onField reports whether an issue's field is key or inside it.
func onField(field, key string) bool {
	return field == key || strings.HasPrefix(field, key+".") || strings.HasPrefix(field, key+"[")
}

// single is a Source of one template, for template.Check.
type single struct {
	id string
	t  template.Template
}

func (s single) List(ctx context.Context) ([]template.Description, error) {
	d, err := s.t.Describe(ctx)
	if err != nil {
		return nil, err
	}
	return []template.Description{d}, nil
}

func (s single) Get(_ context.Context, id string) (template.Template, error) {
	if id != s.id {
		return nil, fmt.Errorf("plugintest: %q: %w", id, template.ErrNotFound)
	}
	return s.t, nil
}
