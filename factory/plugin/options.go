package plugin

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/waooaw/waooaw-go/factory/template"
)

// DirEnv is the environment variable NewHost reads the plugin directory
// from when WithDir is not given.
const DirEnv = "WAOOAW_PLUGIN_DIR"

// DefaultCallTimeout is the deadline of a call to a plugin (a restart of its
// process included) unless WithCallTimeout says otherwise.
const DefaultCallTimeout = 5 * time.Second

// defaultEnv are the environment variables a plugin inherits from its host.
// Anything else (tokens, credentials) stays in the host.
var defaultEnv = []string{"PATH", "TMPDIR", "TZ", "LANG", "LC_ALL", "SYSTEMROOT"}

// HostOption configures NewHost.
type HostOption func(*hostConfig) error

type hostConfig struct {
	dir         string
	dirSet      bool
	builtins    template.Source
	requirePins bool
	timeout     time.Duration
	env         []string
	stderr      io.Writer
	logger      *slog.Logger
	watch       time.Duration // 0: no watching
	copyOnDisk  bool          // tests: keep the private copies on disk even where they could be unlinked
}

// WithDir loads plugins from dir instead of $WAOOAW_PLUGIN_DIR. An empty
// dir loads none.
func WithDir(dir string) HostOption {
	return func(c *hostConfig) error {
		c.dir, c.dirSet = dir, true
		return nil
	}
}

// WithBuiltins names the templates whose ids plugins must not take,
// normally template.Builtins(). A plugin whose id is one of them is not
// loaded.
func WithBuiltins(src template.Source) HostOption {
	return func(c *hostConfig) error {
		if src == nil {
			return errors.New("plugin: WithBuiltins: nil source")
		}
		c.builtins = src
		return nil
	}
}

// WithRequirePins loads only plugins listed in the directory's SHA256SUMS.
// Without it, unlisted plugins load too (listed ones must always match).
// With it, NewHost also fails if group or others may write the plugin
// directory or SHA256SUMS, and refuses a plugin file they may write.
func WithRequirePins() HostOption {
	return func(c *hostConfig) error {
		c.requirePins = true
		return nil
	}
}

// WithCallTimeout sets the deadline of each call to a plugin, a restart of
// its process included; the default is DefaultCallTimeout. Loading, in
// NewHost, allows each plugin at least 10 s to start (the go-plugin
// handshake), then the call timeout for its Describe: a plugin whose
// Describe hangs is skipped, and LoadErrors says that Describe hung.
//
// A start of a plugin's process is allowed the same (at least 10 s, or the
// call timeout if longer) whatever the deadlines of the calls waiting for
// it: a call whose deadline passes first fails with ErrDeadline, and the
// start goes on for the calls after it.
func WithCallTimeout(d time.Duration) HostOption {
	return func(c *hostConfig) error {
		if d <= 0 {
			return fmt.Errorf("plugin: WithCallTimeout: %s is not positive", d)
		}
		c.timeout = d
		return nil
	}
}

// WithEnv lets plugins inherit the named environment variables from the
// host, in addition to PATH, TMPDIR, TZ, LANG, LC_ALL and SYSTEMROOT.
// Nothing else of the host's environment reaches a plugin.
func WithEnv(names ...string) HostOption {
	return func(c *hostConfig) error {
		for _, n := range names {
			if n == "" || strings.ContainsAny(n, "=\x00") {
				return fmt.Errorf("plugin: WithEnv: %q is not an environment variable name", n)
			}
		}
		c.env = append(c.env, names...)
		return nil
	}
}

// WithStderr copies what plugins write to stderr (their logs, the stacks of
// panics) to w, each line prefixed with the plugin's file name and ": "; by
// default it is discarded, except the last lines, which errors about a
// plugin that failed to start quote.
func WithStderr(w io.Writer) HostOption {
	return func(c *hostConfig) error {
		c.stderr = w
		return nil
	}
}

// WithLogger logs what the host does to l: a line per plugin loaded (its
// template id, version, path and sha256), per plugin a Reload did not load
// (NewHost's are in LoadErrors, for the caller to log), per reload;
// go-plugin's own lines (the handshake, the connection) at their
// level, so that they show when l logs debug lines. By default nothing is
// logged.
func WithLogger(l *slog.Logger) HostOption {
	return func(c *hostConfig) error {
		if l == nil {
			return errors.New("plugin: WithLogger: nil logger")
		}
		c.logger = l
		return nil
	}
}
