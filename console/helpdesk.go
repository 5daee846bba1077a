package console

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/waooaw/waooaw-go/helpdesk"
	"github.com/waooaw/waooaw-go/platform"
)

// searchSize bounds the customers and playbooks one search shows.
const searchSize = 50

type helpdeskPage struct {
	Q, PQ     string
	Searched  bool
	Customers []helpdesk.Customer
	Playbooks []helpdesk.PlaybookSummary
}

func (c *Console) helpdeskPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	hd := client(s).Helpdesk
	q := r.URL.Query()
	p := helpdeskPage{Q: strings.TrimSpace(q.Get("q")), PQ: strings.TrimSpace(q.Get("pq"))}
	_, p.Searched = q["q"]
	if p.Q != "" {
		page, err := hd.SearchCustomersPage(ctx, helpdesk.SearchOptions{Q: p.Q, ListOptions: platform.ListOptions{PageSize: searchSize}})
		if err != nil {
			c.platformError(w, r, s, "the customers", err)
			return
		}
		p.Customers = page.Items
	}
	page, err := hd.PlaybooksPage(ctx, helpdesk.PlaybookOptions{Q: p.PQ, ListOptions: platform.ListOptions{PageSize: searchSize}})
	if err != nil {
		c.platformError(w, r, s, "the playbooks", err)
		return
	}
	p.Playbooks = page.Items
	title := "Help desk"
	if p.Q != "" {
		title = "Help desk: customers matching " + p.Q
	}
	v := c.view(r, s, "helpdesk", title)
	v.Page = p
	c.render(w, r, http.StatusOK, "helpdesk", v)
}

type customerPage struct {
	Overview  *helpdesk.Overview
	Diagnosis *helpdesk.Diagnosis
	Now       time.Time
	Back      string
}

func (c *Console) customerPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	cl := client(s)
	id := r.PathValue("id")
	ov, err := cl.Helpdesk.Overview(ctx, id)
	if err != nil {
		c.platformError(w, r, s, "customer "+id, err)
		return
	}
	p := customerPage{Overview: ov, Back: "/helpdesk/customers/" + url.PathEscape(id)}
	v := c.view(r, s, "helpdesk", ov.Customer.CompanyName)
	if r.URL.Query().Get("diagnose") != "" {
		if !v.CanOperate {
			c.errorPage(w, r, http.StatusForbidden, "Not allowed", "Diagnosing a customer needs the operator or admin role; your role can read the overview.")
			return
		}
		if p.Diagnosis, err = cl.Helpdesk.Diagnose(ctx, id); err != nil {
			c.platformError(w, r, s, "the diagnosis", err)
			return
		}
		p.Back += "?diagnose=1"
		p.Now = p.Diagnosis.CheckedAt
	}
	if p.Now.IsZero() {
		m, err := cl.Platform.Metrics(ctx)
		if err != nil {
			c.platformError(w, r, s, "the platform's clock", err)
			return
		}
		p.Now = m.GeneratedAt
	}
	v.Live, v.PollSeconds, v.Page = "agents,workflows", 30, p
	c.render(w, r, http.StatusOK, "customer", v)
}

// quickAction is POST /helpdesk/actions/{action} (restart-agent,
// clear-cache, retry-workflow) with target_id and, for retry-workflow,
// task_id.
func (c *Console) quickAction(w http.ResponseWriter, r *http.Request, s *session) {
	rec := helpdesk.Recommendation{Action: helpdesk.Action(r.PathValue("action")),
		TargetID: strings.TrimSpace(r.PostForm.Get("target_id")), TaskID: strings.TrimSpace(r.PostForm.Get("task_id"))}
	if !rec.Action.Valid() {
		c.notFound(w, r)
		return
	}
	words := strings.ReplaceAll(string(rec.Action), "-", " ")
	a := act{may: "run " + words, from: "/helpdesk", what: words + " " + rec.TargetID}
	if rec.TargetID == "" {
		c.back(w, r, s, a.from, "error", "Nothing was done: say which agent or workflow to "+words+".")
		return
	}
	a.do = func(ctx context.Context) (string, error) {
		res, err := client(s).Helpdesk.Run(ctx, rec)
		if err != nil {
			return "", err
		}
		msg := res.Message
		if msg == "" {
			msg = fmt.Sprintf("%s %s: %s.", words, res.TargetID, res.Status)
		}
		return msg, nil
	}
	c.act(w, r, s, a)
}

func (c *Console) playbookPage(w http.ResponseWriter, r *http.Request, s *session) {
	ctx, cancel := context.WithTimeout(r.Context(), pageTimeout)
	defer cancel()
	pb, err := client(s).Helpdesk.Playbook(ctx, r.PathValue("id"))
	if err != nil {
		c.platformError(w, r, s, "the playbook", err)
		return
	}
	v := c.view(r, s, "helpdesk", "Playbook: "+pb.Title)
	v.Page = pb
	c.render(w, r, http.StatusOK, "playbook", v)
}
