package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/servicing"
)

// historySize is how many entries of the servicing history a page shows.
const historySize = 20

var strategies = []servicing.Strategy{servicing.StrategyBlueGreen, servicing.StrategyCanary, servicing.StrategyRolling}

type servicingPage struct {
	Agents  []platform.Agent
	History []servicing.HistoryEntry
	Now     time.Time
}

func (c *Console) servicingPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	cl := client(s)
	var p servicingPage
	for a, err := range cl.Agents.List(ctx, platform.AgentListOptions{}) {
		if err != nil {
			c.platformError(w, r, s, "the agents", err)
			return
		}
		p.Agents = append(p.Agents, a)
	}
	page, err := cl.Servicing.HistoryPage(ctx, servicing.HistoryOptions{ListOptions: platform.ListOptions{PageSize: 10}})
	if err != nil {
		c.platformError(w, r, s, "the servicing history", err)
		return
	}
	p.History = page.Items
	v := c.view(r, s, "servicing", "Servicing")
	v.Live, v.PollSeconds, v.Page = "agents,upgrades", 30, p
	c.render(w, r, http.StatusOK, "servicing", v)
}

// upgradeForm is the upgrade form as typed.
type upgradeForm struct {
	Target, Strategy, ErrorPct, LatencyMS, Reason string
	AutoRollback                                  bool
}

type servicingAgentPage struct {
	Agent    *platform.Agent
	Versions *servicing.Versions
	Newer    []servicing.Version
	Older    []servicing.Version
	Config   *servicing.Config
	ConfigJS string
	History  []servicing.HistoryEntry
	Running  *servicing.HistoryEntry // an upgrade in progress
	Upgrade  upgradeForm
	// Problems are the platform's issues by field, for the forms:
	// "target_version", "auto_rollback.error_rate_threshold", "reason",
	// "config.rate_limit".
	Problems   map[string][]string
	Patch      string // the merge patch as typed
	Preview    string // the config with the patch applied
	PatchError string
	Strategies []servicing.Strategy
	Back       string
}

func (c *Console) loadServicing(ctx context.Context, s *session, id string) (*servicingAgentPage, string, error) {
	cl := client(s)
	a, err := cl.Agents.Get(ctx, id)
	if err != nil {
		return nil, "the agent", err
	}
	p := &servicingAgentPage{Agent: a, Strategies: strategies, Problems: map[string][]string{},
		Upgrade: upgradeForm{Strategy: string(servicing.StrategyBlueGreen), ErrorPct: "5", LatencyMS: "1000", AutoRollback: true},
		Back:    "/servicing/" + url.PathEscape(id)}
	if p.Versions, err = cl.Servicing.Versions(ctx, id); err != nil {
		return nil, "the agent's versions", err
	}
	newer := true
	for _, v := range p.Versions.AvailableVersions { // newest first
		switch {
		case v.Version == p.Versions.CurrentVersion:
			newer = false
		case newer:
			p.Newer = append(p.Newer, v)
		default:
			p.Older = append(p.Older, v)
		}
	}
	if rec := p.Versions.Recommended(); rec != nil {
		p.Upgrade.Target = rec.Version
	}
	if p.Config, err = cl.Servicing.Config(ctx, id); err != nil {
		return nil, "the agent's config", err
	}
	b, _ := json.MarshalIndent(p.Config.Config, "", "  ")
	p.ConfigJS = string(b)
	page, err := cl.Servicing.HistoryPage(ctx, servicing.HistoryOptions{AgentID: id, ListOptions: platform.ListOptions{PageSize: historySize}})
	if err != nil {
		return nil, "the agent's history", err
	}
	p.History = page.Items
	for i, h := range p.History {
		if !h.Status.Terminal() {
			p.Running = &p.History[i]
			break
		}
	}
	return p, "", nil
}

func (c *Console) renderServicing(w http.ResponseWriter, r *http.Request, s *session, status int, p *servicingAgentPage) {
	v := c.view(r, s, "servicing", "Servicing "+p.Agent.Name)
	v.Live, v.PollSeconds, v.Page = "agents,upgrades", 30, p
	c.render(w, r, status, "servicing-agent", v)
}

func (c *Console) servicingAgentPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	p, what, err := c.loadServicing(ctx, s, r.PathValue("agent"))
	if err != nil {
		c.platformError(w, r, s, what, err)
		return
	}
	c.renderServicing(w, r, s, http.StatusOK, p)
}

