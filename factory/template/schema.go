package template

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// schemaURL is where a config schema is registered with the compiler. The
// scheme has no loader, so a schema can never make the compiler read a file
// or the network: config schemas must be self-contained.
const schemaURL = "mem:///config.schema.json"

// ConfigSchema is a compiled JSON Schema (draft 2020-12 unless the schema's
// "$schema" says otherwise) for a template's config object, whose failures
// read as Issues. The built-ins use it; a plugin author can use it to
// implement Template.Validate in one line.
//
// A ConfigSchema is immutable and safe for concurrent use: compile it once
// per template, not once per call.
type ConfigSchema struct {
	doc    any // the decoded schema, read for the bounds quoted in messages
	schema *jsonschema.Schema
}

// CompileConfigSchema compiles schema. It fails if schema is not JSON, is
// not a valid JSON Schema, or refers to anything outside itself.
// Formats ("uri", "email", …) are asserted, not just annotations.
func CompileConfigSchema(schema json.RawMessage) (*ConfigSchema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema))
	if err != nil {
		return nil, fmt.Errorf("template: config schema is not JSON: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(jsonschema.SchemeURLLoader{})
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("template: config schema: %w", err)
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("template: compile config schema: %w", err)
	}
	return &ConfigSchema{doc: doc, schema: s}, nil
}

// Validate checks config against the schema and returns every failure as an
// Issue, sorted by field, or nil when config is valid. Fields are dotted
// paths relative to config ("retention_days", "sources[2].url"); an issue
// with the whole value (config is not JSON, or not an object) has the empty
// field "", which the host reports as "config".
func (s *ConfigSchema) Validate(config json.RawMessage) []Issue {
	_, issues := s.check(config)
	return issues
}

// check is Validate that also hands back the decoded config (a
// map[string]any, numbers as json.Number) for rules beyond the schema; the
// map is nil when config is not a JSON object.
func (s *ConfigSchema) check(config json.RawMessage) (map[string]any, []Issue) {
	if len(bytes.TrimSpace(config)) == 0 {
		return nil, []Issue{{Field: "", Issue: "must be a JSON object"}}
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(config))
	if err != nil {
		return nil, []Issue{{Field: "", Issue: "is not valid JSON: " + err.Error()}}
	}
	obj, ok := inst.(map[string]any)
	if !ok {
		return nil, []Issue{{Field: "", Issue: "must be a JSON object, not " + jsonType(inst)}}
	}
	var issues []Issue
	if err := s.schema.Validate(inst); err != nil {
		var verr *jsonschema.ValidationError
		if !errors.As(err, &verr) {
			return obj, []Issue{{Field: "", Issue: err.Error()}}
		}
		issues = s.issues(verr, inst, issues)
	}
	sortIssues(issues)
	return obj, issues
}

// issues flattens a validation error tree into Issues.
func (s *ConfigSchema) issues(e *jsonschema.ValidationError, inst any, out []Issue) []Issue {
	field := fieldPath(inst, e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.AnyOf, *kind.OneOf:
		// One issue for the value, not one per alternative it failed.
		return append(out, Issue{Field: field, Issue: "does not match any of the allowed forms"})
	case *kind.PropertyNames:
		return append(out, Issue{Field: joinField(field, k.Property), Issue: "is not an allowed field name"})
	case *kind.Contains, *kind.MinContains:
		return append(out, Issue{Field: field, Issue: "does not contain enough matching items"})
	}
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			out = s.issues(c, inst, out)
		}
		return out
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			out = append(out, Issue{Field: joinField(field, m), Issue: "is required"})
		}
		return out
	case *kind.DependentRequired:
		for _, m := range k.Missing {
			out = append(out, Issue{Field: joinField(field, m), Issue: fmt.Sprintf("is required when %q is set", k.Prop)})
		}
		return out
	case *kind.Dependency:
		for _, m := range k.Missing {
			out = append(out, Issue{Field: joinField(field, m), Issue: fmt.Sprintf("is required when %q is set", k.Prop)})
		}
		return out
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			out = append(out, Issue{Field: joinField(field, p), Issue: "unknown field"})
		}
		return out
	}
	return append(out, Issue{Field: field, Issue: s.message(e)})
}

