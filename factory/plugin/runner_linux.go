package plugin

import (
	"os/exec"
	"syscall"
)

// dieWithHost makes the kernel send the plugin process SIGTERM when the
// host dies, however it dies (kill -9 included), whether or not the plugin
// watches its stdin as the protocol asks: a plugin written with go-plugin
// alone, or in another language, never outlives its host, as SIGTERM ends
// a process that does not handle it. (Serve handles it: it removes its
// sockets, then exits.) (The signal goes when the
// thread that started the process exits; the Go runtime does not end
// threads of goroutines that are not locked to them.)
func dieWithHost(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
