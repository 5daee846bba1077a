package helpdesk

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/waooaw/waooaw-go/helpdesk"
	"github.com/waooaw/waooaw-go/mockserver/internal/area"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/workflows"
)

// Routes are the helpdesk routes, served over env.
func Routes(env *area.Env) []*httpapi.Route { return (&handlers{env}).routes() }

// handlers are the handlers of the helpdesk routes.
type handlers struct{ *area.Env }

func (h *handlers) routes() []*httpapi.Route {
	const base = "/api/platform/helpdesk"
	return []*httpapi.Route{
		{Method: "GET", Pattern: base + "/customers/search", Role: core.RoleViewer, Handle: h.searchCustomers},
		{Method: "GET", Pattern: base + "/customers/{id}/overview", Role: core.RoleViewer, Lookup: h.customerExists, Handle: h.customerOverview},
		{Method: "POST", Pattern: base + "/customers/{id}/diagnose", Role: core.RoleOperator, Lookup: h.customerExists, Handle: h.diagnose},
		{Method: "POST", Pattern: base + "/actions/restart-agent", Role: core.RoleOperator, Handle: h.restartAgentAction},
		{Method: "POST", Pattern: base + "/actions/clear-cache", Role: core.RoleOperator, Handle: h.clearCacheAction},
		{Method: "POST", Pattern: base + "/actions/retry-workflow", Role: core.RoleOperator, Handle: h.retryWorkflowAction},
		{Method: "GET", Pattern: base + "/incidents", Role: core.RoleViewer, Handle: h.listIncidents},
		{Method: "GET", Pattern: base + "/playbooks", Role: core.RoleViewer, Handle: h.listPlaybooks},
		{Method: "GET", Pattern: base + "/playbooks/{id}", Role: core.RoleViewer, Handle: h.getPlaybook},
	}
}

// customerExists is the 404 check of the customers/{id} routes.
func (h *handlers) customerExists(rc *httpapi.Request) *core.Error {
	if _, ok := h.World().Customers.Get(rc.Param("id")); !ok {
		return core.NotFound("customer %q not found: find customers with GET /api/platform/helpdesk/customers/search", rc.Param("id"))
	}
	return nil
}

func (h *handlers) searchCustomers(rc *httpapi.Request) (int, any, *core.Error) {
	q := rc.R.URL.Query()
	text := strings.ToLower(q.Get("q"))
	st := h.World()
	agents := st.Agents.List(rc.Now)
	var matched []helpdesk.Customer
	for _, c := range st.Customers.List() {
		if text != "" && !strings.Contains(strings.ToLower(c.CompanyName), text) &&
			!strings.Contains(strings.ToLower(c.Email), text) && !strings.Contains(strings.ToLower(c.CustomerID), text) {
			continue
		}
		matched = append(matched, core.HelpdeskCustomer(c, agents))
	}
	p, e := core.PaginateKeyed(q, "helpdesk-customers", matched, func(c helpdesk.Customer) string { return c.CustomerID }, text)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, httpapi.ListBody("customers", p), nil
}

func (h *handlers) customerOverview(rc *httpapi.Request) (int, any, *core.Error) {
	id := rc.Param("id")
	st := h.World()
	c, ok := st.Customers.Get(id)
	if !ok {
		return 0, nil, core.NotFound("customer %q not found", id)
	}
	all := st.Agents.List(rc.Now)
	o := helpdesk.Overview{Customer: core.HelpdeskCustomer(c, all), Agents: []platform.Agent{},
		RecentIssues: []helpdesk.Incident{}, Workflows: []helpdesk.WorkflowSummary{}}
	for _, a := range all {
		if a.CustomerID == id {
			o.Agents = append(o.Agents, a)
		}
	}
	for _, inc := range st.Helpdesk.IncidentsAt(rc.Now) {
		if inc.CustomerID == id && len(o.RecentIssues) < core.RecentIssues {
			o.RecentIssues = append(o.RecentIssues, inc)
		}
	}
	for _, w := range st.Workflows.List(rc.Now) {
		if w.CustomerID == id {
			o.Workflows = append(o.Workflows, workflowSummary(w))
		}
	}
	return http.StatusOK, o, nil
}

