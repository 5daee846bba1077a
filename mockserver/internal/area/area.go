// Package area is what the areas' HTTP handlers (the packages under
// internal/area) share: their environment, the lookups of resources
// more than one area routes under, and the masking of sensitive config.
// The areas meet only through the core's World.
package area

import (
	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
)

// Env is what an area's handlers reach the rest of the server through.
type Env struct {
	// World is the state of the moment: Reset and Seed replace it, so a
	// handler reads it once per request.
	World func() *core.World
	// Templates are the factory's templates (the built-ins, plugins).
	Templates template.Source
}

// AgentExists is the 404 check of the routes under /agents/{id}.
func (e *Env) AgentExists(rc *httpapi.Request) *core.Error {
	if _, ok := e.World().Agents.Get(rc.Param("id"), rc.Now); !ok {
		return core.NotFound("agent %q not found", rc.Param("id"))
	}
	return nil
}
