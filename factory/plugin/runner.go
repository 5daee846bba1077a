package plugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"

	"github.com/hashicorp/go-plugin/runner"
)

// cmdRunner runs a plugin executable for go-plugin. Unlike go-plugin's own
// runner it gives the plugin a stdin pipe the host holds open (a plugin
// sees EOF when its host dies, however it dies) and keeps the *exec.Cmd, so
// the host can kill the process without trusting a pid.
type cmdRunner struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout io.ReadCloser
	stderr io.ReadCloser

	exited     chan struct{} // closed once Wait has seen the process exit
	exitedOnce sync.Once

	mu     sync.Mutex
	pid    int
	killed bool // Kill was called: Start must not start the process
}

var _ runner.Runner = (*cmdRunner)(nil)

// newCmdRunner runs x with the environment env in the directory dir.
func newCmdRunner(x *executable, dir string, env []string) (*cmdRunner, error) {
	cmd := exec.Command(x.path)
	cmd.Args[0] = x.argv0
	cmd.Env = env
	cmd.Dir = dir
	cmd.ExtraFiles = x.extraFiles()
	dieWithHost(cmd)
	r := &cmdRunner{cmd: cmd, exited: make(chan struct{})}
	var err error
	if r.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if r.stdout, err = cmd.StdoutPipe(); err != nil {
		return nil, err
	}
	if r.stderr, err = cmd.StderrPipe(); err != nil {
		return nil, err
	}
	return r, nil
}

// errKilled is the error of Start after Kill.
var errKilled = errors.New("the plugin process was stopped before it started (the host is closing)")

// Start starts the process, unless Kill came first.
func (r *cmdRunner) Start(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.killed {
		return errKilled
	}
	if err := startProcess(r.cmd, r.exited); err != nil {
		return err
	}
	r.pid = r.cmd.Process.Pid
	return nil
}

// Wait waits for the process to exit; it also closes the stdin pipe.
func (r *cmdRunner) Wait(context.Context) error {
	err := r.cmd.Wait()
	r.exitedOnce.Do(func() { close(r.exited) })
	return err
}

// Kill kills the process, or keeps it from starting if Start has not run
// yet; killing a process that is gone is no error. It does not wait.
func (r *cmdRunner) Kill(context.Context) error {
	r.mu.Lock()
	r.killed = true
	started := r.pid != 0
	r.mu.Unlock()
	if !started {
		return nil
	}
	if err := r.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	return nil
}

func (r *cmdRunner) Stdout() io.ReadCloser { return r.stdout }
func (r *cmdRunner) Stderr() io.ReadCloser { return r.stderr }
func (r *cmdRunner) Name() string          { return r.cmd.Args[0] }

// ID is the process id, "" before Start.
func (r *cmdRunner) ID() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pid == 0 {
		return ""
	}
	return strconv.Itoa(r.pid)
}

func (r *cmdRunner) Diagnose(context.Context) string {
	return fmt.Sprintf("it must be a waooaw template plugin (a main that calls plugin.Serve) built for %s/%s", runtime.GOOS, runtime.GOARCH)
}

func (r *cmdRunner) PluginToHost(network, addr string) (string, string, error) {
	return network, addr, nil
}

func (r *cmdRunner) HostToPlugin(network, addr string) (string, string, error) {
	return network, addr, nil
}
