package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

// TestRoleMatrix drives every protected route with no token, with each role
// below the one it needs (403), and with the role it needs (never 401/403).
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	s := New()
	// A fresh token per request: POST /auth/logout revokes its session.
	token := func(r core.Role) string {
		tok, err := s.Token("matrix-"+r.String()+"@example.com", r.String(), 0)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	serve := func(rt *httpapi.Route, tok string) int {
		path := rt.Pattern
		for strings.Contains(path, "{") {
			i, j := strings.Index(path, "{"), strings.Index(path, "}")
			path = path[:i] + "x" + path[j+1:]
		}
		var body *strings.Reader
		if rt.Method != "GET" {
			body = strings.NewReader("{}")
		}
		var req *http.Request
		if body != nil {
			req = httptest.NewRequest(rt.Method, path, body)
			req.Header.Set("Content-Type", "application/json")
		} else {
			req = httptest.NewRequest(rt.Method, path, nil)
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec.Code
	}
	checked := 0
	for _, rt := range s.router.Routes() {
		if rt.Role == core.RolePublic {
			continue
		}
		checked++
		name := rt.Method + " " + rt.Pattern
		if got := serve(rt, ""); got != http.StatusUnauthorized {
			t.Errorf("%s with no token: %d, want 401", name, got)
		}
		for r := core.RoleViewer; r < rt.Role; r++ {
			if got := serve(rt, token(r)); got != http.StatusForbidden {
				t.Errorf("%s as %s: %d, want 403 (needs %s)", name, r, got, rt.Role)
			}
		}
		for r := rt.Role; r <= core.RoleAdmin; r++ {
			if got := serve(rt, token(r)); got == http.StatusUnauthorized || got == http.StatusForbidden || got >= 500 {
				t.Errorf("%s as %s: %d", name, r, got)
			}
		}
	}
	if checked < 5 {
		t.Fatalf("only %d protected routes", checked)
	}
}

// TestMutationsNeedOperatorOrMore pins DESIGN.md's roles: viewers may only
// read, validate and estimate; factory create, upgrade, rollback and
// config changes are admin's.
func TestMutationsNeedOperatorOrMore(t *testing.T) {
	t.Parallel()
	viewerWrites := map[string]bool{
		"POST /api/platform/factory/validate":      true,
		"POST /api/platform/factory/estimate-cost": true,
		"POST /auth/logout":                        true,
	}
	adminOnly := []string{"/factory/agents", "/upgrade", "/rollback", "/config"}
	for _, rt := range New().router.Routes() {
		name := rt.Method + " " + rt.Pattern
		if rt.Role == core.RolePublic || !strings.HasPrefix(rt.Pattern, "/api/") && !strings.HasPrefix(rt.Pattern, "/auth/") {
			continue
		}
		if rt.Method == "GET" && rt.Role != core.RoleViewer {
			t.Errorf("%s needs %s; every GET is a viewer's", name, rt.Role)
		}
		if rt.Method != "GET" && rt.Role == core.RoleViewer && !viewerWrites[name] {
			t.Errorf("%s is open to viewers", name)
		}
		for _, suffix := range adminOnly {
			if rt.Method != "GET" && strings.HasSuffix(rt.Pattern, suffix) && rt.Role != core.RoleAdmin {
				t.Errorf("%s needs %s, want admin", name, rt.Role)
			}
		}
	}
}
