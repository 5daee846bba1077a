package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
	"github.com/waooaw/waooaw-go/workflows"
)

// pageTimeout bounds the platform calls of one page.
const pageTimeout = 15 * time.Second

func (c *Console) routes() {
	m := http.NewServeMux()
	c.mux = m
	m.Handle("GET /static/", http.StripPrefix("/static/", staticHandler()))
	m.HandleFunc("GET /login", c.loginPage)
	m.HandleFunc("GET /auth/start", c.startLogin)
	m.HandleFunc("GET /auth/callback", c.callback)
	m.HandleFunc("POST /logout", c.signedIn(c.logout))
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})

	m.HandleFunc("GET /{$}", c.signedIn(c.dashboard))
	m.HandleFunc("GET /agents/{id}", c.signedIn(c.agentPage))
	m.HandleFunc("POST /agents/{id}/{action}", c.signedIn(c.agentAction))

	m.HandleFunc("GET /queues", c.signedIn(c.queuesPage))
	m.HandleFunc("GET /queues/{name}", c.signedIn(c.queuePage))
	m.HandleFunc("POST /queues/{name}/messages/{msg}/{action}", c.signedIn(c.messageAction))
	m.HandleFunc("POST /queues/{name}/{action}", c.signedIn(c.bulkAction))

	m.HandleFunc("GET /workflows", c.signedIn(c.workflowsPage))
	m.HandleFunc("GET /workflows/{id}", c.signedIn(c.workflowPage))
	m.HandleFunc("POST /workflows/{id}/tasks/{task}/retry", c.signedIn(c.retryTask))
	m.HandleFunc("POST /workflows/{id}/{action}", c.signedIn(c.workflowAction))

	m.HandleFunc("GET /factory", c.signedIn(c.factoryTemplates))
	m.HandleFunc("POST /factory/template", c.signedIn(c.factoryChoose))
	m.HandleFunc("GET /factory/configure", c.signedIn(c.factoryConfigure))
	m.HandleFunc("POST /factory/configure", c.signedIn(c.factoryConfigurePost))
	m.HandleFunc("GET /factory/resources", c.signedIn(c.factoryResources))
	m.HandleFunc("POST /factory/resources", c.signedIn(c.factoryResourcesPost))
	m.HandleFunc("GET /factory/estimate", c.signedIn(c.factoryEstimate))
	m.HandleFunc("GET /factory/review", c.signedIn(c.factoryReview))
	m.HandleFunc("POST /factory/deploy", c.signedIn(c.factoryDeploy))
	m.HandleFunc("POST /factory/reset", c.signedIn(c.factoryReset))
	m.HandleFunc("GET /factory/deployments/{id}", c.signedIn(c.deploymentPage))

	m.HandleFunc("GET /servicing", c.signedIn(c.servicingPage))
	m.HandleFunc("GET /servicing/{agent}", c.signedIn(c.servicingAgentPage))
	m.HandleFunc("POST /servicing/{agent}/upgrade", c.signedIn(c.upgradePost))
	m.HandleFunc("POST /servicing/{agent}/rollback", c.signedIn(c.rollbackPost))
	m.HandleFunc("POST /servicing/{agent}/config", c.signedIn(c.configPost))
	m.HandleFunc("GET /servicing/{agent}/upgrades/{id}", c.signedIn(c.upgradePage))

	m.HandleFunc("GET /helpdesk", c.signedIn(c.helpdeskPage))
	m.HandleFunc("GET /helpdesk/customers/{id}", c.signedIn(c.customerPage))
	m.HandleFunc("POST /helpdesk/actions/{action}", c.signedIn(c.quickAction))
	m.HandleFunc("GET /helpdesk/playbooks/{id}", c.signedIn(c.playbookPage))

	m.HandleFunc("GET /logs", c.signedIn(c.logsPage))
	m.HandleFunc("GET /alerts", c.signedIn(c.alertsPage))
	m.HandleFunc("POST /alerts/{id}/{action}", c.signedIn(c.alertAction))

	m.HandleFunc("GET /events", c.signedIn(c.events))

	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { c.notFound(w, r) })
}

func client(s *session) *waooaw.Client {
	cl, _ := s.signedIn()
	return cl
}

// back sends a form post back to where it came from (a console path in
// the form's "back" field), with a flash message.
func (c *Console) back(w http.ResponseWriter, r *http.Request, s *session, fallback, kind, text string) {
	s.setFlash(kind, text)
	to := fallback
	if b := r.PostForm.Get("back"); b != "" {
		to = safeNext(b)
	}
	http.Redirect(w, r, c.href(to), http.StatusSeeOther)
}