// message says what is wrong with one value, in words a user can act on.
func (s *ConfigSchema) message(e *jsonschema.ValidationError) string {
	switch k := e.ErrorKind.(type) {
	case *kind.FalseSchema:
		return "is not allowed"
	case *kind.Type:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = withArticle(w)
		}
		return "must be " + strings.Join(want, " or ")
	case *kind.Const:
		return "must be " + display(k.Want)
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = display(w)
		}
		if len(want) == 1 {
			return "must be " + want[0]
		}
		return "must be one of: " + strings.Join(want, ", ")
	case *kind.Format:
		return "must be a valid " + k.Want
	case *kind.Pattern:
		return "must match the pattern " + k.Want
	case *kind.MultipleOf:
		return "must be a multiple of " + ratString(k.Want)
	case *kind.UniqueItems:
		return fmt.Sprintf("must not contain duplicates (items %d and %d are equal)", k.Duplicates[0], k.Duplicates[1])
	case *kind.Minimum, *kind.Maximum, *kind.ExclusiveMinimum, *kind.ExclusiveMaximum:
		return "must be " + s.numberBounds(e)
	case *kind.MinLength, *kind.MaxLength:
		return "must be " + counted(s.countBounds(e, "minLength", "maxLength"), "character") + " long"
	case *kind.MinItems, *kind.MaxItems:
		return "must have " + counted(s.countBounds(e, "minItems", "maxItems"), "item")
	case *kind.MinProperties, *kind.MaxProperties:
		return "must have " + counted(s.countBounds(e, "minProperties", "maxProperties"), "field")
	case *kind.Not:
		return "is not allowed"
	}
	// A kind without words of our own: the library's English text, minus
	// the instance location it starts with.
	leaf := *e
	leaf.InstanceLocation, leaf.Causes = nil, nil
	return strings.TrimPrefix(leaf.Error(), "at '': ")
}

// numberBounds states a number's whole range ("between 1 and 365") when the
// schema gives both ends, so one message tells the user what to send.
func (s *ConfigSchema) numberBounds(e *jsonschema.ValidationError) string {
	node := s.node(e.SchemaURL)
	var lo, hi string
	loIncl, hiIncl := true, true
	if v, ok := node["minimum"]; ok {
		lo = display(v)
	} else if v, ok := node["exclusiveMinimum"]; ok {
		lo, loIncl = display(v), false
	}
	if v, ok := node["maximum"]; ok {
		hi = display(v)
	} else if v, ok := node["exclusiveMaximum"]; ok {
		hi, hiIncl = display(v), false
	}
	if lo == "" && hi == "" { // the schema node was not found: quote the failed bound
		switch k := e.ErrorKind.(type) {
		case *kind.Minimum:
			lo = ratString(k.Want)
		case *kind.ExclusiveMinimum:
			lo, loIncl = ratString(k.Want), false
		case *kind.Maximum:
			hi = ratString(k.Want)
		case *kind.ExclusiveMaximum:
			hi, hiIncl = ratString(k.Want), false
		}
	}
	return bounds(lo, loIncl, hi, hiIncl, "at least ", "greater than ", "at most ", "less than ")
}

// countBounds is numberBounds for lengths and sizes, which are inclusive.
func (s *ConfigSchema) countBounds(e *jsonschema.ValidationError, minKey, maxKey string) string {
	node := s.node(e.SchemaURL)
	var lo, hi string
	if v, ok := node[minKey]; ok {
		lo = display(v)
	}
	if v, ok := node[maxKey]; ok {
		hi = display(v)
	}
	if lo == "" && hi == "" {
		switch k := e.ErrorKind.(type) {
		case *kind.MinLength:
			lo = strconv.Itoa(k.Want)
		case *kind.MaxLength:
			hi = strconv.Itoa(k.Want)
		case *kind.MinItems:
			lo = strconv.Itoa(k.Want)
		case *kind.MaxItems:
			hi = strconv.Itoa(k.Want)
		case *kind.MinProperties:
			lo = strconv.Itoa(k.Want)
		case *kind.MaxProperties:
			hi = strconv.Itoa(k.Want)
		}
	}
	return bounds(lo, true, hi, true, "at least ", "", "at most ", "")
}

