package server

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/helpdesk"
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
	"github.com/waooaw/waooaw-go/mockserver/internal/httpapi"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/workflows"
)

// Dead letters of one customer at which the diagnose check warns (above
// deadLettersWarn) and fails (above deadLettersFail).
const (
	deadLettersWarn = 0
	deadLettersFail = 10
)

// recentIssues is how many incidents a customer overview shows.
const recentIssues = 10

// helpdeskStore holds what only the help desk knows: incidents, the cache
// clears it made, and the playbooks. It reads agents, workflows, queues and
// customers from their own stores, one lock at a time.
type helpdeskStore struct {
	mu        sync.Mutex
	incidents []helpdesk.Incident  // seed order; sla_status is derived when read
	cleared   map[string]time.Time // agent_id → last cache clear
	playbooks []helpdesk.Playbook  // reference content: kept by an empty start
}

func newHelpdeskStore(now time.Time) *helpdeskStore {
	return &helpdeskStore{incidents: seedIncidents(now), cleared: map[string]time.Time{}, playbooks: seedPlaybooks()}
}

// clear empties the customer data (WithEmptyStart); the playbooks stay, as
// the factory's templates do.
func (st *helpdeskStore) clear() {
	st.incidents = nil
	clear(st.cleared)
}

// playbooksMatching summarises the playbooks whose text contains text
// (lower case; "" for all).
func (st *helpdeskStore) playbooksMatching(text string) []helpdesk.PlaybookSummary {
	st.mu.Lock()
	defer st.mu.Unlock()
	var matched []helpdesk.PlaybookSummary
	for _, pb := range st.playbooks {
		if text == "" || playbookMatches(pb, text) {
			matched = append(matched, helpdesk.PlaybookSummary{PlaybookID: pb.PlaybookID, Title: pb.Title,
				Category: pb.Category, Summary: pb.Summary})
		}
	}
	return matched
}

// incidentsAt returns every incident with its SLA status at now, newest
// first (ties by id).
func (st *helpdeskStore) incidentsAt(now time.Time) []helpdesk.Incident {
	st.mu.Lock()
	out := slices.Clone(st.incidents)
	st.mu.Unlock()
	for i := range out {
		out[i].SLAStatus = out[i].SLAAt(now)
	}
	slices.SortStableFunc(out, func(a, b helpdesk.Incident) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.IncidentID, b.IncidentID)
	})
	return out
}

// clearCache records a cache clear of agent id at now.
func (st *helpdeskStore) clearCache(id string, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.cleared[id] = now
}

// cacheCleared is the last cache clear of agent id.
func (st *helpdeskStore) cacheCleared(id string) (time.Time, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	t, ok := st.cleared[id]
	return t, ok
}

// playbook returns playbook id.
func (st *helpdeskStore) playbook(id string) (helpdesk.Playbook, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	i := slices.IndexFunc(st.playbooks, func(p helpdesk.Playbook) bool { return p.PlaybookID == id })
	if i < 0 {
		return helpdesk.Playbook{}, false
	}
	return st.playbooks[i], true
}

// helpdeskRoutes are the help-desk routes.
func (s *Server) helpdeskRoutes() []*httpapi.Route {
	const base = "/api/platform/helpdesk"
	return []*httpapi.Route{
		{Method: "GET", Pattern: base + "/customers/search", Role: httpapi.RoleViewer, Handle: s.searchCustomers},
		{Method: "GET", Pattern: base + "/customers/{id}/overview", Role: httpapi.RoleViewer, Lookup: s.customerExists, Handle: s.customerOverview},
		{Method: "POST", Pattern: base + "/customers/{id}/diagnose", Role: httpapi.RoleOperator, Lookup: s.customerExists, Handle: s.diagnose},
		{Method: "POST", Pattern: base + "/actions/restart-agent", Role: httpapi.RoleOperator, Handle: s.restartAgentAction},
		{Method: "POST", Pattern: base + "/actions/clear-cache", Role: httpapi.RoleOperator, Handle: s.clearCacheAction},
		{Method: "POST", Pattern: base + "/actions/retry-workflow", Role: httpapi.RoleOperator, Handle: s.retryWorkflowAction},
		{Method: "GET", Pattern: base + "/incidents", Role: httpapi.RoleViewer, Handle: s.listIncidents},
		{Method: "GET", Pattern: base + "/playbooks", Role: httpapi.RoleViewer, Handle: s.listPlaybooks},
		{Method: "GET", Pattern: base + "/playbooks/{id}", Role: httpapi.RoleViewer, Handle: s.getPlaybook},
	}
}

