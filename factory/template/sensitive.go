package template

import (
	"encoding/json"
	"slices"
)

// Masked replaces the value of every sensitive config field in what the
// API answers, logs and events show.
const Masked = "********"

// SensitiveFields are the dotted paths of the config fields a schema marks
// sensitive: "writeOnly": true (JSON Schema) or "x-sensitive": true, on a
// property of the top-level object or of nested objects' "properties".
// Their values are accepted in requests but never shown again (MaskConfig).
func SensitiveFields(schema json.RawMessage) []string {
	var doc map[string]any
	if json.Unmarshal(schema, &doc) != nil {
		return nil
	}
	var out []string
	var walk func(node map[string]any, prefix string)
	walk = func(node map[string]any, prefix string) {
		props, _ := node["properties"].(map[string]any)
		for name, p := range props {
			ps, ok := p.(map[string]any)
			if !ok {
				continue
			}
			path := joinField(prefix, name)
			if ps["writeOnly"] == true || ps["x-sensitive"] == true {
				out = append(out, path)
				continue
			}
			walk(ps, path)
		}
	}
	walk(doc, "")
	slices.Sort(out)
	return out
}

// MaskConfig returns config with the value of every sensitive field of
// schema (SensitiveFields) replaced by Masked; absent fields stay absent.
// A config that is not a JSON object comes back unchanged; so does one
// without sensitive fields.
func MaskConfig(schema, config json.RawMessage) json.RawMessage {
	fields := SensitiveFields(schema)
	if len(fields) == 0 {
		return config
	}
	obj, _, err := decodeObject(config)
	if err != nil {
		return config
	}
	changed := false
	for _, f := range fields {
		if maskPath(obj, splitPath(f)) {
			changed = true
		}
	}
	if !changed {
		return config
	}
	b, err := canonicalJSON(obj)
	if err != nil {
		return config
	}
	return b
}

// DropMasked removes from patch, a config or a merge patch of one, every
// sensitive field of schema whose value is Masked: a client that sends
// back the config it was shown keeps the stored secrets.
func DropMasked(schema json.RawMessage, patch map[string]any) {
	for _, f := range SensitiveFields(schema) {
		m, path := patch, splitPath(f)
		for len(path) > 1 {
			next, ok := m[path[0]].(map[string]any)
			if !ok {
				break
			}
			m, path = next, path[1:]
		}
		if len(path) == 1 && m[path[0]] == Masked {
			delete(m, path[0])
		}
	}
}

func splitPath(f string) []string {
	var out []string
	start := 0
	for i := 0; i < len(f); i++ {
		if f[i] == '.' {
			out = append(out, f[start:i])
			start = i + 1
		}
	}
	return append(out, f[start:])
}

func maskPath(obj map[string]any, path []string) bool {
	v, ok := obj[path[0]]
	if !ok || v == nil {
		return false
	}
	if len(path) == 1 {
		obj[path[0]] = Masked
		return true
	}
	next, ok := v.(map[string]any)
	if !ok {
		return false
	}
	return maskPath(next, path[1:])
}

// RequiredWithoutDefault are the top-level config fields schema requires
// ("required") that defaultConfig does not hold: a request must give them.
func RequiredWithoutDefault(schema, defaultConfig json.RawMessage) []string {
	var doc struct {
		Required []string `json:"required"`
	}
	if json.Unmarshal(schema, &doc) != nil {
		return nil
	}
	var def map[string]json.RawMessage
	_ = json.Unmarshal(defaultConfig, &def)
	var out []string
	for _, r := range doc.Required {
		if _, ok := def[r]; !ok {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}
