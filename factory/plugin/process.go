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
	exe     *executable // the private, verified copy; released by close
	file    string
	cfg     *hostConfig
	env     []string // the allowlisted part of the plugin's environment
	sockDir string
	sum     digest                 // of the executable
	desc    template.Description   // set once loaded
	schema  *template.ConfigSchema // desc's config schema, compiled

	mu       sync.Mutex
	cur      *instance
	starting *startup // the start in progress, if any
	closed   bool
	crashes  int       // processes in a row that exited in a call or failed to start
	notUntil time.Time // no start before then (crash-loop back-off)
}

// Crash-loop back-off: after crashFree processes in a row that exited
// during a call or failed to start, the next start waits crashBackoff,
// doubled for every further crash up to maxCrashBackoff. Calls meanwhile
// fail at once with ErrUnavailable; a call that succeeds resets the count.
const (
	crashFree       = 2
	crashBackoff    = time.Second
	maxCrashBackoff = 30 * time.Second
)

// crashed counts a process that exited in a call or failed to start.
func (p *proc) crashed() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.crashes++
	if n := p.crashes - crashFree; n > 0 {
		d := crashBackoff
		for i := 1; i < n && d < maxCrashBackoff; i++ {
			d *= 2
		}
		p.notUntil = time.Now().Add(min(d, maxCrashBackoff))
	}
}

// served resets the crash count after a call the process answered.
func (p *proc) served() {
	p.mu.Lock()
	p.crashes, p.notUntil = 0, time.Time{}
	p.mu.Unlock()
}

// startup is a start of a process in progress. There is at most one per
// plugin at a time; calls that need a process wait for it, each no longer
// than its own deadline, and a start outlives the calls that gave up on it
// (the next call finds the process ready).
type startup struct {
	inst *instance
	done chan struct{} // closed when the start has ended
	err  error         // why it failed; set before done is closed
}

// instance is one plugin process.
type instance struct {
	client *goplugin.Client
	rpc    *wire.Client // set once started
	tail   *tailWriter
	once   sync.Once
	// retired: the process was found gone and counted as a crash; guarded
	// by the plugin's mu.
	retired bool

	mu      sync.Mutex
	run     *cmdRunner // set when go-plugin creates the process
	stopped bool       // stop was called: the process must not start
}

// runner is the process's runner, nil before go-plugin creates it.
func (i *instance) runner() *cmdRunner {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.run
}

// stop kills the process, or keeps it from starting, and returns at once;
// it may run while the process is being started (go-plugin's handshake
// then fails at once, as the process is gone).
func (i *instance) stop() {
	i.mu.Lock()
	i.stopped = true
	r := i.run
	i.mu.Unlock()
	if r != nil {
		_ = r.Kill(context.Background())
	}
}