// refuse answers a post the role cannot make, without asking the platform.
func (c *Console) refuse(w http.ResponseWriter, r *http.Request, s *session, what string, admin bool) bool {
	_, u := s.signedIn()
	if u != nil && ((!admin && canOperate(u.Role)) || (admin && canAdmin(u.Role))) {
		return false
	}
	need := "the operator or admin role"
	if admin {
		need = "the admin role"
	}
	role := "your role"
	if u != nil {
		role = "your role (" + string(u.Role) + ")"
	}
	c.errorPage(w, r, http.StatusForbidden, "Not allowed",
		fmt.Sprintf("Nothing was done: %s cannot %s. It needs %s.", role, what, need))
	return true
}

// ---- Dashboard and agents

type dashboardPage struct {
	Metrics  *platform.Metrics
	Agents   []platform.Agent
	Q        string
	Status   string
	Statuses []platform.AgentStatus
	Now      time.Time
}

var agentStatuses = []platform.AgentStatus{platform.AgentOnline, platform.AgentStarting, platform.AgentStopping,
	platform.AgentOffline, platform.AgentError, platform.AgentProvisioning}

func (c *Console) dashboard(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	cl := client(s)
	q := r.URL.Query()
	p := dashboardPage{Q: strings.TrimSpace(q.Get("q")), Status: q.Get("status"), Statuses: agentStatuses}
	if p.Status != "" && !validAgentStatus(p.Status) {
		p.Status = ""
	}
	m, err := cl.Platform.Metrics(ctx)
	if err != nil {
		c.platformError(w, r, s, "the metrics", err)
		return
	}
	p.Metrics, p.Now = m, m.GeneratedAt
	for a, err := range cl.Agents.List(ctx, platform.AgentListOptions{Q: p.Q, Status: platform.AgentStatus(p.Status)}) {
		if err != nil {
			c.platformError(w, r, s, "the agents", err)
			return
		}
		p.Agents = append(p.Agents, a)
	}
	v := c.view(r, s, "dashboard", "Dashboard")
	v.Live, v.PollSeconds, v.Page = "agents", 30, p
	c.render(w, r, http.StatusOK, "dashboard", v)
}

func validAgentStatus(s string) bool {
	for _, st := range agentStatuses {
		if string(st) == s {
			return true
		}
	}
	return false
}

type agentPage struct {
	Agent *platform.Agent
	Now   time.Time
	Back  string
}

func (c *Console) agentPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	cl := client(s)
	a, err := cl.Agents.Get(ctx, r.PathValue("id"))
	if err != nil {
		c.platformError(w, r, s, "the agent", err)
		return
	}
	m, err := cl.Platform.Metrics(ctx)
	if err != nil {
		c.platformError(w, r, s, "the platform's clock", err)
		return
	}
	v := c.view(r, s, "dashboard", a.Name)
	v.Live, v.PollSeconds = "agents", 30
	v.Page = agentPage{Agent: a, Now: m.GeneratedAt, Back: "/agents/" + url.PathEscape(a.AgentID)}
	c.render(w, r, http.StatusOK, "agent", v)
}

func (c *Console) agentAction(w http.ResponseWriter, r *http.Request, s *session) {
	id, action := r.PathValue("id"), r.PathValue("action")
	cl := client(s)
	calls := map[string]func(context.Context, string) (*platform.Agent, error){
		"restart": cl.Agents.Restart, "start": cl.Agents.Start, "stop": cl.Agents.Stop,
	}
	call, ok := calls[action]
	if !ok {
		c.notFound(w, r)
		return
	}
	c.act(w, r, s, act{
		may: action + " agents", from: "/agents/" + url.PathEscape(id), what: action + " " + id,
		do: func(ctx context.Context) (string, error) {
			a, err := call(ctx, id)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%s: %s asked; it is %s.", a.Name, action, a.Status), nil
		},
	})
}

// act is one form post that changes something on the platform.
type act struct {
	may   string // what the role must be allowed: "restart agents"
	admin bool   // needs the admin role, not only operator
	from  string // the page it came from, the fallback of "back"
	what  string // what it does, for "Could not …"
	// confirm, when set, asks first (for browsers without script): the
	// title, the text and the button of the confirmation page.
	confirm *[3]string
	// do makes the call and says what happened, for the flash.
	do func(ctx context.Context) (string, error)
}