// customerExists is the 404 check of the customers/{id} routes.
func (s *Server) customerExists(rc *httpapi.Request) *core.Error {
	if _, ok := s.world().Customers.get(rc.Param("id")); !ok {
		return core.NotFound("customer %q not found: find customers with GET /api/platform/helpdesk/customers/search", rc.Param("id"))
	}
	return nil
}

// helpdeskCustomer is c in the help desk's shape, with its agents counted.
func helpdeskCustomer(c Customer, agents []platform.Agent) helpdesk.Customer {
	n := 0
	for _, a := range agents {
		if a.CustomerID == c.CustomerID {
			n++
		}
	}
	return helpdesk.Customer{CustomerID: c.CustomerID, CompanyName: c.CompanyName, Email: c.Email,
		AgentsCount: n, Status: helpdesk.CustomerStatus(c.Status), CreatedAt: c.CreatedAt}
}

func (s *Server) searchCustomers(rc *httpapi.Request) (int, any, *core.Error) {
	q := rc.R.URL.Query()
	text := strings.ToLower(q.Get("q"))
	st := s.world()
	agents := st.Agents.list(rc.Now)
	var matched []helpdesk.Customer
	for _, c := range st.Customers.list() {
		if text != "" && !strings.Contains(strings.ToLower(c.CompanyName), text) &&
			!strings.Contains(strings.ToLower(c.Email), text) && !strings.Contains(strings.ToLower(c.CustomerID), text) {
			continue
		}
		matched = append(matched, helpdeskCustomer(c, agents))
	}
	p, e := core.PaginateKeyed(q, "helpdesk-customers", matched, func(c helpdesk.Customer) string { return c.CustomerID }, text)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, httpapi.ListBody("customers", p), nil
}

