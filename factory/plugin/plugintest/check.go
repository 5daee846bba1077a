package plugintest

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/waooaw/waooaw-go/factory/template"
)

// CheckResult is one check of Conformance, as Check runs it.
type CheckResult struct {
	// Name is the check's name, as Conformance's subtest is named
	// ("describe", "schema", "defaults", …).
	Name string
	// Failures are what the check found wrong, in order; none when it
	// passed.
	Failures []string
}

// Check runs Conformance's checks against tmpl without package testing,
// for tools that check a plugin binary (waooaw template check): a result
// per check, in order. When tmpl cannot even describe itself there is one
// result, "describe", with why.
func Check(ctx context.Context, tmpl template.Template) []CheckResult {
	top := &checker{ctx: ctx, name: "describe"}
	var out []CheckResult
	top.do(func() {
		conformance(top, tmpl, func(name string, check func(checkT)) {
			c := &checker{ctx: ctx, name: name}
			c.do(func() { check(c) })
			out = append(out, c.result())
		})
	})
	if len(top.failures) > 0 {
		out = append(out, top.result())
	}
	return out
}

// checker is a checkT that records failures; Fatal ends its check only.
type checker struct {
	ctx      context.Context
	name     string
	mu       sync.Mutex
	failures []string
}

func (c *checker) Helper()                  {}
func (c *checker) Context() context.Context { return c.ctx }

func (c *checker) Errorf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failures = append(c.failures, fmt.Sprintf(format, args...))
}

func (c *checker) Fatalf(format string, args ...any) {
	c.Errorf(format, args...)
	runtime.Goexit()
}

func (c *checker) Fatal(args ...any) {
	c.Errorf("%s", fmt.Sprint(args...))
	runtime.Goexit()
}

// do runs f in a goroutine of its own, so that Fatal ends f alone; a
// panic in f is a failure.
func (c *checker) do(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				c.Errorf("panic: %v", p)
			}
		}()
		f()
	}()
	<-done
}

func (c *checker) result() CheckResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CheckResult{Name: c.name, Failures: append([]string(nil), c.failures...)}
}
