package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/waooaw/waooaw-go/factory/plugin/internal/wire"
	"github.com/waooaw/waooaw-go/factory/template"
)

// Host is a template.Source backed by plugin processes. Build it with
// NewHost and Close it when done: Close kills every plugin process.
//
// A Host is safe for concurrent use. Its templates are loaded by NewHost,
// and again by Reload (or WithWatch); a plugin whose process exits is
// started again by the next call to its template, from the copy of the
// executable the load verified. One
// start runs at a time per plugin and the calls that need it wait for it,
// each no longer than its own deadline. A call that runs out of time fails
// with ErrDeadline and leaves the process serving (or starting for) other
// calls.
type Host struct {
	dir      string // absolute; "" when the host has no plugin directory
	cfg      hostConfig
	env      []string
	builtins map[string]template.Description

	reloadMu sync.Mutex // one load of the directory at a time

	mu       sync.Mutex
	procs    map[string]*proc // by template id; replaced by Reload
	descs    []template.Description
	loadErrs []error
	privDir  string // 0700: the plugins' sockets and the copies of their executables
	closed   bool
	stop     chan struct{} // closed by Close: ends Watch
	watching sync.WaitGroup
}

var _ template.Source = (*Host)(nil)

// loadTimeout is the least time NewHost gives a plugin to start (the
// go-plugin handshake): the first start of a process may be slow on a busy
// machine, and a short call timeout should not make loading fail.
const loadTimeout = 10 * time.Second

// NewHost loads the template plugins of a directory: WithDir, else
// $WAOOAW_PLUGIN_DIR; with neither, the host has no templates. It never
// looks on $PATH or in the working directory.
//
// Candidates are the executable files named waooaw-template-*; the file
// name only selects them, a template's id is what its Describe says. A
// candidate may be a symbolic link to a file inside the plugin directory (a
// subdirectory included); a link to a file outside it is refused.
//
// Before anything runs, each candidate is opened once and copied into the
// host's private directory (mode 0700, in the temporary directory, which
// must allow executing files), hashed as it is copied, and the hash is
// checked against SHA256SUMS in the directory: a listed file whose hash
// differs is refused (the error has both hashes); an unlisted file loads
// unless WithRequirePins. The host only ever executes that verified copy,
// on the first start and on every restart: replacing, changing or
// retargeting the file in the plugin directory afterwards has no effect
// until the next NewHost or Reload. On Linux the copy is unlinked as soon as it is
// made and executed through /proc/self/fd, so a host that dies leaves no
// copy behind; elsewhere it stays in the private directory until Close. A
// plugin process sees its path in the plugin directory as its argv[0].
//
// With WithRequirePins, a plugin directory or SHA256SUMS that group or
// others may write makes NewHost fail, and a candidate that group or others
// may write is refused.
//
// Each plugin runs with mutual TLS, only an allowlist of environment
// variables (see WithEnv) and the template protocol version negotiated, in
// the plugin directory as its working directory; it is described and kept
// running. A plugin whose template id is a built-in's (see WithBuiltins) or
// an earlier plugin's, in file name order, is not loaded.
//
// A plugin that cannot be loaded does not stop the others: NewHost returns
// a usable host and LoadErrors says what was not loaded and why. NewHost
// returns an error, and no host, for bad options, a directory it cannot
// read, a SHA256SUMS it cannot parse, or (with WithRequirePins) a directory
// or SHA256SUMS others may write.
func NewHost(ctx context.Context, opts ...HostOption) (*Host, error) {
	cfg := hostConfig{timeout: DefaultCallTimeout, env: slices.Clone(defaultEnv)}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.stderr != nil {
		cfg.stderr = &lockedWriter{w: cfg.stderr}
	}
	dir := cfg.dir
	if !cfg.dirSet {
		dir = os.Getenv(DirEnv)
	}
	h := &Host{procs: make(map[string]*proc), stop: make(chan struct{})}
	if dir == "" {
		return h, nil
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("plugin: plugin directory: %w", err)
	}
	h.dir, h.cfg, h.env = dir, cfg, childEnv(cfg.env)
	h.builtins = make(map[string]template.Description)
	if cfg.builtins != nil {
		ds, err := cfg.builtins.List(ctx)
		if err != nil {
			return nil, fmt.Errorf("plugin: list built-in templates: %w", err)
		}
		for _, d := range ds {
			h.builtins[d.TemplateID] = d
		}
	}
	procs, errs, err := h.loadDir(ctx, nil)
	if err != nil {
		h.removePrivDir()
		return nil, err
	}
	h.install(procs, errs)
	if cfg.watch > 0 {
		h.watching.Add(1)
		go h.watch(cfg.watch)
	}
	return h, nil
}

