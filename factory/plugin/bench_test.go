//go:build unix

package plugin

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
)

// BenchmarkColdStart measures starting a plugin process from its private
// copy: exec, the go-plugin handshake, the mutual TLS handshake and
// Describe.
func BenchmarkColdStart(b *testing.B) {
	dir := pluginDir(b, map[string]string{example: "template-plugin"})
	priv := b.TempDir()
	exe, _, err := privateCopy(candidate{path: filepath.Join(dir, example), file: example, src: filepath.Join(dir, example)}, priv, false, false)
	if err != nil {
		b.Fatal(err)
	}
	defer exe.release()
	p := &proc{exe: exe, file: example, cfg: &hostConfig{timeout: DefaultCallTimeout}, sockDir: priv}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		inst := p.newInstance()
		if err := p.start(inst); err != nil {
			b.Fatal(err)
		}
		if _, err := inst.rpc.Describe(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		inst.kill()
		b.StartTimer()
	}
}

// BenchmarkNewHost measures loading a directory of one pinned plugin:
// reading SHA256SUMS, copying and hashing the executable, then a cold
// start.
func BenchmarkNewHost(b *testing.B) {
	dir := pluginDir(b, map[string]string{example: "template-plugin"})
	pins := sumOf(b, filepath.Join(dir, example)) + "  " + example + "\n"
	writePins(b, dir, pins)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		h, err := NewHost(ctx, WithDir(dir), WithRequirePins())
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

// BenchmarkValidate measures a Validate round trip to a running plugin,
// over gRPC with mutual TLS.
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
