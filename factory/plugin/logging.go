package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync"

	hclog "github.com/hashicorp/go-hclog"
)

// pluginLogger is go-plugin's logger for one plugin: its lines go to l (at
// their own level, with the plugin's file name), and only the levels l
// logs are produced at all; without l, nothing.
func pluginLogger(l *slog.Logger, file string) hclog.Logger {
	if l == nil {
		return hclog.NewNullLogger()
	}
	level := hclog.Off
	for _, lv := range []struct {
		s slog.Level
		h hclog.Level
	}{{slog.LevelDebug, hclog.Debug}, {slog.LevelInfo, hclog.Info}, {slog.LevelWarn, hclog.Warn}, {slog.LevelError, hclog.Error}} {
		if l.Enabled(context.Background(), lv.s) {
			level = lv.h
			break
		}
	}
	return hclog.New(&hclog.LoggerOptions{
		Name:       "go-plugin",
		Level:      level,
		JSONFormat: true,
		Output:     &slogWriter{l: l.With("plugin", file)},
	})
}

// slogWriter turns hclog's JSON lines into slog records.
type slogWriter struct {
	l   *slog.Logger
	mu  sync.Mutex
	buf []byte
}

func (w *slogWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		line := w.buf[:i]
		w.buf = w.buf[i+1:]
		var rec map[string]any
		if json.Unmarshal(line, &rec) != nil {
			w.l.Debug(string(line))
			continue
		}
		level := slog.LevelDebug
		switch rec["@level"] {
		case "info":
			level = slog.LevelInfo
		case "warn":
			level = slog.LevelWarn
		case "error":
			level = slog.LevelError
		}
		msg, _ := rec["@message"].(string)
		var attrs []any
		for k, v := range rec {
			if len(k) > 0 && k[0] == '@' {
				continue
			}
			attrs = append(attrs, k, v)
		}
		w.l.Log(context.Background(), level, "go-plugin: "+msg, attrs...)
	}
}

// prefixWriter writes each line to w with prefix before it; a line is
// written once complete.
type prefixWriter struct {
	prefix string
	w      io.Writer
	mu     sync.Mutex
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			break
		}
		line := append([]byte(p.prefix), p.buf[:i+1]...)
		p.buf = p.buf[i+1:]
		if _, err := p.w.Write(line); err != nil {
			return len(b), nil // the host's stderr failing must not fail the plugin
		}
	}
	return len(b), nil
}
