package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/platform"
)

// The factory's six-step wizard. The request so far lives in the session
// (so back, next and reloads keep it); each step is a page of its own
// (/factory, /factory/configure, /factory/resources, /factory/review), and
// the deployment's progress and its end are the page of the deployment
// (/factory/deployments/{id}). Every post replays the request into a new
// factory.Wizard: the SDK's wizard is the one place the steps' rules live.

var wizardSteps = []struct{ Key, Label, Path string }{
	{"template", "Template", "/factory"},
	{"configure", "Configure", "/factory/configure"},
	{"resources", "Resources", "/factory/resources"},
	{"review", "Review", "/factory/review"},
	{"deploy", "Deploy", ""},
	{"done", "Done", ""},
}

type stepLink struct {
	N            int
	Label, Path  string
	Current, Off bool
}

type capChoice struct {
	Name              string
	Required, Checked bool
}

type factoryPage struct {
	Step      string
	Steps     []stepLink
	Templates []factory.Description
	Template  *factory.Description
	Req       factory.Request
	// Problems are the platform's (or the wizard's) issues by field:
	// "agent_name", "resources.cpu_cores"; config fields are on Fields.
	Problems  map[string][]string
	Fields    []formField
	RawConfig string // the whole config as JSON, when the schema gives no fields
	Caps      []capChoice
	Res       factory.Resources
	Plan      string
	Plans     []factory.Plan
	Cost      template.Cost
	Review    *factory.Review
	Resolved  string // the resolved config, indented
	Warnings  []factory.Issue
	Checked   string // who checked the step: "the platform" or "the console"
}

var plans = []factory.Plan{factory.PlanStarter, factory.PlanProfessional, factory.PlanEnterprise}

// steps is the wizard's step indicator at step current, the steps up to
// reachable opened as links.
func steps(current string, reachable int) []stepLink {
	var out []stepLink
	for i, st := range wizardSteps {
		out = append(out, stepLink{N: i + 1, Label: st.Label, Path: st.Path, Current: st.Key == current, Off: i > reachable || st.Path == ""})
	}
	return out
}

// factoryClient is the session's factory client, checking requests against
// the built-in templates and the platform's plugin templates.
func factoryClient(s *session) *factory.Client {
	fc := client(s).Factory
	return fc.WithTemplates(template.Combine(template.Builtins(), remoteTemplates{fc}))
}

// replay builds the wizard of req: the template, then the resources and the
// configuration as far as req has them.
func replay(ctx context.Context, fc *factory.Client, req factory.Request) (*factory.Wizard, error) {
	w := fc.NewWizard()
	if req.TemplateID == "" {
		return w, nil
	}
	if _, err := w.ChooseTemplate(ctx, req.TemplateID); err != nil {
		return nil, err
	}
	if _, ok := w.Template(); !ok {
		return w, nil
	}
	if req.Resources != nil || req.Plan != "" {
		var r factory.Resources
		if req.Resources != nil {
			r = *req.Resources
		}
		if _, err := w.SetResources(ctx, r, req.Plan); err != nil {
			return nil, err
		}
	}
	if _, err := w.Configure(ctx, factory.Configuration{AgentName: req.AgentName, Description: req.Description,
		Capabilities: req.Capabilities, Config: req.Config}); err != nil {
		return nil, err
	}
	return w, nil
}

// byField groups issues by field, keeping those of one step (prefixes).
func byField(issues []factory.Issue, prefixes ...string) map[string][]string {
	out := map[string][]string{}
	for _, is := range issues {
		for _, p := range prefixes {
			if is.Field == p || strings.HasPrefix(is.Field, p+".") || strings.HasPrefix(is.Field, p+"[") {
				out[is.Field] = append(out[is.Field], is.Issue)
				break
			}
		}
	}
	return out
}

func (c *Console) factoryView(r *http.Request, s *session, p *factoryPage) *view {
	v := c.view(r, s, "factory", "Factory · "+wizardLabel(p.Step))
	p.Steps = steps(p.Step, reach(r.Context(), s))
	for i := range p.Steps {
		p.Steps[i].Path = c.href(p.Steps[i].Path)
	}
	v.Page = p
	return v
}

func wizardLabel(key string) string {
	for i, st := range wizardSteps {
		if st.Key == key {
			return fmt.Sprintf("step %d of 6, %s", i+1, strings.ToLower(st.Label))
		}
	}
	return key
}