func (s *Server) customerOverview(rc *httpapi.Request) (int, any, *core.Error) {
	id := rc.Param("id")
	st := s.world()
	c, ok := st.Customers.get(id)
	if !ok {
		return 0, nil, core.NotFound("customer %q not found", id)
	}
	all := st.Agents.list(rc.Now)
	o := helpdesk.Overview{Customer: helpdeskCustomer(c, all), Agents: []platform.Agent{},
		RecentIssues: []helpdesk.Incident{}, Workflows: []helpdesk.WorkflowSummary{}}
	for _, a := range all {
		if a.CustomerID == id {
			o.Agents = append(o.Agents, a)
		}
	}
	for _, inc := range st.Helpdesk.incidentsAt(rc.Now) {
		if inc.CustomerID == id && len(o.RecentIssues) < recentIssues {
			o.RecentIssues = append(o.RecentIssues, inc)
		}
	}
	for _, w := range st.Workflows.list(rc.Now) {
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

func (s *Server) listIncidents(rc *httpapi.Request) (int, any, *core.Error) {
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
	for _, inc := range s.world().Helpdesk.incidentsAt(rc.Now) {
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

func (s *Server) listPlaybooks(rc *httpapi.Request) (int, any, *core.Error) {
	q := rc.R.URL.Query()
	text := strings.ToLower(q.Get("q"))
	matched := s.world().Helpdesk.playbooksMatching(text)
	p, e := core.PaginateKeyed(q, "helpdesk-playbooks", matched, func(p helpdesk.PlaybookSummary) string { return p.PlaybookID }, text)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, httpapi.ListBody("playbooks", p), nil
}

// playbookMatches reports whether lower-case text is in pb's title,
// summary, category or symptoms.
func playbookMatches(pb helpdesk.Playbook, text string) bool {
	for _, f := range append([]string{pb.Title, pb.Summary, string(pb.Category)}, pb.Symptoms...) {
		if strings.Contains(strings.ToLower(f), text) {
			return true
		}
	}
	return false
}

func (s *Server) getPlaybook(rc *httpapi.Request) (int, any, *core.Error) {
	pb, ok := s.world().Helpdesk.playbook(rc.Param("id"))
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
	case !httpapi.ValidPathID(v):
		return core.InvalidField(field, idRule)
	}
	return nil
}

func (s *Server) restartAgentAction(rc *httpapi.Request) (int, any, *core.Error) {
	var req helpdesk.AgentActionRequest
	if e := rc.Decode(&req); e != nil {
		return 0, nil, e
	}
	if e := bodyID("agent_id", req.AgentID); e != nil {
		return 0, nil, e
	}
	a, e := s.world().Agents.act(req.AgentID, actRestart, rc.Now)
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, helpdesk.ActionResult{
		Action: helpdesk.ActionRestartAgent, TargetID: a.AgentID, Status: helpdesk.ActionDone,
		Message: fmt.Sprintf("%s (%s) is restarting: online at %s", a.Name, a.AgentID, stamp(rc.Now.Add(agentStartDelay))),
		Agent:   &a,
	}, nil
}

func (s *Server) clearCacheAction(rc *httpapi.Request) (int, any, *core.Error) {
	var req helpdesk.AgentActionRequest
	if e := rc.Decode(&req); e != nil {
		return 0, nil, e
	}
	if e := bodyID("agent_id", req.AgentID); e != nil {
		return 0, nil, e
	}
	st := s.world()
	a, ok := st.Agents.get(req.AgentID, rc.Now)
	if !ok {
		return 0, nil, core.NotFound("agent %q not found", req.AgentID)
	}
	st.Helpdesk.clearCache(a.AgentID, rc.Now)
	at := rc.Now
	return http.StatusOK, helpdesk.ActionResult{
		Action: helpdesk.ActionClearCache, TargetID: a.AgentID, Status: helpdesk.ActionDone,
		Message: fmt.Sprintf("cleared the cache of %s (%s)", a.Name, a.AgentID),
		Agent:   &a, CacheClearedAt: &at,
	}, nil
}

func (s *Server) retryWorkflowAction(rc *httpapi.Request) (int, any, *core.Error) {
	var req helpdesk.RetryWorkflowRequest
	if e := rc.Decode(&req); e != nil {
		return 0, nil, e
	}
	if e := bodyID("workflow_id", req.WorkflowID); e != nil {
		return 0, nil, e
	}
	if req.TaskID != "" && !httpapi.ValidPathID(req.TaskID) {
		return 0, nil, core.InvalidField("task_id", idRule)
	}
	st := s.world()
	w, ok := st.Workflows.get(req.WorkflowID, rc.Now)
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
	w, e := st.Workflows.retry(req.WorkflowID, taskID, rc.Now)
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

// stamp formats a time for a message.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Playbooks the checks point to (helpdesk_seed.go).
const (
	pbAgentError     = "pb-agent-error"
	pbDLQGrowing     = "pb-dlq-growing"
	pbWorkflowFailed = "pb-workflow-task-failed"
	pbSlowResponses  = "pb-slow-responses"
	pbAuthFailures   = "pb-auth-failures"
	pbOnboarding     = "pb-onboarding-stuck"
)

func (s *Server) diagnose(rc *httpapi.Request) (int, any, *core.Error) {
	if e := rc.DecodeOptional(&struct{}{}); e != nil {
		return 0, nil, e
	}
	id := rc.Param("id")
	st := s.world()
	incidents := st.Helpdesk.incidentsAt(rc.Now)
	var open []helpdesk.Incident
	for _, inc := range incidents {
		if inc.CustomerID == id && inc.Status.Open() {
			open = append(open, inc)
		}
	}
	slices.SortFunc(open, func(a, b helpdesk.Incident) int { return cmp.Compare(a.IncidentID, b.IncidentID) })

	d := helpdesk.Diagnosis{CustomerID: id, CheckedAt: rc.Now, Checks: []helpdesk.Check{},
		Recommendations: []helpdesk.Recommendation{}}
	for _, a := range customerAgents(st.Agents.states(rc.Now), id, open) {
		var cleared *time.Time
		if t, ok := st.Helpdesk.cacheCleared(a.AgentID); ok {
			cleared = &t
		}
		d.Checks = append(d.Checks, agentCheck(a, cleared))
	}
	for _, w := range st.Workflows.list(rc.Now) {
		if w.CustomerID == id {
			d.Checks = append(d.Checks, workflowCheck(w))
		}
	}
	d.Checks = append(d.Checks, deadLetterCheck(st.Queues, id, rc.Now), slaCheck(open))

	worst := -1
	rank := map[helpdesk.CheckStatus]int{helpdesk.CheckPass: 0, helpdesk.CheckWarn: 1, helpdesk.CheckFail: 2}
	for i, c := range d.Checks {
		if c.Status != helpdesk.CheckPass && (worst < 0 || rank[c.Status] > rank[d.Checks[worst].Status]) {
			worst = i
		}
		if c.Recommendation != nil {
			d.Recommendations = append(d.Recommendations, *c.Recommendation)
		}
	}
	if worst >= 0 {
		d.RootCause = d.Checks[worst].Message
	}
	return http.StatusOK, d, nil
}

// customerAgents are the agents a diagnosis checks: the customer's own, in
// order, then the other agents its open incidents name.
func customerAgents(all []agentState, id string, open []helpdesk.Incident) []agentState {
	var out []agentState
	in := map[string]bool{}
	for _, a := range all {
		if a.CustomerID == id {
			out = append(out, a)
			in[a.AgentID] = true
		}
	}
	for _, inc := range open {
		if inc.AffectedAgent == "" || in[inc.AffectedAgent] {
			continue
		}
		i := slices.IndexFunc(all, func(a agentState) bool { return a.AgentID == inc.AffectedAgent })
		if i >= 0 {
			out = append(out, all[i])
			in[inc.AffectedAgent] = true
		}
	}
	return out
}

// agentCheck checks one agent; cleared is its last cache clear, if any.
func agentCheck(a agentState, cleared *time.Time) helpdesk.Check {
	name := fmt.Sprintf("%s (%s)", a.Name, a.AgentID)
	c := helpdesk.Check{CheckName: helpdesk.AgentCheck(a.AgentID), Status: helpdesk.CheckPass,
		Details: helpdesk.CheckDetails{AgentID: a.AgentID, AgentName: a.Name, AgentStatus: a.Status,
			AgentHealth: a.Health, CacheClearedAt: cleared}}
	restart := func(why string) {
		c.Status, c.PlaybookID = helpdesk.CheckFail, pbAgentError
		c.Recommendation = &helpdesk.Recommendation{Action: helpdesk.ActionRestartAgent, TargetID: a.AgentID,
			Reason: "restart " + name + ": " + why + "; it is online again 30 s after the restart"}
	}
	switch a.Status {
	case platform.AgentError:
		c.Message = name + " is in error: it takes no work until it is restarted"
		if a.LastActive != nil {
			c.Message += fmt.Sprintf(" (last active %s)", stamp(*a.LastActive))
		}
		restart("it is in error")
	case platform.AgentOnline:
		switch {
		case a.Health == platform.AgentUnhealthy:
			c.Message = name + " is online but unhealthy: most of its work fails"
			restart("it is unhealthy")
		case a.Health == platform.AgentDegraded && c.Details.CacheClearedAt != nil:
			c.Message = fmt.Sprintf("%s is online; its degraded readings predate the cache clear at %s", name, stamp(*c.Details.CacheClearedAt))
		case a.Health == platform.AgentDegraded:
			c.Status, c.PlaybookID = helpdesk.CheckWarn, pbSlowResponses
			c.Message = name + " is online but degraded: slow answers and a raised error rate"
			c.Recommendation = &helpdesk.Recommendation{Action: helpdesk.ActionClearCache, TargetID: a.AgentID,
				Reason: "clear the cache of " + name + ": stale cache entries are the usual cause of degraded answers"}
		default:
			c.Message = name + " is online and healthy"
		}
	case platform.AgentOffline:
		c.Status = helpdesk.CheckWarn
		c.Message = name + " is offline: it was stopped, so it takes no work; start it if the customer expects it to run"
	case platform.AgentStarting, platform.AgentProvisioning:
		c.Status = helpdesk.CheckWarn
		c.Message = fmt.Sprintf("%s is %s", name, a.Status)
		if !a.readyAt.IsZero() {
			c.Message += ": online at " + stamp(a.readyAt)
		}
	case platform.AgentStopping:
		c.Status = helpdesk.CheckWarn
		c.Message = name + " is stopping"
		if !a.readyAt.IsZero() {
			c.Message += ": offline at " + stamp(a.readyAt)
		}
	default:
		c.Status = helpdesk.CheckWarn
		c.Message = fmt.Sprintf("%s is %s", name, a.Status)
	}
	return c
}

func workflowCheck(w workflows.Workflow) helpdesk.Check {
	name := fmt.Sprintf("%s (%s)", w.WorkflowName, w.WorkflowID)
	c := helpdesk.Check{CheckName: helpdesk.WorkflowCheck(w.WorkflowID), Status: helpdesk.CheckPass,
		Details: helpdesk.CheckDetails{WorkflowID: w.WorkflowID, WorkflowName: w.WorkflowName,
			WorkflowStatus: helpdesk.WorkflowStatus(w.Status)}}
	switch w.Status {
	case workflows.StatusFailed:
		c.Status, c.PlaybookID = helpdesk.CheckFail, pbWorkflowFailed
		c.Message = name + " failed"
		i := slices.IndexFunc(w.Tasks, func(t workflows.Task) bool { return t.Status == workflows.TaskFailed })
		if i < 0 {
			c.Message += ", yet none of its tasks is failed: there is no task to retry"
			break
		}
		t := w.Tasks[i]
		c.Details.FailedTaskID, c.Details.TaskError = t.TaskID, t.Error
		c.Message += fmt.Sprintf(": task %s (%s) failed", t.TaskName, t.TaskID)
		if t.Error != "" {
			c.Message += ": " + t.Error
		}
		if t.RetryCount > 0 {
			c.Message += fmt.Sprintf(" (after %d retries)", t.RetryCount)
		}
		c.Recommendation = &helpdesk.Recommendation{Action: helpdesk.ActionRetryWorkflow, TargetID: w.WorkflowID,
			TaskID: t.TaskID, Reason: fmt.Sprintf("retry %s (%s): the tasks after it run once it completes", t.TaskName, t.TaskID)}
	case workflows.StatusRunning:
		c.Message = fmt.Sprintf("%s is running, %d%% done", name, w.Progress)
	case workflows.StatusPaused:
		c.Message = fmt.Sprintf("%s is paused at %d%%", name, w.Progress)
	default:
		c.Message = fmt.Sprintf("%s is %s", name, w.Status)
	}
	return c
}

// deadLetterCheck counts the dead letters whose payload's customer_id is
// id, queue by queue (one queue's lock at a time).
func deadLetterCheck(qs *queueStore, id string, now time.Time) helpdesk.Check {
	total := 0
	by := map[string]int{}
	var parts []string
	for _, q := range qs.order {
		n := 0
		for _, m := range q.letters(dlqFilter{}, now) {
			var p struct {
				CustomerID string `json:"customer_id"`
			}
			if json.Unmarshal(m.Payload, &p) == nil && p.CustomerID == id {
				n++
			}
		}
		if n > 0 {
			by[q.name] = n
			parts = append(parts, fmt.Sprintf("%s %d", q.name, n))
			total += n
		}
	}
	c := helpdesk.Check{CheckName: helpdesk.CheckDeadLetters, Status: helpdesk.CheckPass,
		Details: helpdesk.CheckDetails{DeadLetters: &total}}
	if total == 0 {
		c.Message = "no dead letters carry this customer's id"
		return c
	}
	c.Details.ByQueue = by
	c.Status, c.PlaybookID = helpdesk.CheckWarn, pbDLQGrowing
	if total > deadLettersFail {
		c.Status = helpdesk.CheckFail
	}
	c.Message = fmt.Sprintf("%d dead letters carry this customer's id (%s): retry the transient failures and delete the rest",
		total, strings.Join(parts, ", "))
	return c
}

// slaCheck looks at the customer's open incidents.
func slaCheck(open []helpdesk.Incident) helpdesk.Check {
	c := helpdesk.Check{CheckName: helpdesk.CheckIncidentSLA, Status: helpdesk.CheckPass}
	var breached, atRisk []helpdesk.Incident
	for _, inc := range open {
		c.Details.OpenIncidents = append(c.Details.OpenIncidents, inc.IncidentID)
		switch inc.SLAStatus {
		case helpdesk.SLABreached:
			breached = append(breached, inc)
			c.Details.Breached = append(c.Details.Breached, inc.IncidentID)
		case helpdesk.SLAAtRisk:
			atRisk = append(atRisk, inc)
			c.Details.AtRisk = append(c.Details.AtRisk, inc.IncidentID)
		}
	}
	describe := func(incs []helpdesk.Incident, what string) string {
		var b strings.Builder
		for i, inc := range incs {
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "%s %q (%s) %s %s", inc.IncidentID, inc.Title, inc.Severity, what, stamp(inc.SLADeadline))
		}
		return b.String()
	}
	switch {
	case len(breached) > 0:
		c.Status = helpdesk.CheckFail
		c.Message = "SLA breached: " + describe(breached, "was due")
		if len(atRisk) > 0 {
			c.Message += "; at risk: " + describe(atRisk, "is due")
		}
	case len(atRisk) > 0:
		c.Status = helpdesk.CheckWarn
		c.Message = "SLA at risk: " + describe(atRisk, "is due")
	case len(open) == 0:
		c.Message = "no open incidents"
	default:
		c.Message = "1 open incident, on track for its SLA"
		if len(open) > 1 {
			c.Message = fmt.Sprintf("%d open incidents, all on track for their SLAs", len(open))
		}
	}
	return c
}
