package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	hclog "github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"github.com/hashicorp/go-plugin/runner"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/waooaw/waooaw-go/factory/plugin/internal/wire"
	"github.com/waooaw/waooaw-go/factory/template"
)

// proc is one loaded plugin: its executable, what it said about itself, and
// the process currently serving it (none after a crash, until the next call).
type proc struct {
	path    string
	file    string
	sum     digest // of the executable when it was loaded
	cfg     *hostConfig
	env     []string // the allowlisted part of the plugin's environment
	sockDir string
	desc    template.Description // set once loaded

	mu      sync.Mutex
	cur     *instance
	closed  bool
	started bool // a process was started before
}

// instance is one running plugin process.
type instance struct {
	client *goplugin.Client
	run    *cmdRunner // set when go-plugin starts the process
	rpc    *wire.Client
	tail   *tailWriter
	once   sync.Once
}

// kill ends the process at once (a template holds no state worth a graceful
// stop) and lets go-plugin release its goroutines and socket directory.
func (i *instance) kill() {
	i.once.Do(func() {
		if i.run != nil {
			_ = i.run.Kill(context.Background())
		}
		i.client.Kill()
	})
}

// who names the plugin in errors.
func (p *proc) who() string {
	if p.desc.TemplateID == "" {
		return "plugin " + p.file
	}
	return fmt.Sprintf("plugin %s (template %s)", p.file, p.desc.TemplateID)
}

// start runs a new process of the plugin, after checking that the
// executable is still the one loaded. p.mu is held.
func (p *proc) start(ctx context.Context) (*instance, error) {
	timeout := max(p.cfg.timeout, loadTimeout)
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
	}
	if err := ctx.Err(); err != nil || timeout <= 0 {
		return nil, fmt.Errorf("start: %w", ErrDeadline)
	}
	if p.started {
		// A restart: the executable must still be the one loaded (the
		// first start follows the pin check at once).
		sum, err := fileSHA256(p.path)
		if err != nil {
			return nil, fmt.Errorf("start: %w: %v", ErrUnavailable, err)
		}
		if sum != p.sum {
			return nil, fmt.Errorf("start: %w: its sha256 is now %x but was %x when the host loaded it; refusing to run a changed executable (restart the host to load it)",
				ErrUnavailable, sum, p.sum)
		}
	}
	p.started = true
	certPEM, tlsCfg, err := clientTLS()
	if err != nil {
		return nil, fmt.Errorf("start: %w: mutual TLS: %v", ErrUnavailable, err)
	}
	inst := &instance{tail: newTailWriter(p.cfg.stderr)}
	inst.client = goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: wire.Handshake(),
		VersionedPlugins: map[int]goplugin.PluginSet{
			wire.ProtocolVersion: {wire.PluginName: &wire.Plugin{}},
		},
		RunnerFunc: func(_ hclog.Logger, cmd *exec.Cmd, _ string) (runner.Runner, error) {
			// cmd carries go-plugin's variables only (SkipHostEnv).
			env := append(append(p.env[:len(p.env):len(p.env)], cmd.Env...),
				wire.WatchEnv+"=stdin", "PLUGIN_CLIENT_CERT="+string(certPEM))
			r, err := newCmdRunner(p.path, filepath.Dir(p.path), env)
			inst.run = r
			return r, err
		},
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		TLSConfig:        tlsCfg, // mutual TLS as AutoMTLS does it; see clientTLS
		SkipHostEnv:      true,
		StartTimeout:     timeout,
		Stderr:           inst.tail,
		Logger:           hclog.NewNullLogger(),
		GRPCDialOptions:  wire.DialOptions(),
		UnixSocketConfig: &goplugin.UnixSocketConfig{TempDir: p.sockDir},
	})
	cp, err := inst.client.Client()
	if err != nil {
		inst.kill()
		return nil, p.startError(err, inst.tail)
	}
	raw, err := cp.Dispense(wire.PluginName)
	if err != nil {
		inst.kill()
		return nil, fmt.Errorf("start: %w: %v", ErrUnavailable, err)
	}
	inst.rpc = raw.(*wire.Client)
	return inst, nil
}