// kill ends the process at once (a template holds no state worth a graceful
// stop) and lets go-plugin release its goroutines and socket directory. It
// must not run while the process is being started: go-plugin's Kill waits
// for the start to end.
func (i *instance) kill() {
	i.once.Do(func() {
		i.stop()
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

// startTimeout is how long a start of a plugin's process may take: the
// process must answer go-plugin's handshake in that time.
func (p *proc) startTimeout() time.Duration { return max(p.cfg.timeout, loadTimeout) }

// newInstance makes the instance a start fills in.
func (p *proc) newInstance() *instance {
	var out io.Writer
	if p.cfg.stderr != nil {
		out = &prefixWriter{prefix: p.file + ": ", w: p.cfg.stderr}
	}
	return &instance{tail: newTailWriter(out)}
}

// start runs a new process of the plugin's private copy in inst and
// connects to it; inst.stop aborts it. Its errors do not name the plugin.
func (p *proc) start(inst *instance) error {
	certPEM, tlsCfg, err := clientTLS()
	if err != nil {
		return fmt.Errorf("start: %w: mutual TLS: %v", ErrUnavailable, err)
	}
	inst.client = goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig: wire.Handshake(),
		VersionedPlugins: map[int]goplugin.PluginSet{ // the negotiation window
			wire.ProtocolVersion:         {wire.PluginName: &wire.Plugin{}},
			wire.PreviousProtocolVersion: {wire.PluginName: &wire.Plugin{}},
		},
		RunnerFunc: func(_ hclog.Logger, cmd *exec.Cmd, _ string) (runner.Runner, error) {
			// cmd carries go-plugin's variables only (SkipHostEnv).
			env := append(append(p.env[:len(p.env):len(p.env)], cmd.Env...),
				wire.WatchEnv+"=stdin", "PLUGIN_CLIENT_CERT="+string(certPEM))
			r, err := newCmdRunner(p.exe, filepath.Dir(p.exe.argv0), env)
			if err != nil {
				return nil, err
			}
			inst.mu.Lock()
			defer inst.mu.Unlock()
			if inst.stopped {
				return nil, errKilled
			}
			inst.run = r
			return r, nil
		},
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		TLSConfig:        tlsCfg, // mutual TLS as AutoMTLS does it; see clientTLS
		SkipHostEnv:      true,
		StartTimeout:     p.startTimeout(),
		Stderr:           inst.tail,
		SyncStderr:       inst.tail, // what the plugin writes to os.Stderr once serving (go-plugin forwards it)
		Logger:           pluginLogger(p.cfg.logger, p.file),
		GRPCDialOptions:  wire.DialOptions(),
		UnixSocketConfig: &goplugin.UnixSocketConfig{TempDir: p.sockDir},
	})
	cp, err := inst.client.Client()
	if err != nil {
		inst.kill()
		return p.startError(err, inst.tail)
	}
	raw, err := cp.Dispense(wire.PluginName)
	if err != nil {
		inst.kill()
		return fmt.Errorf("start: %w: %v", ErrUnavailable, err)
	}
	inst.rpc = raw.(*wire.Client)
	return nil
}

// versionMismatch matches go-plugin's error for a plugin that speaks no
// protocol version the host speaks.
var versionMismatch = regexp.MustCompile(`incompatible API version with plugin\. Plugin version: (-?\d+)`)

func (p *proc) startError(err error, tail *tailWriter) error {
	if m := versionMismatch.FindStringSubmatch(err.Error()); m != nil {
		return fmt.Errorf("start: %w: plugin speaks template protocol %s, host speaks %d-%d; rebuild the plugin with a waooaw-go release that speaks protocol %d (or %d)",
			ErrUnavailable, m[1], wire.PreviousProtocolVersion, wire.ProtocolVersion, wire.ProtocolVersion, wire.PreviousProtocolVersion)
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

// errClosed is the error of calls to a closed host's plugins.
var errClosed = fmt.Errorf("%w: the host is closed, or a reload unloaded the plugin (get the template again)", ErrUnavailable)

// instance returns the running process, starting one if there is none or
// the last one exited. It waits for the start no longer than ctx allows; a
// start that ctx gave up on goes on, for later calls. Its errors do not
// name the plugin; callers do.
func (p *proc) instance(ctx context.Context) (*instance, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errClosed
	}
	cur := p.cur
	if cur != nil && !cur.client.Exited() {
		p.mu.Unlock()
		return cur, nil
	}
	p.cur = nil
	s := p.starting
	if s == nil && time.Now().Before(p.notUntil) {
		wait, n := time.Until(p.notUntil).Round(time.Millisecond), p.crashes
		p.mu.Unlock()
		if cur != nil {
			cur.kill()
		}
		return nil, fmt.Errorf("start: %w: the plugin crashed %d times in a row; the host starts it again in %s (back-off)", ErrUnavailable, n, wait)
	}
	if s == nil && ctx.Err() == nil {
		s = &startup{inst: p.newInstance(), done: make(chan struct{})}
		p.starting = s
		go p.runStart(s)
	}
	p.mu.Unlock()
	if cur != nil {
		cur.kill() // it exited; release what go-plugin holds for it
	}
	if s == nil { // ctx ended before anything started
		return nil, startWaitError(ctx, "")
	}
	select {
	case <-s.done:
		if s.err != nil {
			return nil, s.err
		}
		return s.inst, nil
	case <-ctx.Done():
		return nil, startWaitError(ctx, ": the plugin process was not ready in time (it is still starting)")
	}
}

// startWaitError is the error of a call whose ctx ended before a process
// was ready for it.
func startWaitError(ctx context.Context, why string) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("start: %w%s", context.Canceled, why)
	}
	return fmt.Errorf("start: %w%s", ErrDeadline, why)
}

// runStart runs s and makes its process the plugin's current one, unless
// the plugin was closed meanwhile: then the process is killed.
func (p *proc) runStart(s *startup) {
	err := p.start(s.inst)
	if err != nil && !errors.Is(err, ErrDeadline) {
		p.crashed()
	}
	p.mu.Lock()
	p.starting = nil
	closed := p.closed
	if err == nil && !closed {
		p.cur = s.inst
	}
	p.mu.Unlock()
	if closed {
		if err == nil {
			s.inst.kill()
		}
		err = errClosed
	}
	s.err = err
	close(s.done)
}

// retire drops inst after a failure that means its process is gone, so the
// next call starts a fresh one. The first call to retire a process counts
// it as a crash.
func (p *proc) retire(inst *instance) {
	p.mu.Lock()
	first := !inst.retired
	inst.retired = true
	if p.cur == inst {
		p.cur = nil
	}
	p.mu.Unlock()
	if first {
		p.crashed()
	}
	inst.kill()
}

// close kills the process for good and releases the private copy of the
// executable. It does not wait for a start in progress to finish: it kills
// that process (or keeps it from starting), then waits only for the start
// to notice, which takes as long as a killed process takes to go.
func (p *proc) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	inst, s := p.cur, p.starting
	p.cur, p.closed = nil, true
	p.mu.Unlock()
	if s != nil {
		s.inst.stop()
	}
	if inst != nil {
		inst.kill()
	}
	if s != nil {
		<-s.done
	}
	p.exe.release()
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
		p.served()
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
	p.served() // the process answered, if with an error
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
