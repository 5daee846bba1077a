package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/factory/plugin/internal/wire"
	"github.com/waooaw/waooaw-go/factory/template"
)

// Host is a template.Source backed by plugin processes. Build it with
// NewHost and Close it when done: Close kills every plugin process.
//
// A Host is safe for concurrent use. Its templates are loaded once, by
// NewHost; a plugin whose process exits is started again by the next call
// to its template, from the copy of the executable NewHost verified. One
// start runs at a time per plugin and the calls that need it wait for it,
// each no longer than its own deadline. A call that runs out of time fails
// with ErrDeadline and leaves the process serving (or starting for) other
// calls.
type Host struct {
	procs    map[string]*proc // by template id; fixed after NewHost
	descs    []template.Description
	loadErrs []error
	privDir  string // 0700: the plugins' sockets and the copies of their executables

	mu     sync.Mutex
	closed bool
}

var _ template.Source = (*Host)(nil)

// loadTimeout is the least time NewHost gives a plugin to start and
// describe itself: the first start of a process may be slow on a busy
// machine, and a short call timeout should not make loading fail.
const loadTimeout = 10 * time.Second

// templateID is what a plugin's template id may look like: it ends up in
// URLs and file names.
var templateID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

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
// until the next NewHost. On Linux the copy is unlinked as soon as it is
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
	h := &Host{procs: make(map[string]*proc)}
	if dir == "" {
		return h, nil
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("plugin: plugin directory: %w", err)
	}
	if cfg.requirePins {
		if err := checkDirPerms(dir); err != nil {
			return nil, err
		}
	}
	pins, err := readPins(dir)
	if err != nil {
		return nil, err
	}
	cands, err := discover(dir)
	if err != nil {
		return nil, err
	}
	builtins := make(map[string]template.Description)
	if cfg.builtins != nil {
		ds, err := cfg.builtins.List(ctx)
		if err != nil {
			return nil, fmt.Errorf("plugin: list built-in templates: %w", err)
		}
		for _, d := range ds {
			builtins[d.TemplateID] = d
		}
	}
	if len(cands) == 0 {
		return h, nil
	}
	if h.privDir, err = os.MkdirTemp(socketBase(), "waooaw-plugins-"); err != nil {
		return nil, fmt.Errorf("plugin: private directory: %w", err)
	}

	env := childEnv(cfg.env)
	loaded := make([]*proc, len(cands))
	errs := make([]error, len(cands))
	var wg sync.WaitGroup
	for i, c := range cands {
		if c.err != nil {
			errs[i] = c.err
			continue
		}
		wg.Go(func() {
			loaded[i], errs[i] = load(ctx, c, pins, &cfg, env, h.privDir)
		})
	}
	wg.Wait()

	owner := make(map[string]string) // template id → file of the plugin that has it
	for i, p := range loaded {
		if errs[i] != nil {
			h.loadErrs = append(h.loadErrs, errs[i])
			continue
		}
		id := p.desc.TemplateID
		if b, ok := builtins[id]; ok {
			h.loadErrs = append(h.loadErrs, fmt.Errorf("plugin %s: not loaded: its template id %q is the id of the built-in template %q (%s); give the plugin's template another id",
				p.file, id, b.TemplateID, b.Name))
			p.close()
			continue
		}
		if other, ok := owner[id]; ok {
			h.loadErrs = append(h.loadErrs, fmt.Errorf("plugin %s: not loaded: its template id %q is already the id of plugin %s; give one of them another id",
				p.file, id, other))
			p.close()
			continue
		}
		owner[id] = p.file
		h.procs[id] = p
		h.descs = append(h.descs, p.desc)
	}
	slices.SortFunc(h.descs, func(a, b template.Description) int { return strings.Compare(a.TemplateID, b.TemplateID) })
	return h, nil
}

// load copies a candidate into the host's private directory, checks the
// copy's pin, starts it and describes it.
func load(ctx context.Context, c candidate, pins map[string]digest, cfg *hostConfig, env []string, privDir string) (*proc, error) {
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
	p := &proc{exe: exe, file: c.file, cfg: cfg, env: env, sockDir: privDir}
	ctx, cancel := context.WithTimeout(ctx, p.startTimeout())
	defer cancel()
	inst, err := p.instance(ctx)
	if err != nil {
		p.close()
		return nil, fmt.Errorf("%s: not loaded: %w", p.who(), err)
	}
	d, err := inst.rpc.Describe(ctx)
	if err == nil && !templateID.MatchString(d.TemplateID) {
		err = fmt.Errorf("template_id %q is not an id (letters, digits, '.', '_', '-'; at most 100)", d.TemplateID)
	}
	if err != nil {
		p.close()
		return nil, fmt.Errorf("%s: not loaded: %w", p.who(), wire.MapError("describe", err))
	}
	p.desc = d
	return p, nil
}

// LoadErrors says which plugins NewHost did not load and why, one error per
// plugin, in file name order. Errors of refused pins, id clashes and
// failures to start are among them.
func (h *Host) LoadErrors() []error {
	return slices.Clone(h.loadErrs)
}

// List describes the plugins' templates, ordered by template id. The
// descriptions are those the plugins gave when loaded.
func (h *Host) List(ctx context.Context) ([]template.Description, error) {
	if err := h.usable(ctx); err != nil {
		return nil, fmt.Errorf("plugin: list: %w", err)
	}
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
	p, ok := h.procs[id]
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

// Close kills every plugin process, those still starting included (it does
// not wait for a start to finish), and removes their sockets and the copies
// of their executables. Calls to the host's templates then fail with
// ErrUnavailable. Close is idempotent.
func (h *Host) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range h.procs {
		wg.Go(p.close)
	}
	wg.Wait()
	if h.privDir != "" {
		if err := os.RemoveAll(h.privDir); err != nil {
			return fmt.Errorf("plugin: close: remove the private directory: %w", err)
		}
	}
	return nil
}

// remote is a plugin's template as the host's callers see it.
type remote struct{ p *proc }

// Describe returns the description the plugin gave when loaded.
func (r remote) Describe(ctx context.Context) (template.Description, error) {
	if err := ctx.Err(); err != nil {
		return template.Description{}, err
	}
	return cloneDescription(r.p.desc), nil
}

// Validate calls the plugin's Validate.
func (r remote) Validate(ctx context.Context, config json.RawMessage) ([]template.Issue, error) {
	var issues []template.Issue
	err := r.p.call(ctx, "validate", func(ctx context.Context, c *wire.Client) error {
		var err error
		issues, err = c.Validate(ctx, config)
		return err
	})
	return issues, err
}

// Render calls the plugin's Render.
func (r remote) Render(ctx context.Context, req template.RenderRequest) (template.Spec, error) {
	var spec template.Spec
	err := r.p.call(ctx, "render", func(ctx context.Context, c *wire.Client) error {
		var err error
		spec, err = c.Render(ctx, req)
		return err
	})
	return spec, err
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
