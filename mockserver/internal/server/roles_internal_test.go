package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRoleMatrix drives every protected route with no token, with each role
// below the one it needs (403), and with the role it needs (never 401/403).
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	s := New()
	// A fresh token per request: POST /auth/logout revokes its session.
	token := func(r role) string {
		tok, err := s.Token("matrix-"+r.String()+"@example.com", r.String(), 0)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	serve := func(rt *route, tok string) int {
		path := rt.pattern
		for strings.Contains(path, "{") {
			i, j := strings.Index(path, "{"), strings.Index(path, "}")
			path = path[:i] + "x" + path[j+1:]
		}
		var body *strings.Reader
		if rt.method != "GET" {
			body = strings.NewReader("{}")
		}
		var req *http.Request
		if body != nil {
			req = httptest.NewRequest(rt.method, path, body)
			req.Header.Set("Content-Type", "application/json")
		} else {
			req = httptest.NewRequest(rt.method, path, nil)
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec.Code
	}
	checked := 0
	for _, rt := range s.router.routes {
		if rt.role == rolePublic {
			continue
		}
		checked++
		name := rt.method + " " + rt.pattern
		if got := serve(rt, ""); got != http.StatusUnauthorized {
			t.Errorf("%s with no token: %d, want 401", name, got)
		}
		for r := roleViewer; r < rt.role; r++ {
			if got := serve(rt, token(r)); got != http.StatusForbidden {
				t.Errorf("%s as %s: %d, want 403 (needs %s)", name, r, got, rt.role)
			}
		}
		for r := rt.role; r <= roleAdmin; r++ {
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
	for _, rt := range New().router.routes {
		name := rt.method + " " + rt.pattern
		if rt.role == rolePublic || !strings.HasPrefix(rt.pattern, "/api/") && !strings.HasPrefix(rt.pattern, "/auth/") {
			continue
		}
		if rt.method == "GET" && rt.role != roleViewer {
			t.Errorf("%s needs %s; every GET is a viewer's", name, rt.role)
		}
		if rt.method != "GET" && rt.role == roleViewer && !viewerWrites[name] {
			t.Errorf("%s is open to viewers", name)
		}
		for _, suffix := range adminOnly {
			if rt.method != "GET" && strings.HasSuffix(rt.pattern, suffix) && rt.role != roleAdmin {
				t.Errorf("%s needs %s, want admin", name, rt.role)
			}
		}
	}
}