// install makes procs the host's plugins.
func (h *Host) install(procs map[string]*proc, errs []error) {
	descs := make([]template.Description, 0, len(procs))
	for _, p := range procs {
		descs = append(descs, p.desc)
	}
	slices.SortFunc(descs, func(a, b template.Description) int { return strings.Compare(a.TemplateID, b.TemplateID) })
	h.mu.Lock()
	h.procs, h.descs, h.loadErrs = procs, descs, errs
	h.mu.Unlock()
}

// loadDir loads the plugins of the directory. A candidate whose file name
// and hash are those of a plugin in old keeps that plugin (and its
// process); the others are loaded afresh. It returns the plugins by
// template id and the errors of those not loaded.
func (h *Host) loadDir(ctx context.Context, old map[string]*proc) (map[string]*proc, []error, error) {
	cfg := &h.cfg
	if cfg.requirePins {
		if err := checkDirPerms(h.dir); err != nil {
			return nil, nil, err
		}
	}
	pins, err := readPins(h.dir)
	if err != nil {
		return nil, nil, err
	}
	cands, err := discover(h.dir)
	if err != nil {
		return nil, nil, err
	}
	procs := make(map[string]*proc)
	if len(cands) == 0 {
		return procs, nil, nil
	}
	privDir, err := h.privateDir()
	if err != nil {
		return nil, nil, err
	}
	byFile := make(map[string]*proc, len(old))
	for _, p := range old {
		byFile[p.file] = p
	}
	loaded := make([]*proc, len(cands))
	errs := make([]error, len(cands))
	var wg sync.WaitGroup
	for i, c := range cands {
		if c.err != nil {
			errs[i] = c.err
			continue
		}
		wg.Go(func() {
			loaded[i], errs[i] = load(ctx, c, pins, cfg, h.env, privDir, byFile[c.file])
		})
	}
	wg.Wait()

	var loadErrs []error
	owner := make(map[string]string) // template id → file of the plugin that has it
	for i, p := range loaded {
		if errs[i] != nil {
			loadErrs = append(loadErrs, errs[i])
			continue
		}
		id := p.desc.TemplateID
		if b, ok := h.builtins[id]; ok {
			loadErrs = append(loadErrs, fmt.Errorf("plugin %s: not loaded: its template id %q is the id of the built-in template %q (%s); give the plugin's template another id",
				p.file, id, b.TemplateID, b.Name))
			if byFile[p.file] != p {
				p.close()
			}
			continue
		}
		if other, ok := owner[id]; ok {
			loadErrs = append(loadErrs, fmt.Errorf("plugin %s: not loaded: its template id %q is already the id of plugin %s; give one of them another id",
				p.file, id, other))
			if byFile[p.file] != p {
				p.close()
			}
			continue
		}
		owner[id] = p.file
		procs[id] = p
		if byFile[p.file] != p && cfg.logger != nil {
			cfg.logger.Info("plugin loaded", "template_id", id, "version", p.desc.Version,
				"path", p.exe.argv0, "sha256", fmt.Sprintf("%x", p.sum))
		}
	}
	return procs, loadErrs, nil
}

// privateDir makes the host's private directory, once.
func (h *Host) privateDir() (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.privDir == "" {
		dir, err := os.MkdirTemp(socketBase(), "waooaw-plugins-")
		if err != nil {
			return "", fmt.Errorf("plugin: private directory: %w", err)
		}
		h.privDir = dir
	}
	return h.privDir, nil
}

func (h *Host) removePrivDir() {
	h.mu.Lock()
	dir := h.privDir
	h.mu.Unlock()
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
}

