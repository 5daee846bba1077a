package servicing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/mockserver/internal/area"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/servicing"
)

// Routes are the servicing routes, served over env.
func Routes(env *area.Env) []*httpapi.Route { return (&handlers{env}).routes() }

// handlers are the handlers of the servicing routes.
type handlers struct{ *area.Env }

func (h *handlers) routes() []*httpapi.Route {
	return []*httpapi.Route{
		{Method: "GET", Pattern: "/api/platform/agents/{id}/versions", Role: core.RoleViewer, Lookup: h.AgentExists, Handle: h.agentVersions},
		{Method: "POST", Pattern: "/api/platform/agents/{id}/upgrade", Role: core.RoleAdmin, Lookup: h.AgentExists, Handle: h.upgradeAgent},
		{Method: "POST", Pattern: "/api/platform/agents/{id}/rollback", Role: core.RoleAdmin, Lookup: h.AgentExists, Handle: h.rollbackAgent},
		{Method: "GET", Pattern: "/api/platform/agents/{id}/config", Role: core.RoleViewer, Lookup: h.AgentExists, Handle: h.getAgentConfig},
		{Method: "PATCH", Pattern: "/api/platform/agents/{id}/config", Role: core.RoleAdmin, Lookup: h.AgentExists, Handle: h.patchAgentConfig},
		{Method: "GET", Pattern: "/api/platform/upgrades/{id}", Role: core.RoleViewer, Handle: h.getUpgrade},
		{Method: "GET", Pattern: "/api/platform/servicing/history", Role: core.RoleViewer, Handle: h.servicingHistory},
	}
}

// agent is the path's agent, settled to now.
func (h *handlers) agent(rc *httpapi.Request) (platform.Agent, *core.Error) {
	a, ok := h.World().Agents.Get(rc.Param("id"), rc.Now)
	if !ok {
		return platform.Agent{}, core.NotFound("agent %q not found", rc.Param("id"))
	}
	return a, nil
}

func (h *handlers) agentVersions(rc *httpapi.Request) (int, any, *core.Error) {
	a, e := h.agent(rc)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, h.World().Servicing.Versions(a), nil
}

func (h *handlers) getUpgrade(rc *httpapi.Request) (int, any, *core.Error) {
	u, ok := h.World().Servicing.Get(rc.Param("id"), rc.Now)
	if !ok {
		return 0, nil, core.NotFound("upgrade %q not found", rc.Param("id"))
	}
	return http.StatusOK, u, nil
}

var upgradeStatuses = []servicing.UpgradeStatus{servicing.UpgradePending, servicing.UpgradeInProgress,
	servicing.UpgradeCompleted, servicing.UpgradeFailed, servicing.UpgradeRollingBack, servicing.UpgradeRolledBack}

func (h *handlers) servicingHistory(rc *httpapi.Request) (int, any, *core.Error) {
	q := rc.R.URL.Query()
	agentID, status := q.Get("agent_id"), servicing.UpgradeStatus(q.Get("status"))
	if status != "" && !slices.Contains(upgradeStatuses, status) {
		return 0, nil, core.InvalidField("status", "must be one of pending, in_progress, completed, failed, rolling_back, rolled_back")
	}
	p, e := h.World().Servicing.HistoryPage(q, agentID, status, rc.Now)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, httpapi.ListBody("history", p), nil
}

// upgradeBody is the body of POST …/upgrade as the server reads it.
type upgradeBody struct {
	TargetVersion string             `json:"target_version"`
	Strategy      servicing.Strategy `json:"strategy"`
	AutoRollback  *struct {
		Enabled            *bool   `json:"enabled"`
		ErrorRateThreshold float64 `json:"error_rate_threshold"`
		LatencyThresholdMS int64   `json:"latency_threshold_ms"`
	} `json:"auto_rollback"`
	Reason string `json:"reason"`
}

