package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

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
// The suite is written for package testing (each check is a subtest), so it
// runs under testing.MainStart in this process, with -test.v, and its
// verbose output is turned into one line per check. It must run at most
// once per process and never inside a test binary.
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

	// testing writes to os.Stdout: read it from a pipe.
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan struct{})
	go func() {
		defer close(done)
		res.checks, res.failed = relay(r, out)
	}()
	m := testing.MainStart(mainDeps{}, []testing.InternalTest{{Name: "conformance", F: func(t *testing.T) {
		plugintest.Conformance(t, tmpl)
	}}}, nil, nil, nil)
	if err := flag.CommandLine.Parse([]string{"-test.v=true", "-test.timeout=10m", "-test.count=1"}); err != nil {
		os.Stdout = stdout
		w.Close()
		<-done
		return nil, err
	}
	code := m.Run()
	os.Stdout = stdout
	w.Close()
	<-done
	r.Close()
	if code != 0 && len(res.failed) == 0 {
		res.failed = append(res.failed, "conformance")
	}
	return res, nil
}

// relay turns the verbose test output into a line per check, each
// failing one followed by what it logged.
func relay(r io.Reader, out io.Writer) (checks int, failed []string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	current := ""
	logs := make(map[string][]string)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "=== RUN   conformance/"):
			current = strings.TrimPrefix(line, "=== RUN   conformance/")
		case line == "", line == "PASS", line == "FAIL", strings.HasPrefix(line, "=== "),
			strings.HasPrefix(line, "--- PASS: conformance ("), strings.HasPrefix(line, "testing: warning"):
		case strings.HasPrefix(line, "--- FAIL: conformance ("):
			for _, l := range logs[""] { // the suite itself failed (Describe)
				fmt.Fprintf(out, "FAIL  describe\n      %s\n", l)
				failed = append(failed, "describe")
			}
		case strings.HasPrefix(line, "--- PASS: conformance/"):
			checks++
			fmt.Fprintf(out, "PASS  %s\n", checkName(line, "--- PASS: conformance/"))
		case strings.HasPrefix(line, "--- FAIL: conformance/"):
			checks++
			n := checkName(line, "--- FAIL: conformance/")
			failed = append(failed, n)
			fmt.Fprintf(out, "FAIL  %s\n", n)
			for _, l := range logs[n] {
				fmt.Fprintf(out, "      %s\n", l)
			}
		default:
			if len(line) > 500 {
				line = line[:500] + "…"
			}
			logs[current] = append(logs[current], line)
		}
	}
	return checks, failed
}

func checkName(line, prefix string) string {
	n := strings.TrimPrefix(line, prefix)
	if i := strings.Index(n, " ("); i >= 0 {
		n = n[:i]
	}
	return n
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

// mainDeps is what testing.MainStart needs to run tests outside `go test`:
// name matching that accepts every test, and no profiles, logs, coverage
// or fuzzing.
type mainDeps struct{}

func (mainDeps) ImportPath() string                          { return "waooaw/template-check" }
func (mainDeps) ModulePath() string                          { return "" }
func (mainDeps) MatchString(pat, str string) (bool, error)   { return true, nil }
func (mainDeps) SetPanicOnExit0(bool)                        {}
func (mainDeps) StartCPUProfile(io.Writer) error             { return errors.New("no profiles") }
func (mainDeps) StopCPUProfile()                             {}
func (mainDeps) StartTestLog(io.Writer)                      {}
func (mainDeps) StopTestLog() error                          { return nil }
func (mainDeps) WriteProfileTo(string, io.Writer, int) error { return errors.New("no profiles") }
func (mainDeps) CoordinateFuzzing(time.Duration, int64, time.Duration, int64, int, []corpusEntry, []reflect.Type, string, string) error {
	return errors.New("no fuzzing")
}
func (mainDeps) RunFuzzWorker(func(corpusEntry) error) error { return errors.New("no fuzzing") }
func (mainDeps) ReadCorpus(string, []reflect.Type) ([]corpusEntry, error) {
	return nil, errors.New("no fuzzing")
}
func (mainDeps) CheckCorpus([]any, []reflect.Type) error { return nil }
func (mainDeps) ResetCoverage()                          {}
func (mainDeps) SnapshotCoverage()                       {}
func (mainDeps) InitRuntimeCoverage() (string, func(string, string) (string, error), func() float64) {
	return "", nil, nil
}

// corpusEntry is testing's (an alias of an unnamed struct, so it can be
// spelled here).
type corpusEntry = struct {
	Parent     string
	Path       string
	Data       []byte
	Values     []any
	Generation int
	IsSeed     bool
}