// act runs one action: the role is checked before the platform is asked,
// a destructive one is confirmed, and the answer goes back to the page it
// came from as a flash message.
func (c *Console) act(w http.ResponseWriter, r *http.Request, s *session, a act) {
	if c.refuse(w, r, s, a.may, a.admin) {
		return
	}
	if a.confirm != nil && r.PostForm.Get("confirm") != "yes" {
		c.confirmPage(w, r, s, a.confirm[0], a.confirm[1], a.confirm[2], a.from)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	text, err := a.do(ctx)
	if err != nil {
		c.actionFailed(w, r, s, a.from, a.what, err)
		return
	}
	c.back(w, r, s, a.from, "ok", text)
}

// actionFailed shows a refused action on the page it came from, in the
// platform's words; a lapsed sign-in goes to /login.
func (c *Console) actionFailed(w http.ResponseWriter, r *http.Request, s *session, fallback, what string, err error) {
	if isAuthLapse(err) || isUnavailable(err) {
		c.platformError(w, r, s, what, err)
		return
	}
	c.back(w, r, s, fallback, "error", "Could not "+what+": "+plainError(err)+".")
}

// ---- Queues

type queuesPage struct {
	Queues []queues.Queue
}

func (c *Console) queuesPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	var p queuesPage
	for q, err := range client(s).Queues.List(ctx, queues.ListOptions{}) {
		if err != nil {
			c.platformError(w, r, s, "the queues", err)
			return
		}
		p.Queues = append(p.Queues, q)
	}
	v := c.view(r, s, "queues", "Queues")
	v.Live, v.PollSeconds, v.Page = "queues", 5, p
	c.render(w, r, http.StatusOK, "queues", v)
}

type queuePage struct {
	Queue    *queues.QueueDetail
	Messages []queues.Message
	More     bool
	Now      time.Time
	Filter   queues.Filter
	OlderMin string // the older-than filter in minutes, as typed
	Back     string
}

// dlqPageSize is how many dead letters the DLQ panel shows.
const dlqPageSize = 100

func (c *Console) queuePage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	cl := client(s)
	name := r.PathValue("name")
	f, olderMin, ferr := readFilter(r.URL.Query())
	qd, err := cl.Queues.Get(ctx, name)
	if err != nil {
		c.platformError(w, r, s, "queue "+name, err)
		return
	}
	p := queuePage{Queue: qd, Filter: f, OlderMin: olderMin, Back: "/queues/" + url.PathEscape(name)}
	if ferr == nil {
		page, err := cl.Queues.DLQPage(ctx, name, queues.DLQOptions{Filter: f, ListOptions: platform.ListOptions{PageSize: dlqPageSize}})
		if err != nil {
			c.platformError(w, r, s, "the dead letters of "+name, err)
			return
		}
		p.Messages, p.More = page.Items, page.NextPageToken != ""
	}
	m, err := cl.Platform.Metrics(ctx)
	if err != nil {
		c.platformError(w, r, s, "the platform's clock", err)
		return
	}
	p.Now = m.GeneratedAt
	v := c.view(r, s, "queues", "Queue "+name)
	if ferr != nil && v.Flash == nil {
		v.Flash = &flash{Kind: "error", Text: ferr.Error()}
	}
	v.Live, v.PollSeconds, v.Page = "queues", 5, p
	c.render(w, r, http.StatusOK, "queue", v)
}

// readFilter reads the DLQ filter of a query or form: error_contains and
// older_than (minutes).
func readFilter(v url.Values) (queues.Filter, string, error) {
	f := queues.Filter{ErrorContains: strings.TrimSpace(v.Get("error_contains"))}
	older := strings.TrimSpace(v.Get("older_than"))
	if len(f.ErrorContains) > 1024 {
		return queues.Filter{}, older, fmt.Errorf("the error text to match is over 1024 characters")
	}
	if older != "" {
		n, err := strconv.ParseInt(older, 10, 64)
		if err != nil || n < 0 || n > 10*365*24*60 {
			return queues.Filter{}, older, fmt.Errorf("older than %q: give a whole number of minutes, 0 or more", older)
		}
		f.OlderThanSeconds = n * 60
	}
	return f, older, nil
}

func (c *Console) messageAction(w http.ResponseWriter, r *http.Request, s *session) {
	name, msg, action := r.PathValue("name"), r.PathValue("msg"), r.PathValue("action")
	if action != "retry" && action != "delete" {
		c.notFound(w, r)
		return
	}
	cl := client(s)
	a := act{may: action + " dead letters", from: "/queues/" + url.PathEscape(name), what: action + " message " + msg}
	if action == "retry" {
		a.do = func(ctx context.Context) (string, error) {
			m, err := cl.Queues.Retry(ctx, name, msg)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("Message %s is back on %s (retry %d).", msg, name, m.RetryCount), nil
		}
	} else {
		a.confirm = &[3]string{"Delete message " + msg + "?", "The dead letter is deleted for good.", "Delete it"}
		a.do = func(ctx context.Context) (string, error) {
			return "Message " + msg + " is deleted.", cl.Queues.Delete(ctx, name, msg)
		}
	}
	c.act(w, r, s, a)
}

