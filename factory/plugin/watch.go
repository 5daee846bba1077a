package plugin

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// WithWatch makes the host watch its plugin directory, looking every
// interval: when the plugin files or SHA256SUMS change (a name, size, mode
// or modification time) and then stay unchanged for one more interval (a
// build has finished writing), the host reloads the directory (see
// Reload), so a rebuilt plugin serves without restarting the server. Close
// stops watching. It polls rather than subscribing to file system events:
// no dependency, and it sees changes through symbolic links and on every
// file system.
func WithWatch(interval time.Duration) HostOption {
	return func(c *hostConfig) error {
		if interval <= 0 {
			return fmt.Errorf("plugin: WithWatch: %s is not positive", interval)
		}
		c.watch = interval
		return nil
	}
}

// watch reloads the directory when it changes, until Close.
func (h *Host) watch(interval time.Duration) {
	defer h.watching.Done()
	loaded := dirState(h.dir)
	last := loaded
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-tick.C:
		}
		cur := dirState(h.dir)
		stable := cur == last
		last = cur
		if !stable || cur == loaded {
			continue
		}
		ctx, cancel := context.WithCancel(context.Background())
		go func() { // Close cancels a reload in progress
			select {
			case <-h.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		err := h.Reload(ctx)
		cancel()
		loaded = cur
		if err != nil && h.cfg.logger != nil {
			h.cfg.logger.Warn("plugin directory not reloaded", "dir", h.dir, "error", err)
		} else if h.cfg.logger != nil {
			h.cfg.logger.Info("plugin directory reloaded", "dir", h.dir)
		}
	}
}

// dirState sums up what the host loads from dir: the name, size, mode and
// modification time of each plugin candidate (through symbolic links) and
// of SHA256SUMS.
func dirState(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "error: " + err.Error()
	}
	var b strings.Builder
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, FilePrefix) && name != PinsFile {
			continue
		}
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			fmt.Fprintf(&b, "%s error\n", name)
			continue
		}
		fmt.Fprintf(&b, "%s %d %s %d\n", name, info.Size(), info.Mode(), info.ModTime().UnixNano())
	}
	return b.String()
}