// issuesOf are the field issues of a refusal, by field.
func issuesOf(err error) map[string][]string {
	out := map[string][]string{}
	var pe *platform.Error
	if errors.As(err, &pe) {
		for _, d := range pe.Details {
			out[d.Field] = append(out[d.Field], d.Issue)
		}
	}
	return out
}

// formRefused re-renders the servicing page with the problems of a
// refused form (400: next to their fields) or goes back with the
// platform's words (a conflict, a role).
func (c *Console) formRefused(w http.ResponseWriter, r *http.Request, s *session, ctx context.Context, what string, err error, fill func(*servicingAgentPage)) {
	id := r.PathValue("agent")
	if !errors.Is(err, platform.ErrInvalidArgument) {
		c.actionFailed(w, r, s, "/servicing/"+url.PathEscape(id), what, err)
		return
	}
	p, what2, lerr := c.loadServicing(ctx, s, id)
	if lerr != nil {
		c.platformError(w, r, s, what2, lerr)
		return
	}
	fill(p)
	p.Problems = issuesOf(err)
	if len(p.Problems) == 0 {
		p.Problems[""] = []string{plainError(err)}
	}
	v := c.view(r, s, "servicing", "Servicing "+p.Agent.Name)
	v.Flash = &flash{Kind: "error", Text: "Nothing was changed: " + plainError(err) + "."}
	v.Live, v.PollSeconds, v.Page = "agents,upgrades", 30, p
	c.render(w, r, http.StatusUnprocessableEntity, "servicing-agent", v)
}

func readUpgrade(f url.Values) (upgradeForm, servicing.UpgradeRequest, map[string][]string) {
	uf := upgradeForm{Target: strings.TrimSpace(f.Get("target_version")), Strategy: f.Get("strategy"),
		ErrorPct: strings.TrimSpace(f.Get("error_rate_pct")), LatencyMS: strings.TrimSpace(f.Get("latency_ms")),
		Reason: strings.TrimSpace(f.Get("reason")), AutoRollback: f.Get("auto_rollback") == "on"}
	req := servicing.UpgradeRequest{TargetVersion: uf.Target, Strategy: servicing.Strategy(uf.Strategy), Reason: uf.Reason,
		AutoRollback: &servicing.AutoRollback{Enabled: uf.AutoRollback}}
	problems := map[string][]string{}
	if uf.ErrorPct != "" {
		pct, err := strconv.ParseFloat(uf.ErrorPct, 64)
		if err != nil {
			problems["auto_rollback.error_rate_threshold"] = []string{fmt.Sprintf("%q is not a number: give a percentage such as 5", uf.ErrorPct)}
		} else {
			req.AutoRollback.ErrorRateThreshold = pct / 100
		}
	}
	if uf.LatencyMS != "" {
		ms, err := strconv.ParseInt(uf.LatencyMS, 10, 64)
		if err != nil {
			problems["auto_rollback.latency_threshold_ms"] = []string{fmt.Sprintf("%q is not a whole number of milliseconds", uf.LatencyMS)}
		} else {
			req.AutoRollback.LatencyThresholdMS = ms
		}
	}
	return uf, req, problems
}

func (c *Console) upgradePost(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("agent")
	if c.refuse(w, r, s, "upgrade agents", true) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	uf, req, problems := readUpgrade(r.PostForm)
	fill := func(p *servicingAgentPage) { p.Upgrade = uf }
	if len(problems) > 0 {
		p, what, err := c.loadServicing(ctx, s, id)
		if err != nil {
			c.platformError(w, r, s, what, err)
			return
		}
		fill(p)
		p.Problems = problems
		c.renderServicing(w, r, s, http.StatusUnprocessableEntity, p)
		return
	}
	op, err := client(s).Servicing.Upgrade(ctx, id, req)
	if err != nil {
		c.formRefused(w, r, s, ctx, "upgrade "+id+" to "+uf.Target, err, fill)
		return
	}
	u := op.Last()
	s.setFlash("ok", fmt.Sprintf("Upgrading %s from %s to %s (%s).", id, u.FromVersion, u.ToVersion, u.Strategy))
	http.Redirect(w, r, c.href("/servicing/"+url.PathEscape(id)+"/upgrades/"+url.PathEscape(op.ID())), http.StatusSeeOther)
}

