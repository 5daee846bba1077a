package plugin

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// FilePrefix starts the file name of every plugin executable.
const FilePrefix = "waooaw-template-"

// PinsFile is the file of a plugin directory that pins plugins by hash, in
// sha256sum's format ("<hex sha256>  <file name>" per line).
const PinsFile = "SHA256SUMS"

type digest = [sha256.Size]byte

// candidate is a file that discovery selected.
type candidate struct {
	path string // absolute, in the plugin directory
	file string // base name
	src  string // the file to load: path, or the target of the symbolic link path
	err  error  // why it cannot be loaded, if it cannot
}

// discover lists the plugin candidates of dir, sorted by file name: files
// named FilePrefix*, never anything else. A candidate that is not a regular
// executable file, or is a symbolic link to a file outside dir, comes with
// an error.
func discover(dir string) ([]candidate, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("plugin: read plugin directory: %w", err)
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("plugin: read plugin directory: %w", err)
	}
	var out []candidate
	for _, e := range entries { // ReadDir sorts by name
		name := e.Name()
		if !strings.HasPrefix(name, FilePrefix) {
			continue
		}
		c := candidate{path: filepath.Join(dir, name), file: name}
		c.src = c.path
		if e.Type()&fs.ModeSymlink != 0 {
			target, err := filepath.EvalSymlinks(c.path)
			if err != nil {
				c.err = fmt.Errorf("plugin %s: not loaded: %w", name, err)
				out = append(out, c)
				continue
			}
			if rel, err := filepath.Rel(realDir, target); err != nil || !filepath.IsLocal(rel) {
				c.err = fmt.Errorf("plugin %s: refused: it is a symbolic link to %s, outside the plugin directory; put the plugin itself in the directory (a link may only name a file inside it)", name, target)
				out = append(out, c)
				continue
			}
			c.src = target
		}
		info, err := os.Stat(c.src)
		switch {
		case err != nil:
			c.err = fmt.Errorf("plugin %s: not loaded: %w", name, err)
		case info.IsDir():
			continue
		case !info.Mode().IsRegular():
			c.err = fmt.Errorf("plugin %s: not loaded: not a regular file", name)
		case runtime.GOOS == "windows" && !strings.EqualFold(filepath.Ext(name), ".exe"):
			continue
		case runtime.GOOS != "windows" && info.Mode().Perm()&0o111 == 0:
			c.err = fmt.Errorf("plugin %s: not loaded: not executable (chmod +x it)", name)
		}
		out = append(out, c)
	}
	return out, nil
}

// checkDirPerms refuses, when pins are required, a plugin directory or a
// SHA256SUMS that group or others may write: whoever can write them can
// change the pins or the plugins they pin.
func checkDirPerms(dir string) error {
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("plugin: plugin directory: %w", err)
	}
	if writableByOthers(info.Mode()) {
		return fmt.Errorf("plugin: plugin directory %s is writable by group or others (mode %s) and the host requires pins; chmod go-w it", dir, info.Mode().Perm())
	}
	info, err = os.Stat(filepath.Join(dir, PinsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("plugin: %s: %w", PinsFile, err)
	}
	if writableByOthers(info.Mode()) {
		return fmt.Errorf("plugin: %s is writable by group or others (mode %s) and the host requires pins; chmod go-w it", filepath.Join(dir, PinsFile), info.Mode().Perm())
	}
	return nil
}

// readPins reads dir's SHA256SUMS; no file means no pins (nil map). A file
// that is not in sha256sum's format is an error: pins that cannot be read
// must not let anything run.
func readPins(dir string) (map[string]digest, error) {
	path := filepath.Join(dir, PinsFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("plugin: read %s: %w", PinsFile, err)
	}
	return parsePins(b)
}

// parsePins parses sha256sum output: "<64 hex digits> <space or *><name>"
// per line; blank lines and lines starting with # are skipped.
func parsePins(b []byte) (map[string]digest, error) {
	pins := make(map[string]digest)
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		bad := func(why string) error {
			return fmt.Errorf("plugin: %s line %d: %s; each line must be \"<sha256 in hex>  <file name>\" as sha256sum writes it", PinsFile, n, why)
		}
		if len(line) < 2*sha256.Size+2 || line[2*sha256.Size] != ' ' {
			return nil, bad("not a sha256sum line")
		}
		var d digest
		if _, err := hex.Decode(d[:], []byte(line[:2*sha256.Size])); err != nil {
			return nil, bad("the hash is not 64 hex digits")
		}
		name := line[2*sha256.Size+1:]
		if name[0] == ' ' || name[0] == '*' {
			name = name[1:]
		}
		name = strings.TrimPrefix(name, "./")
		if name == "" {
			return nil, bad("no file name")
		}
		if prev, ok := pins[name]; ok && prev != d {
			return nil, bad(fmt.Sprintf("%s is pinned twice with different hashes", name))
		}
		pins[name] = d
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("plugin: read %s: %w", PinsFile, err)
	}
	return pins, nil
}
