package plugin

import (
	"os/exec"
	"runtime"
	"syscall"
)

// dieWithHost makes the kernel send the plugin process SIGTERM when the
// host dies, however it dies (kill -9 included), whether or not the plugin
// watches its stdin as the protocol asks: a plugin written with go-plugin
// alone, or in another language, never outlives its host, as SIGTERM ends
// a process that does not handle it. (Serve handles it: it removes its
// sockets, then exits.)
func dieWithHost(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}

// startProcess starts cmd from an OS thread that stays alive until the
// process has exited (exited is closed): the kernel sends the death signal
// when the thread that forked the process ends, not the host, and the Go
// runtime ends a thread when a goroutine locked to it exits, which some
// other code of the host might do on the thread that forked.
func startProcess(cmd *exec.Cmd, exited <-chan struct{}) error {
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			<-exited
		}
	}()
	return <-started
}
