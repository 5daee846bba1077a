package auth_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/auth"
)

// A refusal with no error_description reads as the code alone, with no
// trailing space.
func TestLoginRefusedWithoutDescription(t *testing.T) {
	t.Parallel()
	ts := start(t)
	p, err := auth.NewProvider(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	mockPost(t, ts, "/_mock/oauth/fail-next", map[string]any{"error": "access_denied"})
	browser := func(ctx context.Context, u string) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		resp, err := ts.HTTPClient().Do(req) // ends at the loopback page, 403
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = auth.LoginWithBrowser(ctx, p, auth.WithBrowser(browser), auth.WithHTTPClient(ts.HTTPClient()))
	if err == nil || !strings.HasSuffix(err.Error(), "the identity provider refused: access_denied") {
		t.Fatalf("error %q, want it to end with the code and no space", err)
	}
}