// versionMismatch matches go-plugin's error for a plugin that speaks no
// protocol version the host speaks.
var versionMismatch = regexp.MustCompile(`incompatible API version with plugin\. Plugin version: (-?\d+)`)

func (p *proc) startError(err error, tail *tailWriter) error {
	if m := versionMismatch.FindStringSubmatch(err.Error()); m != nil {
		return fmt.Errorf("start: %w: plugin speaks template protocol %s, host speaks %d; rebuild the plugin with a waooaw-go release that speaks protocol %d",
			ErrUnavailable, m[1], wire.ProtocolVersion, wire.ProtocolVersion)
	}
	var lines []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	msg := strings.Join(lines, "; ")
	if t := tail.lastLines(3); t != "" {
		msg += "; its stderr ended with: " + t
	}
	kind := ErrUnavailable
	if strings.Contains(err.Error(), "timeout while waiting for plugin to start") {
		kind = ErrDeadline // no handshake before the call's (or the load's) deadline
	}
	return fmt.Errorf("start: %w: %s", kind, msg)
}

// instance returns the running process, starting one if there is none or
// the last one exited. Its errors do not name the plugin; callers do.
func (p *proc) instance(ctx context.Context) (*instance, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, fmt.Errorf("%w: the host is closed", ErrUnavailable)
	}
	if p.cur != nil && !p.cur.client.Exited() {
		return p.cur, nil
	}
	if p.cur != nil {
		p.cur.kill()
		p.cur = nil
	}
	inst, err := p.start(ctx)
	if err != nil {
		return nil, err
	}
	p.cur = inst
	return inst, nil
}

// retire drops inst after a failure that means its process is gone, so the
// next call starts a fresh one.
func (p *proc) retire(inst *instance) {
	p.mu.Lock()
	if p.cur == inst {
		p.cur = nil
	}
	p.mu.Unlock()
	inst.kill()
}

// close kills the process for good.
func (p *proc) close() {
	p.mu.Lock()
	inst := p.cur
	p.cur, p.closed = nil, true
	p.mu.Unlock()
	if inst != nil {
		inst.kill()
	}
}

// call runs fn against the plugin with the host's deadline and classifies
// its failure.
func (p *proc) call(ctx context.Context, method string, fn func(context.Context, *wire.Client) error) error {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.timeout)
	defer cancel()
	inst, err := p.instance(ctx)
	if err != nil {
		return fmt.Errorf("%s: %s: %w", p.who(), method, err)
	}
	err = fn(ctx, inst.rpc)
	if err == nil {
		return nil
	}
	code := status.Code(err)
	switch {
	case code == codes.Unavailable || inst.client.Exited():
		p.retire(inst)
		return fmt.Errorf("%s: %s: %w: the plugin process stopped during the call (%s); the next call starts a fresh one",
			p.who(), method, ErrUnavailable, status.Convert(err).Message())
	case code == codes.DeadlineExceeded || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s: %s: %w: no answer in time (the host allows %s per call)",
			p.who(), method, ErrDeadline, p.cfg.timeout)
	}
	return fmt.Errorf("%s: %w", p.who(), wire.MapError(method, err))
}

// tailWriter keeps the end of a plugin's stderr for error messages and
// copies everything to out, if set.
type tailWriter struct {
	out io.Writer
	mu  sync.Mutex
	buf []byte
}

const tailBytes = 4 << 10

func newTailWriter(out io.Writer) *tailWriter { return &tailWriter{out: out} }

func (t *tailWriter) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.out != nil {
		_, _ = t.out.Write(b)
	}
	t.buf = append(t.buf, b...)
	if len(t.buf) > tailBytes {
		t.buf = append(t.buf[:0:0], t.buf[len(t.buf)-tailBytes:]...)
	}
	return len(b), nil
}

// lastLines is the last n non-empty lines, joined with " | ".
func (t *tailWriter) lastLines(n int) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var lines []string
	for _, l := range strings.Split(string(t.buf), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// lockedWriter serializes writes of several plugins to one writer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// childEnv is the allowlisted part of a plugin's environment.
func childEnv(names []string) []string {
	var env []string
	seen := make(map[string]bool)
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		if v, ok := os.LookupEnv(n); ok {
			env = append(env, n+"="+v)
		}
	}
	return env
}
