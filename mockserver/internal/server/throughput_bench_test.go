package server_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
)

// BenchmarkListAgentsHandler is the server's own cost of an authenticated
// GET /api/platform/agents, without a network (the load run in
// internal/loadtest measures it over loopback against bare net/http).
func BenchmarkListAgentsHandler(b *testing.B) {
	srv := mockserver.New()
	tok, err := srv.Token(mockserver.ViewerEmail, "viewer", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("GET", "/api/platform/agents", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
	})
}
