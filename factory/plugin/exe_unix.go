//go:build unix

package plugin

import "syscall"

// openFlags are added to O_RDONLY to open a candidate: fail if its last
// element is a symbolic link (one put there after discovery resolved it),
// and do not block on a FIFO put there (the file's mode refuses it next).
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