func (c *Console) rollbackPost(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("agent")
	if c.refuse(w, r, s, "roll agents back", true) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	req := servicing.RollbackRequest{TargetVersion: strings.TrimSpace(r.PostForm.Get("target_version")), Reason: strings.TrimSpace(r.PostForm.Get("reason"))}
	if req.Reason == "" {
		p, what, err := c.loadServicing(ctx, s, id)
		if err != nil {
			c.platformError(w, r, s, what, err)
			return
		}
		p.Problems = map[string][]string{"rollback.reason": {"is required: say why the agent goes back"}}
		c.renderServicing(w, r, s, http.StatusUnprocessableEntity, p)
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		c.confirmPage(w, r, s, "Roll "+id+" back?", "The agent goes back to "+cmp(req.TargetVersion, "the version it ran before")+" with a blue-green switch.", "Roll it back", "/servicing/"+url.PathEscape(id))
		return
	}
	op, err := client(s).Servicing.Rollback(ctx, id, req)
	if err != nil {
		c.formRefused(w, r, s, ctx, "roll "+id+" back", err, func(p *servicingAgentPage) {
			p.Problems = map[string][]string{}
		})
		return
	}
	u := op.Last()
	s.setFlash("ok", fmt.Sprintf("Rolling %s back from %s to %s.", id, u.FromVersion, u.ToVersion))
	http.Redirect(w, r, c.href("/servicing/"+url.PathEscape(id)+"/upgrades/"+url.PathEscape(op.ID())), http.StatusSeeOther)
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func cmp(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

func (c *Console) configPost(w http.ResponseWriter, r *http.Request, s *session) {
	id := r.PathValue("agent")
	preview := r.PostForm.Get("nav") == "preview"
	if !preview && c.refuse(w, r, s, "change agents' config", true) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	raw := strings.TrimSpace(r.PostForm.Get("patch"))
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	show := func(status int, patchErr string, problems map[string][]string) {
		p, what, err := c.loadServicing(ctx, s, id)
		if err != nil {
			c.platformError(w, r, s, what, err)
			return
		}
		p.Patch, p.PatchError = raw, patchErr
		if problems != nil {
			p.Problems = problems
		}
		if patchErr == "" {
			if m, err := template.DecodeObject([]byte(raw)); err == nil {
				var cur any = map[string]any(p.Config.Config)
				b, _ := json.MarshalIndent(servicing.MergePatch(cur, normalize(m)), "", "  ")
				p.Preview = string(b)
			}
		}
		c.renderServicing(w, r, s, status, p)
	}
	if _, err := template.DecodeObject([]byte(raw)); err != nil {
		show(http.StatusUnprocessableEntity, "The patch "+err.Error()+": write a JSON object such as {\"rate_limit\": 200}.", nil)
		return
	}
	if preview {
		show(http.StatusOK, "", nil)
		return
	}
	up, err := client(s).Servicing.PatchConfig(ctx, id, json.RawMessage(raw), reason)
	if err != nil {
		if errors.Is(err, platform.ErrInvalidArgument) {
			show(http.StatusUnprocessableEntity, "", issuesOf(err))
			return
		}
		c.actionFailed(w, r, s, "/servicing/"+url.PathEscape(id), "change the config of "+id, err)
		return
	}
	c.back(w, r, s, "/servicing/"+url.PathEscape(id), "ok",
		fmt.Sprintf("The config of %s is now version %d, applied with no downtime.", id, up.ConfigVersion))
}

// normalize turns json.Number values into float64s, as the platform's
// config decodes, so a preview shows numbers as the config does.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case json.Number:
		f, _ := x.Float64()
		return f
	}
	return v
}

type upgradePage struct {
	Upgrade servicing.Upgrade
	Agent   *platform.Agent
	Back    string
}

func (c *Console) upgradePage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	cl := client(s)
	agent := r.PathValue("agent")
	u, err := cl.Servicing.GetUpgrade(ctx, r.PathValue("id"))
	if err == nil && u.AgentID != agent {
		err = fmt.Errorf("upgrade %s is not of agent %s: %w", u.UpgradeID, agent, platform.ErrNotFound)
	}
	if err != nil {
		c.platformError(w, r, s, "the upgrade", err)
		return
	}
	p := upgradePage{Upgrade: *u, Back: "/servicing/" + url.PathEscape(agent)}
	if a, err := cl.Agents.Get(ctx, agent); err == nil {
		p.Agent = a
	}
	v := c.view(r, s, "servicing", fmt.Sprintf("%s %s of %s", titleCase(string(u.Kind)), u.UpgradeID, agent))
	v.Live, v.PollSeconds, v.Page = "upgrades,agents", 5, p
	c.render(w, r, http.StatusOK, "upgrade", v)
}
