package wire

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	hclog "github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/waooaw/waooaw-go/factory/template"
)

// describeTimeout bounds the Describe of the describe command.
const describeTimeout = 10 * time.Second

// parentPoll is how often a served plugin checks that its host is alive.
const parentPoll = 200 * time.Millisecond

// Main runs a plugin process and returns its exit code: with the argument
// "describe" it prints t's description as JSON; started by a host it serves
// t over go-plugin gRPC speaking template protocol version until the host
// closes it or dies.
func Main(t template.Template, version int) int {
	args := os.Args
	name := filepath.Base(args[0])
	if len(args) > 1 {
		switch args[1] {
		case "describe":
			return describe(t, name, os.Stdout, os.Stderr)
		case "help", "-h", "-help", "--help":
			usage(os.Stdout, name)
			return 0
		default:
			fmt.Fprintf(os.Stderr, "%s: unknown command %q\n", name, args[1])
			usage(os.Stderr, name)
			return 2
		}
	}
	if os.Getenv(MagicCookieKey) != MagicCookieValue {
		usage(os.Stderr, name)
		return 1
	}

	// Serve at once: the host describes the template itself, with its own
	// deadline, and says so when Describe hangs. The id is only for
	// messages (a panic's), looked up when first needed.
	id := sync.OnceValue(func() string { return templateID(t, name) })

	// The real stderr: go-plugin swaps os.Stderr for a pipe once serving.
	stderr := os.Stderr
	stop := make(chan struct{})
	watched := make(chan struct{})
	ours := os.Getenv(WatchEnv) == "stdin" // started by this package's host
	go func() {
		defer close(watched)
		watchHost(stop, ours, func() {
			if ours {
				removeSockets()
			}
			os.Exit(0)
		})
	}()
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig: Handshake(),
		VersionedPlugins: map[int]goplugin.PluginSet{
			version: {PluginName: &Plugin{IDFunc: id, Impl: t, PanicLog: stderr}},
		},
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(opts, ServerOptions()...)...)
		},
		Logger: hclog.New(&hclog.LoggerOptions{
			Name: name, Level: hclog.Warn, Output: stderr, JSONFormat: true,
		}),
	})
	close(stop)
	<-watched
	return 0
}

// idTimeout bounds the Describe that finds the template id for a message.
const idTimeout = 2 * time.Second

// templateID is t's template id, or the plugin's file name when Describe
// fails or does not answer in idTimeout.
func templateID(t template.Template, name string) string {
	ctx, cancel := context.WithTimeout(context.Background(), idTimeout)
	defer cancel()
	got := make(chan string, 1)
	go func() { // a Describe that ignores ctx must not hold the message
		d, err := t.Describe(ctx)
		if err != nil || d.TemplateID == "" {
			got <- name
			return
		}
		got <- d.TemplateID
	}()
	select {
	case id := <-got:
		return id
	case <-ctx.Done():
		return name
	}
}

func usage(w io.Writer, name string) {
	fmt.Fprintf(w, "%s is a waooaw template plugin: a waooaw template host (the mock server, the\n"+
		"factory) runs it from its plugin directory.\n\n"+
		"Usage:\n  %s describe    print the template's description as JSON\n", name, name)
}

func describe(t template.Template, name string, stdout, stderr io.Writer) int {
	ctx, cancel := context.WithTimeout(context.Background(), describeTimeout)
	defer cancel()
	d, err := t.Describe(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "%s: describe: %v\n", name, err)
		return 1
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "%s: describe: encode: %v\n", name, err)
		return 1
	}
	if _, err := fmt.Fprintf(stdout, "%s\n", b); err != nil {
		fmt.Fprintf(stderr, "%s: describe: %v\n", name, err)
		return 1
	}
	return 0
}

// watchHost calls exit when the host that started this process is gone:
// SIGTERM came (the host's kernel sends it when the host dies), its stdin
// pipe reached EOF (when useStdin; the host holds the write end
// and the kernel closes it when the host dies, however it dies), or the
// parent process changed (the process was re-parented). It returns when
// stop is closed. The stdin reader cannot be interrupted; it lives as long
// as the process, which ends soon after stop.
func watchHost(stop <-chan struct{}, useStdin bool, exit func()) {
	ppid := os.Getppid()
	// The host asks the kernel for SIGTERM when it dies (Linux).
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	defer signal.Stop(term)
	eof := make(chan struct{})
	if useStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			close(eof)
		}()
	}
	tick := time.NewTicker(parentPoll)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-eof:
			exit()
			return
		case <-term:
			exit()
			return
		case <-tick.C:
			if os.Getppid() != ppid {
				exit()
				return
			}
		}
	}
}

// removeSockets removes this plugin's socket directory, which its host
// would have removed had it not died, and the host's directory of plugin
// sockets once the last plugin has emptied it.
func removeSockets() {
	dir := os.Getenv(goplugin.EnvUnixSocketDir)
	if dir == "" || !filepath.IsAbs(dir) {
		return
	}
	_ = os.RemoveAll(dir)
	_ = os.Remove(filepath.Dir(dir)) // fails while other plugins' directories remain
}
