package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/waooaw/waooaw-go/factory/plugin"
	"github.com/waooaw/waooaw-go/factory/plugin/plugintest"
)

// checkResult is what a conformance run found.
type checkResult struct {
	id      string
	checks  int
	failed  []string
	loadErr error
}

// runConformance starts the plugin binary bin under a plugin host and runs
// plugintest.Conformance against it, printing each check to out.
//
// The checks are those of plugintest.Conformance, run by plugintest.Check
// (no package testing).
func runConformance(ctx context.Context, bin string, out io.Writer) (*checkResult, error) {
	dir, err := os.MkdirTemp("", "waooaw-template-check-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	name := strings.TrimSuffix(filepath.Base(bin), filepath.Ext(bin))
	name = plugin.FilePrefix + strings.TrimPrefix(name, plugin.FilePrefix)
	if err := copyFile(bin, filepath.Join(dir, name)); err != nil {
		return nil, err
	}
	stderr := &tail{}
	host, err := plugin.NewHost(ctx, plugin.WithDir(dir), plugin.WithStderr(stderr))
	if err != nil {
		return nil, err
	}
	defer host.Close()
	res := &checkResult{}
	if errs := host.LoadErrors(); len(errs) > 0 {
		res.loadErr = errors.Join(errs...)
		return res, nil
	}
	descs, err := host.List(ctx)
	if err != nil {
		return nil, err
	}
	if len(descs) != 1 {
		res.loadErr = fmt.Errorf("the plugin serves %d templates, want 1", len(descs))
		return res, nil
	}
	d := descs[0]
	res.id = d.TemplateID
	tmpl, err := host.Get(ctx, d.TemplateID)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "checking %s (%s %s) from %s\n", d.TemplateID, d.Name, d.Version, bin)

	results := plugintest.Check(ctx, tmpl)
	res.checks = len(results)
	for _, r := range results {
		if len(r.Failures) == 0 {
			fmt.Fprintf(out, "PASS  %s\n", r.Name)
			continue
		}
		res.failed = append(res.failed, r.Name)
		fmt.Fprintf(out, "FAIL  %s\n", r.Name)
		for _, f := range r.Failures {
			for _, l := range strings.Split(f, "\n") {
				if len(l) > 500 {
					l = l[:500] + "…"
				}
				fmt.Fprintf(out, "      %s\n", l)
			}
		}
	}
	return res, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	outf, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(outf, in); err != nil {
		outf.Close()
		return err
	}
	return outf.Close()
}

// tail keeps the last lines a plugin wrote to stderr.
type tail struct{ b []byte }

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 8<<10 {
		t.b = t.b[len(t.b)-8<<10:]
	}
	return len(p), nil
}