// check resolves the auto-rollback defaults and reports every problem.
func (b upgradeBody) check() (*servicing.AutoRollback, []template.Issue) {
	var issues []template.Issue
	if b.TargetVersion == "" {
		issues = append(issues, template.Issue{Field: "target_version", Issue: "is required: one of the agent's versions (GET …/versions)"})
	}
	switch b.Strategy {
	case servicing.StrategyBlueGreen, servicing.StrategyCanary, servicing.StrategyRolling:
	case "":
		issues = append(issues, template.Issue{Field: "strategy", Issue: "is required: blue-green, canary or rolling"})
	default:
		issues = append(issues, template.Issue{Field: "strategy", Issue: fmt.Sprintf("must be blue-green, canary or rolling, not %q", b.Strategy)})
	}
	auto := core.DefaultAutoRollback()
	if r := b.AutoRollback; r != nil {
		if r.Enabled != nil {
			auto.Enabled = *r.Enabled
		}
		switch {
		case r.ErrorRateThreshold < 0 || r.ErrorRateThreshold > 1:
			issues = append(issues, template.Issue{Field: "auto_rollback.error_rate_threshold",
				Issue: "must be a fraction above 0 and at most 1 (0.05 is 5 %), or 0 for the default 0.05"})
		case r.ErrorRateThreshold > 0:
			auto.ErrorRateThreshold = r.ErrorRateThreshold
		}
		switch {
		case r.LatencyThresholdMS < 0 || r.LatencyThresholdMS > core.MaxLatencyThresholdMS:
			issues = append(issues, template.Issue{Field: "auto_rollback.latency_threshold_ms",
				Issue: "must be from 1 to 600000 ms, or 0 for the default 1000"})
		case r.LatencyThresholdMS > 0:
			auto.LatencyThresholdMS = r.LatencyThresholdMS
		}
	}
	if utf8.RuneCountInString(b.Reason) > core.MaxReasonChars {
		issues = append(issues, template.Issue{Field: "reason", Issue: "must be at most 500 characters"})
	}
	return auto, issues
}

// accepted is the 202 of a started upgrade, with its Location.
func accepted(rc *httpapi.Request, u servicing.Upgrade) (int, any, *core.Error) {
	rc.Header = http.Header{"Location": {"/api/platform/upgrades/" + u.UpgradeID}}
	return http.StatusAccepted, u, nil
}

// upgradeAgent starts an upgrade: checks run 400 (the body, a version the
// agent does not have), then 409 (an upgrade in progress, an agent neither
// online nor offline, a target that is not newer).
func (h *handlers) upgradeAgent(rc *httpapi.Request) (int, any, *core.Error) {
	var b upgradeBody
	if e := rc.Decode(&b); e != nil {
		return 0, nil, e
	}
	auto, issues := b.check()
	if len(issues) > 0 {
		return 0, nil, core.InvalidRequest(issues)
	}
	u, e := h.World().Upgrade(rc.Param("id"), core.UpgradeRequest{TargetVersion: b.TargetVersion, Strategy: b.Strategy,
		AutoRollback: auto, Reason: b.Reason, By: rc.Who.Email}, rc.Now)
	if e != nil {
		return 0, nil, e
	}
	return accepted(rc, u)
}

// rollbackAgent starts a rollback to the version before the current one
// (or to a given one the agent ran before): 400 for the body or a version
// the agent does not have, 409 for an upgrade in progress, an agent neither
// online nor offline, nothing to roll back to, or a version it never ran.
func (h *handlers) rollbackAgent(rc *httpapi.Request) (int, any, *core.Error) {
	var b struct {
		TargetVersion string `json:"target_version"`
		Reason        string `json:"reason"`
	}
	if e := rc.Decode(&b); e != nil {
		return 0, nil, e
	}
	var issues []template.Issue
	switch n := utf8.RuneCountInString(b.Reason); {
	case strings.TrimSpace(b.Reason) == "":
		issues = append(issues, template.Issue{Field: "reason", Issue: "is required: say why the agent goes back"})
	case n > core.MaxReasonChars:
		issues = append(issues, template.Issue{Field: "reason", Issue: "must be at most 500 characters"})
	}
	if len(issues) > 0 {
		return 0, nil, core.InvalidRequest(issues)
	}
	u, e := h.World().Rollback(rc.Param("id"), core.UpgradeRequest{TargetVersion: b.TargetVersion, Reason: b.Reason, By: rc.Who.Email}, rc.Now)
	if e != nil {
		return 0, nil, e
	}
	return accepted(rc, u)
}

// agentTemplate is the template agent a was made from.
func (h *handlers) agentTemplate(rc *httpapi.Request, a platform.Agent) (template.Template, *core.Error) {
	t, err := h.Templates.Get(rc.R.Context(), a.TemplateID)
	if err == nil && t == nil {
		err = errors.New("the source returned no template")
	}
	if err != nil {
		return nil, core.TemplateFailure(fmt.Errorf("agent %s's template %s: %w", a.AgentID, a.TemplateID, err))
	}
	return t, nil
}

// configOf is agent a's config: its template's default config (or the
// generic one) until it is first changed.
func (h *handlers) configOf(rc *httpapi.Request, st *core.World, a platform.Agent) (core.AgentConfig, *core.Error) {
	if c, ok := st.Servicing.Config(a.AgentID); ok {
		return c, nil
	}
	raw := json.RawMessage(genericDefaultConfig)
	if a.TemplateID != "" {
		t, e := h.agentTemplate(rc, a)
		if e != nil {
			return core.AgentConfig{}, e
		}
		d, err := t.Describe(rc.R.Context())
		if err != nil {
			return core.AgentConfig{}, core.TemplateFailure(err)
		}
		raw = d.DefaultConfig
	}
	cfg, err := template.DecodeObject(raw)
	if err != nil {
		return core.AgentConfig{}, core.TemplateFailure(fmt.Errorf("agent %s's template %s: default_config %w", a.AgentID, a.TemplateID, err))
	}
	return st.Servicing.InitConfig(a.AgentID, core.AgentConfig{Version: 1, Config: cfg, Updated: a.CreatedAt}), nil
}

