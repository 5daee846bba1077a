package factory_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/servicing"
)

// An agent made by the factory runs the config it was created with.
func TestCreatedAgentKeepsItsConfig(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ctx := context.Background()
	pc := ts.Client(mockserver.AdminEmail)
	op, err := factory.New(pc).Create(ctx, factory.Request{TemplateID: "tmpl-memory", AgentName: "kept-config",
		Config: json.RawMessage(`{"retention_days": 60}`)})
	if err != nil {
		t.Fatal(err)
	}
	c, err := servicing.New(pc).Config(ctx, op.Last().AgentID)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Config["retention_days"]; got != float64(60) {
		t.Errorf("retention_days = %v (%T), want 60; config %v", got, got, c.Config)
	}
	if got := c.Config["memory_type"]; got != "hybrid" {
		t.Errorf("memory_type = %v, want the default hybrid", got)
	}
}
