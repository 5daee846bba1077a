package plugin

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
)

// executable is a loaded plugin's program: a private copy of the bytes the
// host hashed and checked against the pins, which is all the host ever
// executes, on the first start and on every restart. Changing, replacing or
// retargeting the file in the plugin directory afterwards changes nothing
// until the next NewHost or Reload.
type executable struct {
	argv0 string // the plugin's path in the plugin directory: its name as it runs
	path  string // what to execute: the copy, or procSelfFD3 with file as ExtraFiles[0]
	file  *os.File
	once  sync.Once
}

// procSelfFD3 is the path a child process executes the unlinked copy by on
// Linux: the copy is the child's file descriptor 3 (cmd.ExtraFiles[0]),
// which also lets interpreters of #! scripts open it.
const procSelfFD3 = "/proc/self/fd/3"

// extraFiles are the files a process of x inherits.
func (x *executable) extraFiles() []*os.File {
	if x.file == nil {
		return nil
	}
	return []*os.File{x.file}
}

// release removes the copy (on Linux: closes the last reference to the
// unlinked copy). Call it once no process is being started from it.
func (x *executable) release() {
	x.once.Do(func() {
		if x.file != nil {
			_ = x.file.Close()
			return
		}
		_ = os.Remove(x.path)
	})
}

// unlinkCopies says whether the copies are unlinked as soon as they are
// made and executed through /proc/self/fd: Linux, with /proc mounted. Then a
// host that dies leaves no copy behind. Elsewhere the copy stays in the
// host's private directory until Close.
var unlinkCopies = sync.OnceValue(func() bool {
	if runtime.GOOS != "linux" && runtime.GOOS != "android" {
		return false
	}
	_, err := os.Stat("/proc/self/fd")
	return err == nil
})

// privateCopy opens a candidate once and copies it into dir, the host's
// private directory, hashing the bytes as they are copied. With strict (pins
// required), a file that group or others may write is refused. The copy is
// not checked against the pins: the caller does that, and releases the
// copy if it is refused.
func privateCopy(c candidate, dir string, strict, onDisk bool) (*executable, digest, error) {
	var sum digest
	src, err := os.OpenFile(c.src, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, sum, err
	}
	defer src.Close()
	info, err := src.Stat()
	if err != nil {
		return nil, sum, err
	}
	switch {
	case !info.Mode().IsRegular():
		return nil, sum, errors.New("not a regular file")
	case strict && writableByOthers(info.Mode()):
		return nil, sum, refusedError{fmt.Errorf("it is writable by group or others (mode %s) and the host requires pins; chmod go-w it", info.Mode().Perm())}
	}

	dst := filepath.Join(dir, c.file)
	h := sha256.New()
	// No process may be forked while the copy is open for writing: a child
	// would hold the descriptor until it execs, and executing the copy
	// meanwhile fails with ETXTBSY ("text file busy").
	syscall.ForkLock.RLock()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o700)
	if err == nil {
		_, err = io.CopyBuffer(io.MultiWriter(out, h), struct{ io.Reader }{src}, make([]byte, 256<<10))
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		_ = os.Remove(dst)
		return nil, sum, fmt.Errorf("copy it into the host's private directory: %w", err)
	}
	h.Sum(sum[:0])

	x := &executable{argv0: c.path, path: dst}
	if !onDisk && unlinkCopies() {
		f, err := os.Open(dst)
		if err == nil {
			err = os.Remove(dst)
			if err != nil {
				f.Close()
			}
		}
		if err != nil {
			_ = os.Remove(dst)
			return nil, sum, fmt.Errorf("copy it into the host's private directory: %w", err)
		}
		x.path, x.file = procSelfFD3, f
	}
	return x, sum, nil
}

// refusedError is a reason to refuse a plugin, rather than a failure to
// load it.
type refusedError struct{ error }

func (e refusedError) Unwrap() error { return e.error }

// writableByOthers reports whether group or others may write a file of
// mode m. Windows has no such bits; it is never true there.
func writableByOthers(m fs.FileMode) bool {
	return runtime.GOOS != "windows" && m.Perm()&0o022 != 0
}
