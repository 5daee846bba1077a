package platform_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/waooaw/waooaw-go/platform"
)

// TestTemplateTimeoutNotRetriedForMutations: a 504 template_timeout (a
// factory template that hung) is not sent again for a mutation, even with
// an Idempotency-Key, as the template may still be working on it; a GET
// and other 504s are retried as before.
func TestTemplateTimeoutNotRetriedForMutations(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, method, code string
		attempts           int
	}{
		{"post template_timeout", "POST", "template_timeout", 1},
		{"post deadline_exceeded", "POST", "deadline_exceeded", 2},
		{"get template_timeout", "GET", "template_timeout", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			var rc recorder
			mux.HandleFunc(tt.method+" /api/platform/factory/validate", func(w http.ResponseWriter, r *http.Request) {
				if rc.add(r) == 1 {
					writeError(w, http.StatusGatewayTimeout, tt.code, "a template did not answer in time")
					return
				}
				writeJSON(w, http.StatusOK, `{}`)
			})
			ctx := platform.WithIdempotencyKey(context.Background(), "k-1")
			err := c.Do(ctx, tt.method, "/api/platform/factory/validate", nil, nil, nil)
			if n := len(rc.all()); n != tt.attempts {
				t.Fatalf("%d attempt(s), want %d (err %v)", n, tt.attempts, err)
			}
			if tt.attempts == 1 {
				var pe *platform.Error
				if !errors.As(err, &pe) || pe.StatusCode != 504 || pe.Code != "template_timeout" {
					t.Errorf("error %v, want the 504 template_timeout with its code read intact", err)
				}
			} else if err != nil {
				t.Errorf("retried call: %v", err)
			}
		})
	}
}
