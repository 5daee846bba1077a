package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestQuickstartTour(t *testing.T) {
	t.Setenv("WAOOAW_API_URL", "")
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Signed in with the browser flow as", "role operator", "Active agents", "WowMemory",
		"agent-tasks", "Customer Onboarding", "tmpl-memory"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
