// Command faulty is a template plugin for the host's tests that misbehaves
// on request. Copy it into a plugin directory as waooaw-template-<name>: its
// template id is tmpl-<name>, cut at the first '.' (so
// waooaw-template-dup.1 and waooaw-template-dup.2 clash). Every run appends
// its pid to ran.<file name> next to the executable, so tests can tell
// whether it ran and which process serves. When a file slow.<file name> is
// next to it, holding a duration ("3s"), it sleeps that long after
// recording its pid and before it serves: a plugin slow to start.
//
// When a file hangdescribe.<file name> is next to it, Describe hangs (once
// serving: the describe command answers).
// When a file version.<file name> is next to it, Describe's version is its
// content.
//
// Its config schema has "level", an integer of at most 5, which Validate
// never checks: it accepts configs its own schema refuses.
//
// Validate acts on the config's "action": "panic" panics (after appending a
// line to calls.<file name>, so tests can count attempts), "exit" exits
// mid-call, "hang" never answers, "pid" reports the process id as an issue,
// "env" reports each environment variable name as an issue, "bad-path"
// reports an issue on "config.x"; anything else is valid.
//
// Render lies on request, by the config's "action": "lie-id" (a spec for
// tmpl-memory), "lie-step" (a step "rm -rf"), "lie-duration" (a negative
// duration), "lie-plan" (plan "free"), "lie-cores" (64 cores); anything
// else gives a valid spec. It writes "a line for stderr" to stderr first.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/waooaw/waooaw-go/factory/plugin"
	"github.com/waooaw/waooaw-go/factory/template"
)

type faulty struct {
	id, dir, file string
}

// sibling is the content of the file <prefix>.<file name> next to the
// executable, and whether there is one.
func (f faulty) sibling(prefix string) (string, bool) {
	b, err := os.ReadFile(filepath.Join(f.dir, prefix+"."+f.file))
	return strings.TrimSpace(string(b)), err == nil
}

func (f faulty) Describe(ctx context.Context) (template.Description, error) {
	if _, ok := f.sibling("hangdescribe"); ok && len(os.Args) == 1 {
		<-ctx.Done()
		select {} // as a hung plugin does: it does not even notice
	}
	version := "0.0.1"
	if v, ok := f.sibling("version"); ok {
		version = v
	}
	return template.Description{
		TemplateID:       f.id,
		Name:             "Faulty " + f.id,
		Description:      "Misbehaves for the host's tests.",
		Category:         "test",
		Complexity:       "low",
		Version:          version,
		ConfigSchema:     json.RawMessage(`{"type": "object", "properties": {"action": {"type": "string"}, "level": {"type": "integer", "maximum": 5}}}`),
		DefaultConfig:    json.RawMessage(`{}`),
		ResourceDefaults: template.Resources{CPUCores: 1, MemoryGB: 1, StorageGB: 1},
		ResourceLimits: template.ResourceLimits{
			Min: template.Resources{CPUCores: 0.5, MemoryGB: 0.5, StorageGB: 1},
			Max: template.Resources{CPUCores: 4, MemoryGB: 8, StorageGB: 100},
		},
		RequiredCapabilities: []string{},
		OptionalCapabilities: []string{},
	}, nil
}

func (f faulty) Validate(ctx context.Context, config json.RawMessage) ([]template.Issue, error) {
	var c struct {
		Action string `json:"action"`
	}
	_ = json.Unmarshal(config, &c)
	switch c.Action {
	case "panic":
		if m, err := os.OpenFile(filepath.Join(f.dir, "calls."+f.file), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintln(m, "validate")
			m.Close()
		}
		panic("boom")
	case "bad-path":
		return []template.Issue{{Field: "config.x", Issue: "is wrong"}}, nil
	case "exit":
		os.Exit(3)
	case "hang":
		select {}
	case "pid":
		return []template.Issue{{Field: "pid", Issue: strconv.Itoa(os.Getpid())}}, nil
	case "env":
		var issues []template.Issue
		for _, kv := range os.Environ() {
			name, _, _ := strings.Cut(kv, "=")
			issues = append(issues, template.Issue{Field: "env", Issue: name})
		}
		slices.SortFunc(issues, func(a, b template.Issue) int { return strings.Compare(a.Issue, b.Issue) })
		return issues, nil
	}
	return nil, nil
}

func (f faulty) Render(_ context.Context, req template.RenderRequest) (template.Spec, error) {
	fmt.Fprintln(os.Stderr, "a line for stderr")
	var steps []template.Step
	for _, n := range []string{"validate", "allocate", "provision", "configure", "health_check", "online"} {
		steps = append(steps, template.Step{Name: n, DurationMS: 60000})
	}
	spec := template.Spec{TemplateID: f.id, AgentName: req.AgentName, Steps: steps, Resources: req.Resources, Plan: req.Plan, Config: req.Config}
	var c struct {
		Action string `json:"action"`
	}
	_ = json.Unmarshal(req.Config, &c)
	switch c.Action {
	case "lie-id":
		spec.TemplateID = "tmpl-memory"
	case "lie-step":
		spec.Steps[2].Name = "rm -rf"
	case "lie-duration":
		spec.Steps[1].DurationMS = -60000
	case "lie-plan":
		spec.Plan = "free"
	case "lie-cores":
		spec.Resources.CPUCores = 64
	}
	return spec, nil
}

func main() {
	file := filepath.Base(os.Args[0])
	marker := filepath.Join(filepath.Dir(os.Args[0]), "ran."+file)
	if m, err := os.OpenFile(marker, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
		fmt.Fprintln(m, os.Getpid())
		m.Close()
	}
	if b, err := os.ReadFile(filepath.Join(filepath.Dir(os.Args[0]), "slow."+file)); err == nil {
		if d, err := time.ParseDuration(strings.TrimSpace(string(b))); err == nil {
			time.Sleep(d)
		}
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(file, "waooaw-template-"), ".")
	plugin.Serve(faulty{id: "tmpl-" + name, dir: filepath.Dir(os.Args[0]), file: file})
}
