package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	t.Setenv("WAOOAW_API_URL", "")
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, "ops@waooaw.ai"); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"Open this URL to sign in",
		"Signed in as Oscar Ops <ops@waooaw.ai>, role operator, session ses-",
		"Refreshed: new access token true, new refresh token true.",
		"Signed out.",
		"The client now needs a new sign-in: true.",
		"The old access token is refused: 401 unauthenticated.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the output has no %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "new access token, good until"); n != 2 {
		t.Errorf("%d new tokens reported, want 2 (sign-in and refresh):\n%s", n, got)
	}
}