func (h *handlers) getAgentConfig(rc *httpapi.Request) (int, any, *core.Error) {
	a, e := h.agent(rc)
	if e != nil {
		return 0, nil, e
	}
	c, e := h.configOf(rc, h.World(), a)
	if e != nil {
		return 0, nil, e
	}
	schema := h.SchemaOf(rc.R.Context(), a.TemplateID)
	return http.StatusOK, servicing.Config{AgentID: a.AgentID, ConfigVersion: c.Version, Config: area.Shown(schema, c.Config), UpdatedAt: c.Updated}, nil
}

// patchAgentConfig merges the body's config (an RFC 7386 merge patch) into
// the agent's config, validates the result against the agent's template (or
// the generic schema) and applies it: all of it, or nothing.
func (h *handlers) patchAgentConfig(rc *httpapi.Request) (int, any, *core.Error) {
	var b struct {
		Config json.RawMessage `json:"config"`
		Reason string          `json:"reason"`
	}
	if e := rc.Decode(&b); e != nil {
		return 0, nil, e
	}
	if t := bytes.TrimSpace(b.Config); len(t) == 0 || string(t) == "null" {
		return 0, nil, core.InvalidField("config", "is required: a JSON object, the merge patch of the agent's config (RFC 7386)")
	}
	patch, err := template.DecodeObject(b.Config)
	if err != nil {
		return 0, nil, core.InvalidField("config", err.Error()+": send the merge patch of the agent's config (RFC 7386)")
	}
	if utf8.RuneCountInString(b.Reason) > core.MaxReasonChars {
		return 0, nil, core.InvalidField("reason", "must be at most 500 characters")
	}
	st := h.World()
	a, e := h.agent(rc)
	if e != nil {
		return 0, nil, e
	}
	schema := h.SchemaOf(rc.R.Context(), a.TemplateID)
	area.MaskJournal(rc, schema)
	template.DropMasked(schema, patch)
	for range core.ConfigCommitAttempts {
		cur, e := h.configOf(rc, st, a)
		if e != nil {
			return 0, nil, e
		}
		merged := servicing.MergePatch(cur.Config, patch).(map[string]any)
		if e := h.validateConfig(rc, st, a, merged); e != nil {
			return 0, nil, e
		}
		next, ok := st.SetConfig(a.AgentID, cur.Version, merged, rc.Actor(""), rc.Now)
		if !ok {
			continue // another patch came first: merge into its result
		}
		return http.StatusOK, servicing.ConfigUpdate{
			AgentID: a.AgentID, ConfigVersion: next.Version, AppliedAt: rc.Now,
			AgentReloaded: true, DowntimeSeconds: 0, Config: area.Shown(schema, next.Config),
		}, nil
	}
	return 0, nil, core.Conflict("agent %q's config kept changing while this patch was applied: send it again", a.AgentID)
}

// validateConfig checks agent a's whole config cfg: 400 with every problem
// under "config." when it does not pass.
func (h *handlers) validateConfig(rc *httpapi.Request, st *core.World, a platform.Agent, cfg map[string]any) *core.Error {
	raw, err := json.Marshal(cfg)
	if err != nil {
		return core.InvalidField("config", "cannot be encoded: "+err.Error())
	}
	var issues []template.Issue
	if a.TemplateID != "" {
		t, e := h.agentTemplate(rc, a)
		if e != nil {
			return e
		}
		if issues, err = t.Validate(rc.R.Context(), raw); err != nil {
			return core.TemplateFailure(err)
		}
	} else {
		schema, err := st.Servicing.GenericSchema()
		if err != nil {
			return core.Errorf(http.StatusInternalServerError, "internal", "the generic agent config schema: %v", err)
		}
		issues = schema.Validate(raw)
	}
	if len(issues) == 0 {
		return nil
	}
	for i := range issues {
		issues[i].Field = configPath(issues[i].Field)
	}
	return core.InvalidRequest(issues)
}

// configPath puts a config issue's path under "config".
func configPath(f string) string {
	switch {
	case f == "":
		return "config"
	case strings.HasPrefix(f, "["):
		return "config" + f
	default:
		return "config." + f
	}
}

// genericDefaultConfig is the config agents without a template start with
// (the first backend's AgentConfig, and a rate limit).
const genericDefaultConfig = `{"auto_restart":true,"cpu_limit_percent":80,"log_level":"INFO","max_concurrent_tasks":5,` +
	`"memory_limit_mb":512,"rate_limit":100,"retry_attempts":3,"timeout_seconds":300}`