func workflowSummary(w workflows.Workflow) helpdesk.WorkflowSummary {
	return helpdesk.WorkflowSummary{WorkflowID: w.WorkflowID, WorkflowName: w.WorkflowName,
		Status: helpdesk.WorkflowStatus(w.Status), Progress: w.Progress}
}

var (
	incidentStatuses = []helpdesk.IncidentStatus{helpdesk.IncidentOpen, helpdesk.IncidentInvestigating,
		helpdesk.IncidentInProgress, helpdesk.IncidentResolved, helpdesk.IncidentClosed}
	incidentSeverities = []helpdesk.Severity{helpdesk.SeverityCritical, helpdesk.SeverityHigh,
		helpdesk.SeverityMedium, helpdesk.SeverityLow}
	slaStatuses = []helpdesk.SLAStatus{helpdesk.SLAOnTrack, helpdesk.SLAAtRisk, helpdesk.SLABreached}
)

func (h *handlers) listIncidents(rc *httpapi.Request) (int, any, *core.Error) {
	q := rc.R.URL.Query()
	status, severity, sla, customer := q.Get("status"), q.Get("severity"), q.Get("sla_status"), q.Get("customer_id")
	switch {
	case status != "" && !slices.Contains(incidentStatuses, helpdesk.IncidentStatus(status)):
		return 0, nil, core.InvalidField("status", "must be one of open, investigating, in_progress, resolved, closed")
	case severity != "" && !slices.Contains(incidentSeverities, helpdesk.Severity(severity)):
		return 0, nil, core.InvalidField("severity", "must be one of critical, high, medium, low")
	case sla != "" && !slices.Contains(slaStatuses, helpdesk.SLAStatus(sla)):
		return 0, nil, core.InvalidField("sla_status", "must be one of on_track, at_risk, breached")
	}
	var matched []helpdesk.Incident
	for _, inc := range h.World().Helpdesk.IncidentsAt(rc.Now) {
		if status != "" && string(inc.Status) != status || severity != "" && string(inc.Severity) != severity ||
			sla != "" && string(inc.SLAStatus) != sla || customer != "" && inc.CustomerID != customer {
			continue
		}
		matched = append(matched, inc)
	}
	p, e := core.PaginateKeyed(q, "helpdesk-incidents", matched, func(i helpdesk.Incident) string { return i.IncidentID }, status, severity, sla, customer)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, httpapi.ListBody("incidents", p), nil
}

func (h *handlers) listPlaybooks(rc *httpapi.Request) (int, any, *core.Error) {
	q := rc.R.URL.Query()
	text := strings.ToLower(q.Get("q"))
	matched := h.World().Helpdesk.PlaybooksMatching(text)
	p, e := core.PaginateKeyed(q, "helpdesk-playbooks", matched, func(p helpdesk.PlaybookSummary) string { return p.PlaybookID }, text)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, httpapi.ListBody("playbooks", p), nil
}

func (h *handlers) getPlaybook(rc *httpapi.Request) (int, any, *core.Error) {
	pb, ok := h.World().Helpdesk.Playbook(rc.Param("id"))
	if !ok {
		return 0, nil, core.NotFound("playbook %q not found: list them with GET /api/platform/helpdesk/playbooks", rc.Param("id"))
	}
	return http.StatusOK, pb, nil
}

// bodyID checks an id field of an action body.
func bodyID(field, v string) *core.Error {
	switch {
	case v == "":
		return core.InvalidField(field, "is required")
	case !core.ValidPathID(v):
		return core.InvalidField(field, core.IDRule)
	}
	return nil
}

