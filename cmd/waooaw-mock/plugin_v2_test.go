package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer that run's goroutines and the test may use
// at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestPluginDescribeHangServerStarts: a plugin that hangs in Describe does
// not hold up the server's start; it is skipped, and the log says that its
// Describe hung.
func TestPluginDescribeHangServerStarts(t *testing.T) {
	dir := pluginDir(t, map[string]string{"waooaw-template-hang": "faulty", "waooaw-template-faulty": "faulty"})
	if err := os.WriteFile(filepath.Join(dir, "hangdescribe.waooaw-template-hang"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	m := start(t, "-plugin-dir", dir, "-plugin-timeout", "300ms")
	if d := time.Since(began); d > 8*time.Second {
		t.Errorf("the server took %s to start", d)
	}
	body := string(m.do("GET", "/api/platform/factory/templates", m.tok, "", 200, nil))
	if !strings.Contains(body, `"tmpl-faulty"`) || strings.Contains(body, `"tmpl-hang"`) {
		t.Errorf("templates: %s; want tmpl-faulty and not tmpl-hang", body)
	}
	if logs := m.stderr.String(); !strings.Contains(logs, "waooaw-template-hang: skipped") || !strings.Contains(logs, "Describe hung") {
		t.Errorf("logs:\n%s\nwant a line saying waooaw-template-hang was skipped because Describe hung", logs)
	}
}
