package server_test

import (
	"strings"
	"testing"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
)

// The 404 of an unknown route suggests what a doubled base path meant.
func TestNearestRouteIgnoresADoubledPrefix(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	viewer := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	for path, want := range map[string]string{
		"/api/platform/api/platform/agents":            "GET /api/platform/agents",
		"/api/api/platform/agents":                     "GET /api/platform/agents",
		"/api/platform/api/platform/agents/wow-memory": "GET /api/platform/agents/{id}",
	} {
		a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: path, Token: viewer})
		if a.Status != 404 {
			t.Fatalf("GET %s: %d", path, a.Status)
		}
		msg, _ := a.JSON(t)["error"].(map[string]any)["message"].(string)
		_, near, _ := strings.Cut(msg, "nearest: ")
		if first, _, _ := strings.Cut(near, ", "); first != want {
			t.Errorf("GET %s: nearest %q, want %s first", path, near, want)
		}
	}
}