// load copies a candidate into the host's private directory, checks the
// copy's pin, starts it and describes it, checking the description. When
// the copy has the hash of prev (the plugin this file was), prev is kept.
func load(ctx context.Context, c candidate, pins map[string]digest, cfg *hostConfig, env []string, privDir string, prev *proc) (*proc, error) {
	exe, sum, err := privateCopy(c, privDir, cfg.requirePins, cfg.copyOnDisk)
	if err != nil {
		if r := (refusedError{}); errors.As(err, &r) {
			return nil, fmt.Errorf("plugin %s: refused: %w", c.file, r.error)
		}
		return nil, fmt.Errorf("plugin %s: not loaded: %w", c.file, err)
	}
	if want, ok := pins[c.file]; ok && want != sum {
		exe.release()
		return nil, fmt.Errorf("plugin %s: refused: its sha256 is %x but %s pins %x; replace the file or update %s",
			c.file, sum, PinsFile, want, PinsFile)
	} else if !ok && cfg.requirePins {
		exe.release()
		return nil, fmt.Errorf("plugin %s: refused: it is not listed in %s and the host requires pins; add its line (sha256sum %s >> %s)",
			c.file, PinsFile, c.file, PinsFile)
	}
	if prev != nil && prev.sum == sum {
		exe.release()
		return prev, nil
	}
	p := &proc{exe: exe, file: c.file, sum: sum, cfg: cfg, env: env, sockDir: privDir}
	startCtx, cancel := context.WithTimeout(ctx, p.startTimeout())
	defer cancel()
	inst, err := p.instance(startCtx)
	if err != nil {
		p.close()
		return nil, fmt.Errorf("%s: not loaded: %w", p.who(), err)
	}
	descCtx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	d, err := inst.rpc.Describe(descCtx)
	if err != nil {
		p.close()
		if descCtx.Err() != nil && ctx.Err() == nil || status.Code(err) == codes.DeadlineExceeded {
			return nil, fmt.Errorf("%s: skipped: %w: Describe hung: no answer in %s; fix the plugin's Describe (it must answer at once) or raise the call timeout",
				p.who(), ErrDeadline, cfg.timeout)
		}
		return nil, fmt.Errorf("%s: not loaded: %w", p.who(), wire.MapError("describe", err))
	}
	if err := template.CheckDescription(d, ""); err != nil {
		p.close()
		return nil, fmt.Errorf("%s: not loaded: %w", p.who(), err)
	}
	schema, err := template.CompileConfigSchema(d.ConfigSchema)
	if err != nil { // CheckDescription compiled it already
		p.close()
		return nil, fmt.Errorf("%s: not loaded: %w", p.who(), err)
	}
	p.desc, p.schema = d, schema
	return p, nil
}

// LoadErrors says which plugins the last load (NewHost or Reload) did not
// load and why, one error per plugin, in file name order. Errors of refused
// pins, id clashes, failures to start, a Describe that hung and a
// description that breaks the rules are among them.
func (h *Host) LoadErrors() []error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.loadErrs)
}

// Reload loads the plugin directory again: plugins whose file is unchanged
// (same name, same hash) keep their process; new and changed files are
// loaded; the processes of removed, changed or no longer loadable plugins
// are killed, which fails their calls in flight. Pins and the other rules
// apply as in NewHost. LoadErrors then says what this load did not load.
// The error is for a directory or SHA256SUMS that cannot be read; the
// plugins are then unchanged.
func (h *Host) Reload(ctx context.Context) error {
	if err := h.usable(ctx); err != nil {
		return fmt.Errorf("plugin: reload: %w", err)
	}
	if h.dir == "" {
		return nil
	}
	h.reloadMu.Lock()
	defer h.reloadMu.Unlock()
	h.mu.Lock()
	old := h.procs
	h.mu.Unlock()
	procs, errs, err := h.loadDir(ctx, old)
	if err != nil {
		return fmt.Errorf("plugin: reload: %w", err)
	}
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	kept := make(map[*proc]bool, len(procs))
	for _, p := range procs {
		kept[p] = true
	}
	if closed { // Close waits for this reload: leave it the old plugins, close what this load started
		wasOld := make(map[*proc]bool, len(old))
		for _, p := range old {
			wasOld[p] = true
		}
		for _, p := range procs {
			if !wasOld[p] {
				p.close()
			}
		}
		return fmt.Errorf("plugin: reload: %w: the host is closed", ErrUnavailable)
	}
	h.install(procs, errs)
	for id, p := range old {
		if !kept[p] {
			p.close()
			if h.cfg.logger != nil {
				h.cfg.logger.Info("plugin unloaded", "template_id", id, "path", p.exe.argv0)
			}
		}
	}
	if h.cfg.logger != nil {
		for _, err := range errs {
			h.cfg.logger.Warn("plugin not loaded", "error", err)
		}
	}
	return nil
}