// configureFields and resourceFields are the fields each step owns.
var (
	configureFields = []string{"template_id", "agent_name", "description", "capabilities", "config"}
	resourceFields  = []string{"resources", "plan"}
)

// reach is how far the session's draft lets one go: the index of the last
// step that can be opened (0 template, 1 configure, 2 resources, 3 review),
// by the wizard's own check of the request so far.
func reach(ctx context.Context, s *session) int {
	req := s.wizardDraft()
	if req.TemplateID == "" {
		return 0
	}
	wz, err := replay(ctx, factoryClient(s), req)
	if err != nil {
		return 0
	}
	if _, ok := wz.Template(); !ok {
		return 0
	}
	rv, err := wz.Review(ctx)
	if err != nil || req.AgentName == "" || len(byField(rv.Result.Errors, configureFields...)) > 0 {
		return 1
	}
	if (req.Resources == nil && req.Plan == "") || len(byField(rv.Result.Errors, resourceFields...)) > 0 {
		return 2
	}
	return 3
}

func (c *Console) factoryTemplates(w http.ResponseWriter, r *http.Request, s *session) {
	c.renderTemplates(w, r, s, http.StatusOK, nil)
}

func (c *Console) renderTemplates(w http.ResponseWriter, r *http.Request, s *session, status int, problems map[string][]string) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	req := s.wizardDraft()
	p := &factoryPage{Step: "template", Req: req, Problems: problems}
	for d, err := range client(s).Factory.Templates(ctx, platform.ListOptions{}) {
		if err != nil {
			c.platformError(w, r, s, "the templates", err)
			return
		}
		p.Templates = append(p.Templates, d)
	}
	c.render(w, r, status, "factory", c.factoryView(r, s, p))
}

func (c *Console) factoryChoose(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	id := strings.TrimSpace(r.PostForm.Get("template_id"))
	wz := factoryClient(s).NewWizard()
	res, err := wz.ChooseTemplate(ctx, id)
	if err != nil {
		c.platformError(w, r, s, "template "+id, err)
		return
	}
	if !res.Valid {
		c.renderTemplates(w, r, s, http.StatusUnprocessableEntity, byField(res.Errors, "template_id"))
		return
	}
	if s.wizardDraft().TemplateID != id {
		s.setWizardDraft(factory.Request{TemplateID: id}) // another template: what belonged to the old one goes
	}
	http.Redirect(w, r, c.href("/factory/configure"), http.StatusSeeOther)
}

// draftWizard replays the session's draft, sending the browser to the
// first step when no template is chosen yet.
func (c *Console) draftWizard(w http.ResponseWriter, r *http.Request, s *session) (context.Context, context.CancelFunc, *factory.Wizard, factory.Description, bool) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	wz, err := replay(ctx, factoryClient(s), s.wizardDraft())
	if err != nil {
		cancel()
		c.platformError(w, r, s, "the template", err)
		return nil, nil, nil, factory.Description{}, false
	}
	d, ok := wz.Template()
	if !ok {
		cancel()
		s.setFlash("error", "Choose a template first.")
		http.Redirect(w, r, c.href("/factory"), http.StatusSeeOther)
		return nil, nil, nil, factory.Description{}, false
	}
	return ctx, cancel, wz, d, true
}

func (c *Console) configurePage(d factory.Description, req factory.Request, problems map[string][]string) *factoryPage {
	p := &factoryPage{Step: "configure", Template: &d, Req: req, Problems: problems}
	values := configValues(d.DefaultConfig, req.Config)
	p.Fields = schemaFields(d.ConfigSchema, values)
	if p.Fields == nil {
		b, _ := json.MarshalIndent(values, "", "  ")
		p.RawConfig = string(b)
	}
	for i := range p.Fields {
		f := &p.Fields[i]
		for field, msgs := range problems {
			if field == "config."+f.Name || strings.HasPrefix(field, "config."+f.Name+".") || strings.HasPrefix(field, "config."+f.Name+"[") {
				f.Problems = append(f.Problems, msgs...)
			}
		}
	}
	for _, cp := range d.RequiredCapabilities {
		p.Caps = append(p.Caps, capChoice{Name: cp, Required: true, Checked: true})
	}
	for _, cp := range d.OptionalCapabilities {
		p.Caps = append(p.Caps, capChoice{Name: cp, Checked: slices.Contains(req.Capabilities, cp)})
	}
	return p
}