func (h *handlers) restartAgentAction(rc *httpapi.Request) (int, any, *core.Error) {
	var req helpdesk.AgentActionRequest
	if e := rc.Decode(&req); e != nil {
		return 0, nil, e
	}
	if e := bodyID("agent_id", req.AgentID); e != nil {
		return 0, nil, e
	}
	a, e := h.World().ActAgent(req.AgentID, core.ActRestart, rc.Actor("restart-agent"), rc.Now)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, helpdesk.ActionResult{
		Action: helpdesk.ActionRestartAgent, TargetID: a.AgentID, Status: helpdesk.ActionDone,
		Message: fmt.Sprintf("%s (%s) is restarting: online at %s", a.Name, a.AgentID, core.Stamp(rc.Now.Add(core.AgentStartDelay))),
		Agent:   &a,
	}, nil
}

func (h *handlers) clearCacheAction(rc *httpapi.Request) (int, any, *core.Error) {
	var req helpdesk.AgentActionRequest
	if e := rc.Decode(&req); e != nil {
		return 0, nil, e
	}
	if e := bodyID("agent_id", req.AgentID); e != nil {
		return 0, nil, e
	}
	a, e := h.World().ClearCache(req.AgentID, rc.Actor("clear-cache"), rc.Now)
	if e != nil {
		return 0, nil, e
	}
	at := rc.Now
	return http.StatusOK, helpdesk.ActionResult{
		Action: helpdesk.ActionClearCache, TargetID: a.AgentID, Status: helpdesk.ActionDone,
		Message: fmt.Sprintf("cleared the cache of %s (%s)", a.Name, a.AgentID),
		Agent:   &a, CacheClearedAt: &at,
	}, nil
}

func (h *handlers) retryWorkflowAction(rc *httpapi.Request) (int, any, *core.Error) {
	var req helpdesk.RetryWorkflowRequest
	if e := rc.Decode(&req); e != nil {
		return 0, nil, e
	}
	if e := bodyID("workflow_id", req.WorkflowID); e != nil {
		return 0, nil, e
	}
	if req.TaskID != "" && !core.ValidPathID(req.TaskID) {
		return 0, nil, core.InvalidField("task_id", core.IDRule)
	}
	st := h.World()
	w, ok := st.Workflows.Get(req.WorkflowID, rc.Now)
	if !ok {
		return 0, nil, core.NotFound("workflow %q not found", req.WorkflowID)
	}
	taskID := req.TaskID
	if taskID == "" {
		var failed []string
		for _, t := range w.Tasks {
			if t.Status == workflows.TaskFailed {
				failed = append(failed, t.TaskID)
			}
		}
		switch {
		case w.Status != workflows.StatusFailed:
			return 0, nil, core.Conflict("cannot retry workflow %q: it is %s (only a failed workflow can be retried)", w.WorkflowID, w.Status)
		case len(failed) == 0:
			return 0, nil, core.Conflict("cannot retry workflow %q: it is failed but none of its tasks is (nothing to retry)", w.WorkflowID)
		case len(failed) > 1:
			return 0, nil, core.InvalidField("task_id", fmt.Sprintf("is required: workflow %q has %d failed tasks (%s)",
				w.WorkflowID, len(failed), strings.Join(failed, ", ")))
		}
		taskID = failed[0]
	}
	w, e := st.RetryTask(req.WorkflowID, taskID, rc.Actor("retry-workflow"), rc.Now)
	if e != nil {
		return 0, nil, e
	}
	t, _ := w.Task(taskID)
	sum := workflowSummary(w)
	return http.StatusOK, helpdesk.ActionResult{
		Action: helpdesk.ActionRetryWorkflow, TargetID: w.WorkflowID, TaskID: taskID, Status: helpdesk.ActionDone,
		Message: fmt.Sprintf("%s (%s) is running again from task %s (%s), retry %d",
			w.WorkflowName, w.WorkflowID, t.TaskName, taskID, t.RetryCount),
		Workflow: &sum,
	}, nil
}

func (h *handlers) diagnose(rc *httpapi.Request) (int, any, *core.Error) {
	if e := rc.DecodeOptional(&struct{}{}); e != nil {
		return 0, nil, e
	}
	return http.StatusOK, h.World().Diagnose(rc.Param("id"), rc.Now), nil
}
