//go:build !linux

package plugin

import "os/exec"

// dieWithHost does nothing outside Linux: there a plugin relies on the
// stdin rule (it exits at EOF on its stdin) and on watching its parent.
func dieWithHost(*exec.Cmd) {}

// startProcess starts cmd.
func startProcess(cmd *exec.Cmd, _ <-chan struct{}) error { return cmd.Start() }