func (c *Console) bulkAction(w http.ResponseWriter, r *http.Request, s *session) {
	name, action := r.PathValue("name"), r.PathValue("action")
	if action != "retry-all" && action != "purge" {
		c.notFound(w, r)
		return
	}
	from := "/queues/" + url.PathEscape(name)
	words := strings.ReplaceAll(action, "-", " ")
	if c.refuse(w, r, s, words+" dead letters", false) {
		return
	}
	f, _, err := readFilter(r.PostForm)
	if err != nil {
		c.back(w, r, s, from, "error", "Nothing was done: "+err.Error()+".")
		return
	}
	cl := client(s)
	a := act{may: words + " dead letters", from: from, what: words + " on " + name}
	if action == "retry-all" {
		a.do = func(ctx context.Context) (string, error) {
			res, err := cl.Queues.RetryAll(ctx, name, f)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("Retried %d of %d matching dead letters.", res.Retried, res.Matched), nil
		}
	} else {
		a.confirm = &[3]string{"Purge the dead letters of " + name + "?", "Every matching dead letter is deleted for good.", "Delete them"}
		a.do = func(ctx context.Context) (string, error) {
			res, err := cl.Queues.Purge(ctx, name, f)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("Deleted %d of %d matching dead letters.", res.Deleted, res.Matched), nil
		}
	}
	c.act(w, r, s, a)
}

// ---- Workflows

type workflowsPage struct {
	Workflows []workflows.Workflow
	Status    string
	Statuses  []workflows.Status
}

var workflowStatuses = []workflows.Status{workflows.StatusPending, workflows.StatusRunning, workflows.StatusPaused,
	workflows.StatusCompleted, workflows.StatusFailed, workflows.StatusCancelled}

func (c *Console) workflowsPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	p := workflowsPage{Status: r.URL.Query().Get("status"), Statuses: workflowStatuses}
	valid := false
	for _, st := range workflowStatuses {
		valid = valid || string(st) == p.Status
	}
	if !valid {
		p.Status = ""
	}
	for wf, err := range client(s).Workflows.List(ctx, workflows.ListOptions{Status: workflows.Status(p.Status)}) {
		if err != nil {
			c.platformError(w, r, s, "the workflows", err)
			return
		}
		p.Workflows = append(p.Workflows, wf)
	}
	v := c.view(r, s, "workflows", "Workflows")
	v.Live, v.PollSeconds, v.Page = "workflows", 5, p
	c.render(w, r, http.StatusOK, "workflows", v)
}

type workflowPage struct {
	Workflow *workflows.Workflow
	Gantt    string // the SDK's SVG, its names escaped
	Critical map[string]bool
	Now      time.Time
	Back     string
}

func (c *Console) workflowPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	wf, err := client(s).Workflows.Get(ctx, r.PathValue("id"))
	if err != nil {
		c.platformError(w, r, s, "the workflow", err)
		return
	}
	p := workflowPage{Workflow: wf, Now: wf.AsOf(), Back: "/workflows/" + url.PathEscape(wf.WorkflowID), Critical: map[string]bool{}}
	if tl, err := workflows.NewTimeline(*wf, wf.AsOf()); err == nil {
		var b strings.Builder
		if tl.WriteSVG(&b) == nil {
			p.Gantt = b.String()
		}
		for _, id := range tl.CriticalPath {
			p.Critical[id] = true
		}
	}
	v := c.view(r, s, "workflows", wf.WorkflowName)
	v.Live, v.PollSeconds, v.Page = "workflows", 5, p
	c.render(w, r, http.StatusOK, "workflow", v)
}

func (c *Console) workflowAction(w http.ResponseWriter, r *http.Request, s *session) {
	id, action := r.PathValue("id"), r.PathValue("action")
	cl := client(s)
	calls := map[string]func(context.Context, string) (*workflows.Workflow, error){
		"pause": cl.Workflows.Pause, "resume": cl.Workflows.Resume, "cancel": cl.Workflows.Cancel,
	}
	call, ok := calls[action]
	if !ok {
		c.notFound(w, r)
		return
	}
	a := act{may: action + " workflows", from: "/workflows/" + url.PathEscape(id), what: action + " workflow " + id,
		do: func(ctx context.Context) (string, error) {
			wf, err := call(ctx, id)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%s is %s.", wf.WorkflowName, wf.Status), nil
		}}
	if action == "cancel" {
		a.confirm = &[3]string{"Cancel workflow " + id + "?", "Running tasks stop, pending ones never start, and a cancelled workflow cannot be resumed.", "Cancel the workflow"}
	}
	c.act(w, r, s, a)
}

func (c *Console) retryTask(w http.ResponseWriter, r *http.Request, s *session) {
	id, task := r.PathValue("id"), r.PathValue("task")
	c.act(w, r, s, act{may: "retry tasks", from: "/workflows/" + url.PathEscape(id), what: "retry task " + task,
		do: func(ctx context.Context) (string, error) {
			wf, err := client(s).Workflows.RetryTask(ctx, id, task)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("Task %s is retried; %s is %s.", task, wf.WorkflowName, wf.Status), nil
		}})
}
