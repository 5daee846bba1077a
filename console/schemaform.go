package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/waooaw/waooaw-go/factory/template"
)

// formField is one field of a form generated from a template's config JSON
// Schema: its widget follows the property's type (an enum is a select, a
// boolean a yes/no select, an array or object a JSON text area).
type formField struct {
	Name        string // the config key
	Label       string
	Description string
	Widget      string // "text", "number", "select", "json"
	Type        string // the schema's type
	Options     []string
	Min, Max    string // bounds of a number, as written
	Step        string // "1" for integers, "any" for numbers
	MaxLength   int
	Pattern     string
	Required    bool
	Value       string
	Problems    []string
}

// ID is the field's element id.
func (f formField) ID() string { return "cfg-" + f.Name }

type schemaProp struct {
	Type        any          `json:"type"`
	Description string       `json:"description"`
	Title       string       `json:"title"`
	Enum        []any        `json:"enum"`
	Minimum     *json.Number `json:"minimum"`
	Maximum     *json.Number `json:"maximum"`
	MaxLength   int          `json:"maxLength"`
	Pattern     string       `json:"pattern"`
}

type schemaDoc struct {
	Properties map[string]schemaProp `json:"properties"`
	Required   []string              `json:"required"`
}

// schemaFields lays out schema's top-level properties as form fields, in
// the schema's own order (required ones first), with the values of config.
// A schema it cannot read gives no fields (the form then offers the whole
// config as JSON).
func schemaFields(schema json.RawMessage, config map[string]any) []formField {
	var doc schemaDoc
	if json.Unmarshal(schema, &doc) != nil || len(doc.Properties) == 0 {
		return nil
	}
	order := propertyOrder(schema)
	var out []formField
	for _, name := range order {
		p, ok := doc.Properties[name]
		if !ok {
			continue
		}
		f := formField{Name: name, Label: strings.ReplaceAll(name, "_", " "), Description: p.Description,
			Required: slices.Contains(doc.Required, name), MaxLength: p.MaxLength, Pattern: p.Pattern}
		if p.Title != "" {
			f.Label = p.Title
		}
		f.Type, _ = p.Type.(string)
		switch {
		case len(p.Enum) > 0:
			f.Widget = "select"
			for _, e := range p.Enum {
				f.Options = append(f.Options, fmt.Sprint(e))
			}
		case f.Type == "boolean":
			f.Widget, f.Options = "select", []string{"true", "false"}
		case f.Type == "integer" || f.Type == "number":
			f.Widget, f.Step = "number", "any"
			if f.Type == "integer" {
				f.Step = "1"
			}
			if p.Minimum != nil {
				f.Min = p.Minimum.String()
			}
			if p.Maximum != nil {
				f.Max = p.Maximum.String()
			}
		case f.Type == "string":
			f.Widget = "text"
		default:
			f.Widget = "json"
		}
		if v, ok := config[name]; ok {
			f.Value = formValue(v, f.Widget)
		}
		out = append(out, f)
	}
	slices.SortStableFunc(out, func(a, b formField) int {
		switch {
		case a.Required == b.Required:
			return 0
		case a.Required:
			return -1
		}
		return 1
	})
	return out
}

// propertyOrder is the order the schema's properties are written in
// (a map loses it).
func propertyOrder(schema json.RawMessage) []string {
	var top map[string]json.RawMessage
	if json.Unmarshal(schema, &top) != nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(top["properties"]))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var names []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return names
		}
		name, _ := t.(string)
		names = append(names, name)
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return names
		}
	}
	return names
}

func formValue(v any, widget string) string {
	switch x := v.(type) {
	case string:
		if widget == "json" {
			b, _ := json.Marshal(x)
			return string(b)
		}
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// readConfig reads the config fields of a posted form back into a config
// object. A value that is not of the field's type is passed on as typed
// (a string), so the platform's check names the problem next to the field;
// a JSON field that is not JSON is a problem of its own, found here.
func readConfig(fields []formField, form func(string) string) (json.RawMessage, map[string]string) {
	cfg := map[string]any{}
	problems := map[string]string{}
	for _, f := range fields {
		raw := strings.TrimSpace(form("config." + f.Name))
		if raw == "" && f.Type != "string" {
			continue
		}
		switch {
		case f.Type == "boolean":
			cfg[f.Name] = raw == "true"
			if raw != "true" && raw != "false" {
				cfg[f.Name] = raw
			}
		case f.Type == "integer" || f.Type == "number":
			if _, err := strconv.ParseFloat(raw, 64); err == nil {
				cfg[f.Name] = json.Number(raw)
			} else {
				cfg[f.Name] = raw
			}
		case f.Widget == "json":
			var v any
			dec := json.NewDecoder(strings.NewReader(raw))
			dec.UseNumber()
			if err := dec.Decode(&v); err != nil {
				problems[f.Name] = "is not valid JSON: " + err.Error()
				continue
			}
			cfg[f.Name] = v
		default:
			if raw == "" && !f.Required {
				continue
			}
			cfg[f.Name] = form("config." + f.Name)
		}
	}
	b, _ := json.Marshal(cfg)
	return b, problems
}

// configValues is the template's default config with the draft's config
// merged over it at the top level, as the platform resolves it.
func configValues(def, draft json.RawMessage) map[string]any {
	out := map[string]any{}
	for _, raw := range []json.RawMessage{def, draft} {
		if len(raw) == 0 {
			continue
		}
		m, err := template.DecodeObject(raw)
		if err != nil {
			continue
		}
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
