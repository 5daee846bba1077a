// Command faulty is a template plugin for the host's tests that misbehaves
// on request. Copy it into a plugin directory as waooaw-template-<name>: its
// template id is tmpl-<name>, cut at the first '.' (so
// waooaw-template-dup.1 and waooaw-template-dup.2 clash). Every run appends
// its pid to ran.<file name> next to the executable, so tests can tell
// whether it ran and which process serves. When a file slow.<file name> is
// next to it, holding a duration ("3s"), it sleeps that long after
// recording its pid and before it serves: a plugin slow to start.
//
// Validate acts on the config's "action": "panic" panics, "exit" exits
// mid-call, "hang" never answers, "pid" reports the process id as an issue,
// "env" reports each environment variable name as an issue; anything else
// is valid.
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

type faulty struct{ id string }

func (f faulty) Describe(context.Context) (template.Description, error) {
	return template.Description{
		TemplateID:       f.id,
		Name:             "Faulty " + f.id,
		Description:      "Misbehaves for the host's tests.",
		Category:         "test",
		Complexity:       "low",
		Version:          "0.0.1",
		ConfigSchema:     json.RawMessage(`{"type": "object"}`),
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
		panic("boom")
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
	var steps []template.Step
	for _, n := range []string{"validate", "allocate", "provision", "configure", "health_check", "online"} {
		steps = append(steps, template.Step{Name: n, DurationMS: 60000})
	}
	return template.Spec{TemplateID: f.id, AgentName: req.AgentName, Steps: steps, Resources: req.Resources, Plan: req.Plan, Config: req.Config}, nil
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
	plugin.Serve(faulty{id: "tmpl-" + name})
}