func (c *Console) factoryConfigure(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel, wz, d, ok := c.draftWizard(w, r, s)
	if !ok {
		return
	}
	defer cancel()
	_ = ctx
	p := c.configurePage(d, wz.Request(), nil)
	c.render(w, r, http.StatusOK, "factory", c.factoryView(r, s, p))
}

func (c *Console) factoryConfigurePost(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel, wz, d, ok := c.draftWizard(w, r, s)
	if !ok {
		return
	}
	defer cancel()
	f := r.PostForm
	cfg := factory.Configuration{AgentName: strings.TrimSpace(f.Get("agent_name")), Description: strings.TrimSpace(f.Get("description"))}
	var optional []string
	for _, cp := range f["capabilities"] {
		if slices.Contains(d.OptionalCapabilities, cp) {
			optional = append(optional, cp)
		}
	}
	if len(optional) > 0 {
		cfg.Capabilities = append(slices.Clone(d.RequiredCapabilities), optional...)
	}
	fields := schemaFields(d.ConfigSchema, nil)
	local := map[string]string{}
	if fields == nil {
		raw := strings.TrimSpace(f.Get("config"))
		if raw != "" {
			if _, err := template.DecodeObject([]byte(raw)); err != nil {
				local["config"] = err.Error()
			} else {
				cfg.Config = json.RawMessage(raw)
			}
		}
	} else {
		cfg.Config, local = readConfig(fields, f.Get)
	}
	res, err := wz.Configure(ctx, cfg)
	if err != nil {
		c.platformError(w, r, s, "the template", err)
		return
	}
	req := wz.Request()
	s.setWizardDraft(req)
	if f.Get("nav") == "back" {
		http.Redirect(w, r, c.href("/factory"), http.StatusSeeOther)
		return
	}
	// The platform checks the request too (it has the last word: a plugin
	// template's rules, names taken).
	issues := res.Errors
	if len(local) == 0 {
		if pres, err := client(s).Factory.Validate(ctx, req); err == nil {
			issues = pres.Errors
		} else if isAuthLapse(err) {
			c.platformError(w, r, s, "the check", err)
			return
		}
	}
	problems := byField(issues, "agent_name", "description", "capabilities", "config")
	for k, msg := range local {
		problems["config."+k] = append(problems["config."+k], msg)
	}
	if len(problems) > 0 {
		p := c.configurePage(d, req, problems)
		c.render(w, r, http.StatusUnprocessableEntity, "factory", c.factoryView(r, s, p))
		return
	}
	http.Redirect(w, r, c.href("/factory/resources"), http.StatusSeeOther)
}

func resourcesPage(d factory.Description, req factory.Request, res factory.Resources, plan string, problems map[string][]string, warnings []factory.Issue) *factoryPage {
	if res.CPUCores == 0 {
		res.CPUCores = d.ResourceDefaults.CPUCores
	}
	if res.MemoryGB == 0 {
		res.MemoryGB = d.ResourceDefaults.MemoryGB
	}
	if res.StorageGB == 0 {
		res.StorageGB = d.ResourceDefaults.StorageGB
	}
	if plan == "" {
		plan = string(factory.PlanProfessional)
	}
	return &factoryPage{Step: "resources", Template: &d, Req: req, Res: res, Plan: plan,
		Plans: plans, Problems: problems, Warnings: warnings, Cost: template.EstimateCost(res, factory.Plan(plan))}
}

func (c *Console) factoryResources(w http.ResponseWriter, r *http.Request, s *session) {
	_, cancel, wz, d, ok := c.draftWizard(w, r, s)
	if !ok {
		return
	}
	defer cancel()
	req := wz.Request()
	if reach(r.Context(), s) < 2 {
		s.setFlash("error", "Finish the configuration first: the problems are shown next to their fields when you press Next.")
		http.Redirect(w, r, c.href("/factory/configure"), http.StatusSeeOther)
		return
	}
	var res factory.Resources
	if req.Resources != nil {
		res = *req.Resources
	}
	c.render(w, r, http.StatusOK, "factory", c.factoryView(r, s, resourcesPage(d, req, res, string(req.Plan), nil, nil)))
}

// readResources reads the sliders; a value that is not a number is a
// problem of its field.
func readResources(v url.Values) (factory.Resources, string, map[string][]string) {
	problems := map[string][]string{}
	num := func(name string) float64 {
		raw := strings.TrimSpace(v.Get(name))
		if raw == "" {
			return 0
		}
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			problems["resources."+name] = []string{"“" + raw + "” is not a number"}
			return 0
		}
		return f
	}
	res := factory.Resources{CPUCores: num("cpu_cores"), MemoryGB: num("memory_gb"), StorageGB: num("storage_gb")}
	return res, strings.TrimSpace(v.Get("plan")), problems
}

