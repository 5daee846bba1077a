//go:build unix

package plugin

import (
	"context"
	"encoding/json"
	"testing"
)

// BenchmarkColdStart measures loading one plugin: hashing it, starting the
// process, the go-plugin handshake with mutual TLS, and Describe.
func BenchmarkColdStart(b *testing.B) {
	dir := pluginDir(b, map[string]string{example: "template-plugin"})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		h, err := NewHost(ctx, WithDir(dir))
		if err != nil {
			b.Fatal(err)
		}
		if ds, err := h.List(ctx); err != nil || len(ds) != 1 {
			b.Fatalf("List = %v, %v; load errors %v", ds, err, h.LoadErrors())
		}
		b.StopTimer()
		if err := h.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkValidate measures a Validate round trip over gRPC with mutual
// TLS to a running plugin.
func BenchmarkValidate(b *testing.B) {
	dir := pluginDir(b, map[string]string{example: "template-plugin"})
	ctx := context.Background()
	h, err := NewHost(ctx, WithDir(dir))
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	tmpl, err := h.Get(ctx, "tmpl-slack-notifier")
	if err != nil {
		b.Fatalf("Get: %v; load errors %v", err, h.LoadErrors())
	}
	cfg := json.RawMessage(`{"webhook_url": "https://hooks.slack.com/services/T1/B2/C3", "channel": "#ops", "mention_on": ["critical"], "rate_limit_per_min": 60}`)
	b.ReportAllocs()
	for b.Loop() {
		issues, err := tmpl.Validate(ctx, cfg)
		if err != nil || len(issues) > 0 {
			b.Fatalf("Validate = %v, %v", issues, err)
		}
	}
}
