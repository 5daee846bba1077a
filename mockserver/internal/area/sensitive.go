package area

import (
	"context"
	"encoding/json"

	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

// Sensitive config fields (writeOnly or x-sensitive in a template's config
// schema) are kept as sent, so the agent runs with them, and never shown
// again: the API answers them as template.Masked, the journal keeps them
// masked, and a patch that sends the mask back keeps the stored value.

// SchemaOf is template id's config schema; nil when it cannot be had (an
// unknown template: then nothing of it can be sensitive).
func (e *Env) SchemaOf(ctx context.Context, id string) json.RawMessage {
	if id == "" {
		return nil
	}
	t, err := e.Templates.Get(ctx, id)
	if err != nil || t == nil {
		return nil
	}
	d, err := t.Describe(ctx)
	if err != nil {
		return nil
	}
	return d.ConfigSchema
}

// MaskJournal has the journal keep rc's body with the sensitive fields of
// its "config" masked.
func MaskJournal(rc *httpapi.Request, schema json.RawMessage) {
	if len(template.SensitiveFields(schema)) == 0 {
		return
	}
	var body map[string]json.RawMessage
	if json.Unmarshal(rc.Body, &body) != nil || body["config"] == nil {
		return
	}
	body["config"] = template.MaskConfig(schema, body["config"])
	if b, err := json.Marshal(body); err == nil {
		rc.JournalBody = b
	}
}

// Shown is cfg as the API shows it: its sensitive fields masked.
func Shown(schema json.RawMessage, cfg map[string]any) map[string]any {
	if len(template.SensitiveFields(schema)) == 0 {
		return cfg
	}
	raw, err := json.Marshal(cfg)
	if err != nil {
		return cfg
	}
	out, err := template.DecodeObject(template.MaskConfig(schema, raw))
	if err != nil {
		return cfg
	}
	return out
}
