package agents

import (
	"net/http"
	"slices"
	"strings"

	"github.com/waooaw/waooaw-go/mockserver/internal/area"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
	"github.com/waooaw/waooaw-go/platform"
)

// Routes are the agents routes, served over env.
func Routes(env *area.Env) []*httpapi.Route { return (&handlers{env}).routes() }

// handlers are the handlers of the agents routes.
type handlers struct{ *area.Env }

func (h *handlers) routes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Pattern: "/api/platform/agents", Role: core.RoleViewer, Handle: h.listAgents},
		{Method: "GET", Pattern: "/api/platform/agents/{id}", Role: core.RoleViewer, Handle: h.getAgent},
		{Method: "POST", Pattern: "/api/platform/agents/{id}/restart", Role: core.RoleOperator, Lookup: h.AgentExists, Handle: h.agentAction(core.ActRestart)},
		{Method: "POST", Pattern: "/api/platform/agents/{id}/start", Role: core.RoleOperator, Lookup: h.AgentExists, Handle: h.agentAction(core.ActStart)},
		{Method: "POST", Pattern: "/api/platform/agents/{id}/stop", Role: core.RoleOperator, Lookup: h.AgentExists, Handle: h.agentAction(core.ActStop)},
	}
}

func (h *handlers) listAgents(rc *httpapi.Request) (int, any, *core.Error) {
	q := rc.R.URL.Query()
	status, tier, text := q.Get("status"), q.Get("tier"), strings.ToLower(q.Get("q"))
	if status != "" && !slices.Contains(core.AgentStatuses, platform.AgentStatus(status)) {
		return 0, nil, core.InvalidField("status", "must be one of online, offline, starting, stopping, error, provisioning")
	}
	if tier != "" && !slices.Contains(core.AgentTiers, platform.Tier(tier)) {
		return 0, nil, core.InvalidField("tier", `must be "Platform CoE" or "Business"`)
	}
	p, e := h.World().AgentPage(q, rc.Now, core.AgentFilter{Status: platform.AgentStatus(status), Tier: platform.Tier(tier), Text: text})
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, httpapi.ListBody("agents", p), nil
}

func (h *handlers) getAgent(rc *httpapi.Request) (int, any, *core.Error) {
	a, ok := h.World().Agents.Get(rc.Param("id"), rc.Now)
	if !ok {
		return 0, nil, core.NotFound("agent %q not found", rc.Param("id"))
	}
	return http.StatusOK, a, nil
}

func (h *handlers) agentAction(act core.AgentAction) httpapi.Handler {
	return func(rc *httpapi.Request) (int, any, *core.Error) {
		if e := rc.DecodeOptional(&struct{}{}); e != nil {
			return 0, nil, e
		}
		a, e := h.World().ActAgent(rc.Param("id"), act, rc.Actor(""), rc.Now)
		if e != nil {
			return 0, nil, e
		}
		return http.StatusOK, a, nil
	}
}