func (c *Console) factoryResourcesPost(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel, wz, d, ok := c.draftWizard(w, r, s)
	if !ok {
		return
	}
	defer cancel()
	res, plan, problems := readResources(r.PostForm)
	result, err := wz.SetResources(ctx, res, factory.Plan(plan))
	if err != nil {
		c.platformError(w, r, s, "the template", err)
		return
	}
	for k, v := range byField(result.Errors, "resources", "plan") {
		if _, mine := problems[k]; !mine {
			problems[k] = v
		}
	}
	nav := r.PostForm.Get("nav")
	if len(problems) == 0 || nav == "back" {
		s.setWizardDraft(wz.Request())
	}
	switch {
	case nav == "back":
		http.Redirect(w, r, c.href("/factory/configure"), http.StatusSeeOther)
	case len(problems) > 0:
		c.render(w, r, http.StatusUnprocessableEntity, "factory", c.factoryView(r, s, resourcesPage(d, wz.Request(), res, plan, problems, result.Warnings)))
	case nav == "estimate": // the estimate without script
		c.render(w, r, http.StatusOK, "factory", c.factoryView(r, s, resourcesPage(d, wz.Request(), res, plan, nil, result.Warnings)))
	default:
		http.Redirect(w, r, c.href("/factory/review"), http.StatusSeeOther)
	}
}

// factoryEstimate is GET /factory/estimate?cpu_cores=&memory_gb=&storage_gb=&plan=:
// the monthly cost, for the sliders' script.
func (c *Console) factoryEstimate(w http.ResponseWriter, r *http.Request, s *session) {
	res, plan, problems := readResources(r.URL.Query())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if len(problems) > 0 || (plan != "" && !slices.Contains(plans, factory.Plan(plan))) {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": "give numbers for the resources and a known plan"})
		return
	}
	cost := template.EstimateCost(res, factory.Plan(plan))
	json.NewEncoder(w).Encode(map[string]string{
		"total": money(cost.Total), "cpu": money(cost.Breakdown.CPU), "memory": money(cost.Breakdown.Memory),
		"storage": money(cost.Breakdown.Storage), "network": money(cost.Breakdown.Network),
	})
}

func money(f float64) string { return fmt.Sprintf("$%.2f", f) }

func (c *Console) factoryReview(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel, wz, d, ok := c.draftWizard(w, r, s)
	if !ok {
		return
	}
	defer cancel()
	if reach(ctx, s) < 2 {
		s.setFlash("error", "Finish the configuration first: the problems are shown next to their fields when you press Next.")
		http.Redirect(w, r, c.href("/factory/configure"), http.StatusSeeOther)
		return
	}
	c.renderReview(w, r, s, ctx, wz, d, http.StatusOK)
}

func (c *Console) renderReview(w http.ResponseWriter, r *http.Request, s *session, ctx context.Context, wz *factory.Wizard, d factory.Description, status int) {
	rv, err := wz.Review(ctx)
	if err != nil {
		c.platformError(w, r, s, "the review", err)
		return
	}
	p := &factoryPage{Step: "review", Template: &d, Req: rv.Request, Review: rv,
		Cost: rv.Cost, Problems: byField(rv.Result.Errors, "template_id", "agent_name", "description", "capabilities", "config", "resources", "plan")}
	var cfg any
	if json.Unmarshal(rv.Resolved.Config, &cfg) == nil {
		b, _ := json.MarshalIndent(cfg, "", "  ")
		p.Resolved = string(b)
	}
	c.render(w, r, status, "factory", c.factoryView(r, s, p))
}