// counted puts noun after a count phrase, in the plural unless the phrase
// is "at least 1" or "at most 1".
func counted(phrase, noun string) string {
	if strings.HasSuffix(phrase, " 1") && !strings.HasPrefix(phrase, "between") {
		return phrase + " " + noun
	}
	return phrase + " " + noun + "s"
}

func bounds(lo string, loIncl bool, hi string, hiIncl bool, atLeast, above, atMost, below string) string {
	switch {
	case lo != "" && hi != "" && loIncl && hiIncl:
		return "between " + lo + " and " + hi
	case lo != "" && hi != "":
		return lowPhrase(lo, loIncl, atLeast, above) + " and " + highPhrase(hi, hiIncl, atMost, below)
	case lo != "":
		return lowPhrase(lo, loIncl, atLeast, above)
	default:
		return highPhrase(hi, hiIncl, atMost, below)
	}
}

func lowPhrase(v string, incl bool, atLeast, above string) string {
	if incl {
		return atLeast + v
	}
	return above + v
}

func highPhrase(v string, incl bool, atMost, below string) string {
	if incl {
		return atMost + v
	}
	return below + v
}

// node finds the schema object at an absolute schema location of this
// schema's document, or nil.
func (s *ConfigSchema) node(loc string) map[string]any {
	base, frag, _ := strings.Cut(loc, "#")
	if base != schemaURL {
		if root, ok := s.doc.(map[string]any); !ok || root["$id"] != base {
			return nil
		}
	}
	frag, err := url.PathUnescape(frag)
	if err != nil || (frag != "" && !strings.HasPrefix(frag, "/")) {
		return nil
	}
	cur := s.doc
	if frag != "" {
		for _, tok := range strings.Split(frag[1:], "/") {
			tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
			switch v := cur.(type) {
			case map[string]any:
				cur = v[tok]
			case []any:
				i, err := strconv.Atoi(tok)
				if err != nil || i < 0 || i >= len(v) {
					return nil
				}
				cur = v[i]
			default:
				return nil
			}
		}
	}
	m, _ := cur.(map[string]any)
	return m
}

// fieldPath turns a JSON Pointer's tokens into a dotted path, writing array
// elements as "[i]"; inst tells keys from indexes.
func fieldPath(inst any, tokens []string) string {
	var b strings.Builder
	cur := inst
	for _, tok := range tokens {
		if arr, ok := cur.([]any); ok {
			b.WriteString("[" + tok + "]")
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(arr) {
				cur = arr[i]
			} else {
				cur = nil
			}
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
		if obj, ok := cur.(map[string]any); ok {
			cur = obj[tok]
		} else {
			cur = nil
		}
	}
	return b.String()
}

// joinField appends a field name to a path; "" is the root.
func joinField(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// sortIssues orders issues by field, then by text, so results are the same
// on every run whatever order checks ran in.
func sortIssues(issues []Issue) {
	slices.SortFunc(issues, func(a, b Issue) int {
		return cmp.Or(compareFields(a.Field, b.Field), cmp.Compare(a.Issue, b.Issue), cmp.Compare(a.Field, b.Field))
	})
}

// compareFields orders field paths as a reader expects, numbers by value:
// "sources[2]" before "sources[10]".
func compareFields(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Or(cmp.Compare(len(na), len(nb)), strings.Compare(na, nb)); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

// digits is the length of the run of ASCII digits s starts with.
func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

func withArticle(jsonType string) string {
	switch jsonType {
	case "null":
		return "null"
	case "integer", "object", "array":
		return "an " + jsonType
	default:
		return "a " + jsonType
	}
}

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	default:
		return "an object"
	}
}

// display writes a schema value as a user would type it.
func display(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case json.Number:
		return v.String()
	case []any, map[string]any:
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Sprint(v)
		}
		return string(b)
	default:
		return fmt.Sprint(v)
	}
}

func ratString(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'f', -1, 64)
}