// List describes the plugins' templates, ordered by template id. The
// descriptions are those the plugins gave when loaded.
func (h *Host) List(ctx context.Context) ([]template.Description, error) {
	if err := h.usable(ctx); err != nil {
		return nil, fmt.Errorf("plugin: list: %w", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]template.Description, len(h.descs))
	for i, d := range h.descs {
		out[i] = cloneDescription(d)
	}
	return out, nil
}

// Get returns the template of the plugin whose template id is id; an
// unknown id gives an error matching template.ErrNotFound.
func (h *Host) Get(ctx context.Context, id string) (template.Template, error) {
	if err := h.usable(ctx); err != nil {
		return nil, fmt.Errorf("plugin: get %q: %w", id, err)
	}
	h.mu.Lock()
	p, ok := h.procs[id]
	h.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("plugin: get %q: %w", id, template.ErrNotFound)
	}
	return remote{p}, nil
}

func (h *Host) usable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return fmt.Errorf("%w: the host is closed", ErrUnavailable)
	}
	return nil
}

// Close stops watching the directory, kills every plugin process, those
// still starting included (it does not wait for a start to finish), and
// removes their sockets and the copies of their executables. Calls to the
// host's templates then fail with ErrUnavailable. Close is idempotent.
func (h *Host) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	close(h.stop)
	h.mu.Unlock()
	h.watching.Wait()
	h.reloadMu.Lock() // a reload in progress ends first
	defer h.reloadMu.Unlock()
	h.mu.Lock()
	procs, privDir := h.procs, h.privDir
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Go(p.close)
	}
	wg.Wait()
	if privDir != "" {
		if err := os.RemoveAll(privDir); err != nil {
			return fmt.Errorf("plugin: close: remove the private directory: %w", err)
		}
	}
	return nil
}

// remote is a plugin's template as the host's callers see it. Every answer
// is checked against the rules the built-ins meet before it is handed on.
type remote struct{ p *proc }

// Describe returns the description the plugin gave when loaded.
func (r remote) Describe(ctx context.Context) (template.Description, error) {
	if err := ctx.Err(); err != nil {
		return template.Description{}, err
	}
	return cloneDescription(r.p.desc), nil
}

// Validate checks config against the plugin's published config schema,
// then calls the plugin's Validate and returns the issues of both: a schema
// violation is reported even if the plugin accepts the config.
func (r remote) Validate(ctx context.Context, config json.RawMessage) ([]template.Issue, error) {
	bySchema := r.p.schema.Validate(config)
	var issues []template.Issue
	err := r.p.call(ctx, "validate", func(ctx context.Context, c *wire.Client) error {
		var err error
		issues, err = c.Validate(ctx, config)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := template.CheckIssues(issues); err != nil {
		return nil, fmt.Errorf("%s: %w", r.p.who(), err)
	}
	return template.MergeIssues(bySchema, issues), nil
}

// Render calls the plugin's Render and checks the spec (template.CheckSpec).
func (r remote) Render(ctx context.Context, req template.RenderRequest) (template.Spec, error) {
	var spec template.Spec
	err := r.p.call(ctx, "render", func(ctx context.Context, c *wire.Client) error {
		var err error
		spec, err = c.Render(ctx, req)
		return err
	})
	if err != nil {
		return template.Spec{}, err
	}
	if err := template.CheckSpec(r.p.desc, req, spec); err != nil {
		return template.Spec{}, fmt.Errorf("%s: %w", r.p.who(), err)
	}
	return spec, nil
}

func cloneDescription(d template.Description) template.Description {
	d.ConfigSchema = bytes.Clone(d.ConfigSchema)
	d.DefaultConfig = bytes.Clone(d.DefaultConfig)
	d.RequiredCapabilities = slices.Clone(d.RequiredCapabilities)
	d.OptionalCapabilities = slices.Clone(d.OptionalCapabilities)
	return d
}

// socketBase is where the host's private directory goes: the temporary
// directory, unless its path is so long that the sockets' paths (about 60
// more bytes) would pass the 104 bytes some systems allow.
func socketBase() string {
	if dir := os.TempDir(); len(dir) <= 40 || runtime.GOOS == "windows" {
		return dir
	}
	return "/tmp"
}