func (c *Console) factoryDeploy(w http.ResponseWriter, r *http.Request, s *session) {
	if c.refuse(w, r, s, "create agents", true) {
		return
	}
	ctx, cancel, wz, d, ok := c.draftWizard(w, r, s)
	if !ok {
		return
	}
	defer cancel()
	op, err := wz.Deploy(ctx)
	var pe *platform.Error
	switch {
	case err == nil:
	case errors.Is(err, platform.ErrConflict) && errors.As(err, &pe) && len(pe.Details) > 0:
		// A name taken since the check: say so next to the name.
		problems := map[string][]string{}
		for _, det := range pe.Details {
			problems[det.Field] = append(problems[det.Field], det.Issue)
		}
		c.render(w, r, http.StatusConflict, "factory", c.factoryView(r, s, c.configurePage(d, wz.Request(), problems)))
		return
	case errors.Is(err, platform.ErrInvalidArgument):
		s.setFlash("error", "Nothing was deployed: "+plainError(err)+". Fix the steps marked below.")
		c.renderReview(w, r, s, ctx, wz, d, http.StatusUnprocessableEntity)
		return
	default:
		c.actionFailed(w, r, s, "/factory/review", "deploy "+wz.Request().AgentName, err)
		return
	}
	s.setWizardDraft(factory.Request{})
	dep := op.Last()
	s.setFlash("ok", fmt.Sprintf("Deploying %s as agent %s.", wz.Request().AgentName, dep.AgentID))
	http.Redirect(w, r, c.href("/factory/deployments/"+url.PathEscape(op.ID())), http.StatusSeeOther)
}

func (c *Console) factoryReset(w http.ResponseWriter, r *http.Request, s *session) {
	s.setWizardDraft(factory.Request{})
	http.Redirect(w, r, c.href("/factory"), http.StatusSeeOther)
}

type deploymentPage struct {
	Steps      []stepLink
	Deployment factory.Deployment
	Agent      *platform.Agent
}

func (c *Console) deploymentPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	cl := client(s)
	op, err := cl.Factory.Deployment(ctx, r.PathValue("id"))
	if err != nil {
		c.platformError(w, r, s, "the deployment", err)
		return
	}
	p := deploymentPage{Deployment: op.Last()}
	step := "deploy"
	if p.Deployment.Status == factory.DeploymentCompleted {
		step = "done"
	}
	p.Steps = steps(step, 5)
	for i := range p.Steps {
		p.Steps[i].Off = true
	}
	if a, err := cl.Agents.Get(ctx, p.Deployment.AgentID); err == nil {
		p.Agent = a
	}
	title := "Deploying " + p.Deployment.AgentID
	if step == "done" {
		title = "Deployed " + p.Deployment.AgentID
	}
	v := c.view(r, s, "factory", title)
	v.Live, v.PollSeconds, v.Page = "deployments,agents", 5, p
	c.render(w, r, http.StatusOK, "deployment", v)
}

// remoteTemplates are the platform's templates other than the built-ins
// (plugin templates), as a template.Source for the wizard: a config is
// checked by the platform.
type remoteTemplates struct{ fc *factory.Client }

var builtinIDs = map[string]bool{"tmpl-api": true, "tmpl-blank": true, "tmpl-data": true, "tmpl-memory": true, "tmpl-monitoring": true, "tmpl-orchestration": true}

func (rt remoteTemplates) List(ctx context.Context) ([]template.Description, error) {
	var out []template.Description
	for d, err := range rt.fc.Templates(ctx, platform.ListOptions{}) {
		if err != nil {
			return nil, err
		}
		if !builtinIDs[d.TemplateID] {
			out = append(out, d)
		}
	}
	return out, nil
}

func (rt remoteTemplates) Get(ctx context.Context, id string) (template.Template, error) {
	if builtinIDs[id] || id == "" {
		return nil, template.ErrNotFound
	}
	d, err := rt.fc.Template(ctx, id)
	if errors.Is(err, platform.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", template.ErrNotFound, id)
	}
	if err != nil {
		return nil, err
	}
	return remoteTemplate{rt.fc, *d}, nil
}

type remoteTemplate struct {
	fc *factory.Client
	d  template.Description
}

func (t remoteTemplate) Describe(context.Context) (template.Description, error) { return t.d, nil }

// Validate asks the platform to check config (with a name that passes, so
// only the config's issues come back).
func (t remoteTemplate) Validate(ctx context.Context, config json.RawMessage) ([]template.Issue, error) {
	res, err := t.fc.Validate(ctx, factory.Request{TemplateID: t.d.TemplateID, AgentName: "config-check", Config: config})
	if err != nil {
		return nil, err
	}
	var out []template.Issue
	for _, is := range res.Errors {
		if f, ok := strings.CutPrefix(is.Field, "config."); ok {
			out = append(out, template.Issue{Field: f, Issue: is.Issue})
		} else if is.Field == "config" {
			out = append(out, template.Issue{Issue: is.Issue})
		}
	}
	return out, nil
}

func (t remoteTemplate) Render(context.Context, template.RenderRequest) (template.Spec, error) {
	return template.Spec{}, errors.New("console: a plugin template is rendered by the platform")
}
