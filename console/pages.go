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
func (c *Console) refuse(w http.ResponseWriter, r *http.Request, s *session, what string) bool {
	_, u := s.signedIn()
	if u != nil && canOperate(u.Role) {
		return false
	}
	role := "your role"
	if u != nil {
		role = "your role (" + string(u.Role) + ")"
	}
	c.errorPage(w, r, http.StatusForbidden, "Not allowed",
		fmt.Sprintf("Nothing was done: %s cannot %s. It needs the operator or admin role.", role, what))
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
	if c.refuse(w, r, s, action+" agents") {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	a, err := call(ctx, id)
	if err != nil {
		c.actionFailed(w, r, s, "/agents/"+url.PathEscape(id), action+" "+id, err)
		return
	}
	c.back(w, r, s, "/agents/"+url.PathEscape(id), "ok", fmt.Sprintf("%s: %s asked; it is %s.", a.Name, action, a.Status))
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
	if c.refuse(w, r, s, action+" dead letters") {
		return
	}
	from := "/queues/" + url.PathEscape(name)
	if action == "delete" && r.PostForm.Get("confirm") != "yes" {
		c.confirmPage(w, r, s, "Delete message "+msg+"?", "The dead letter is deleted for good.", "Delete it", from)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	cl := client(s)
	var err error
	text := "Message " + msg
	if action == "retry" {
		var m *queues.Message
		if m, err = cl.Queues.Retry(ctx, name, msg); err == nil {
			text += fmt.Sprintf(" is back on %s (retry %d).", name, m.RetryCount)
		}
	} else if err = cl.Queues.Delete(ctx, name, msg); err == nil {
		text += " is deleted."
	}
	if err != nil {
		c.actionFailed(w, r, s, from, action+" message "+msg, err)
		return
	}
	c.back(w, r, s, from, "ok", text)
}

func (c *Console) bulkAction(w http.ResponseWriter, r *http.Request, s *session) {
	name, action := r.PathValue("name"), r.PathValue("action")
	if action != "retry-all" && action != "purge" {
		c.notFound(w, r)
		return
	}
	from := "/queues/" + url.PathEscape(name)
	if c.refuse(w, r, s, strings.ReplaceAll(action, "-", " ")+" dead letters") {
		return
	}
	f, _, err := readFilter(r.PostForm)
	if err != nil {
		c.back(w, r, s, from, "error", "Nothing was done: "+err.Error()+".")
		return
	}
	if action == "purge" && r.PostForm.Get("confirm") != "yes" {
		c.confirmPage(w, r, s, "Purge the dead letters of "+name+"?", "Every matching dead letter is deleted for good.", "Delete them", from)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	cl := client(s)
	var text string
	if action == "retry-all" {
		var res *queues.RetryAllResult
		if res, err = cl.Queues.RetryAll(ctx, name, f); err == nil {
			text = fmt.Sprintf("Retried %d of %d matching dead letters.", res.Retried, res.Matched)
		}
	} else {
		var res *queues.PurgeResult
		if res, err = cl.Queues.Purge(ctx, name, f); err == nil {
			text = fmt.Sprintf("Deleted %d of %d matching dead letters.", res.Deleted, res.Matched)
		}
	}
	if err != nil {
		c.actionFailed(w, r, s, from, strings.ReplaceAll(action, "-", " ")+" on "+name, err)
		return
	}
	c.back(w, r, s, from, "ok", text)
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
	if c.refuse(w, r, s, action+" workflows") {
		return
	}
	from := "/workflows/" + url.PathEscape(id)
	if action == "cancel" && r.PostForm.Get("confirm") != "yes" {
		c.confirmPage(w, r, s, "Cancel workflow "+id+"?", "Running tasks stop, pending ones never start, and a cancelled workflow cannot be resumed.", "Cancel the workflow", from)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	wf, err := call(ctx, id)
	if err != nil {
		c.actionFailed(w, r, s, from, action+" workflow "+id, err)
		return
	}
	c.back(w, r, s, from, "ok", fmt.Sprintf("%s is %s.", wf.WorkflowName, wf.Status))
}

func (c *Console) retryTask(w http.ResponseWriter, r *http.Request, s *session) {
	id, task := r.PathValue("id"), r.PathValue("task")
	if c.refuse(w, r, s, "retry tasks") {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	from := "/workflows/" + url.PathEscape(id)
	wf, err := client(s).Workflows.RetryTask(ctx, id, task)
	if err != nil {
		c.actionFailed(w, r, s, from, "retry task "+task, err)
		return
	}
	c.back(w, r, s, from, "ok", fmt.Sprintf("Task %s is retried; %s is %s.", task, wf.WorkflowName, wf.Status))
}
