package core

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/helpdesk"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/workflows"
)

// Dead letters of one customer at which the diagnose check warns (above
// deadLettersWarn) and fails (above deadLettersFail).
const (
	deadLettersWarn = 0
	deadLettersFail = 10
)

// RecentIssues is how many incidents a customer overview shows.
const RecentIssues = 10

// helpdeskStore holds what only the help desk knows: incidents, the cache
// clears it made, and the playbooks. It reads agents, workflows, queues and
// customers from their own stores.
type helpdeskStore struct {
	mu        *sync.Mutex          // the World's one lock (World.share)
	incidents []helpdesk.Incident  // seed order; sla_status is derived when read
	cleared   map[string]time.Time // agent_id → last cache clear
	playbooks []helpdesk.Playbook  // reference content: kept by an empty start
}

func newHelpdeskStore(now time.Time) *helpdeskStore {
	return &helpdeskStore{mu: new(sync.Mutex), incidents: seedIncidents(now), cleared: map[string]time.Time{}, playbooks: seedPlaybooks()}
}

// clear empties the customer data (WithEmptyStart); the playbooks stay, as
// the factory's templates do.
func (st *helpdeskStore) clear() {
	st.incidents = nil
	clear(st.cleared)
}

// PlaybooksMatching summarises the playbooks whose text contains text
// (lower case; "" for all).
func (st *helpdeskStore) PlaybooksMatching(text string) []helpdesk.PlaybookSummary {
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

// IncidentsAt returns every incident with its SLA status at now, newest
// first (ties by id).
func (st *helpdeskStore) IncidentsAt(now time.Time) []helpdesk.Incident {
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

// ClearCache clears the cache of agent id for by (the help desk records
// when) and logs it; 404 when there is no such agent.
func (w *World) ClearCache(id string, by Actor, now time.Time) (platform.Agent, *Error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	a, ok := w.Agents.get(id, now)
	if !ok {
		return a, NotFound("agent %q not found", id)
	}
	w.Helpdesk.cleared[id] = now
	w.requested(now, by, id, fmt.Sprintf("Cache of agent %s cleared by %s", id, by.name()),
		map[string]any{"action": "clear-cache", "by": by.name()})
	return a, nil
}

// CacheCleared is the last cache clear of agent id.
func (st *helpdeskStore) CacheCleared(id string) (time.Time, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	t, ok := st.cleared[id]
	return t, ok
}

// Playbook returns playbook id.
func (st *helpdeskStore) Playbook(id string) (helpdesk.Playbook, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	i := slices.IndexFunc(st.playbooks, func(p helpdesk.Playbook) bool { return p.PlaybookID == id })
	if i < 0 {
		return helpdesk.Playbook{}, false
	}
	return st.playbooks[i], true
}

// HelpdeskCustomer is c in the help desk's shape, with its agents counted.
func HelpdeskCustomer(c Customer, agents []platform.Agent) helpdesk.Customer {
	n := 0
	for _, a := range agents {
		if a.CustomerID == c.CustomerID {
			n++
		}
	}
	return helpdesk.Customer{CustomerID: c.CustomerID, CompanyName: c.CompanyName, Email: c.Email,
		AgentsCount: n, Status: helpdesk.CustomerStatus(c.Status), CreatedAt: c.CreatedAt}
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

// Stamp formats a time for a message.
func Stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Playbooks the checks point to (helpdesk_seed.go).
const (
	pbAgentError     = "pb-agent-error"
	pbDLQGrowing     = "pb-dlq-growing"
	pbWorkflowFailed = "pb-workflow-task-failed"
	pbSlowResponses  = "pb-slow-responses"
	pbAuthFailures   = "pb-auth-failures"
	pbOnboarding     = "pb-onboarding-stuck"
)

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
			c.Message += fmt.Sprintf(" (last active %s)", Stamp(*a.LastActive))
		}
		restart("it is in error")
	case platform.AgentOnline:
		switch {
		case a.Health == platform.AgentUnhealthy:
			c.Message = name + " is online but unhealthy: most of its work fails"
			restart("it is unhealthy")
		case a.Health == platform.AgentDegraded && c.Details.CacheClearedAt != nil:
			c.Message = fmt.Sprintf("%s is online; its degraded readings predate the cache clear at %s", name, Stamp(*c.Details.CacheClearedAt))
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
			c.Message += ": online at " + Stamp(a.readyAt)
		}
	case platform.AgentStopping:
		c.Status = helpdesk.CheckWarn
		c.Message = name + " is stopping"
		if !a.readyAt.IsZero() {
			c.Message += ": offline at " + Stamp(a.readyAt)
		}
	default:
		c.Status = helpdesk.CheckWarn
		c.Message = fmt.Sprintf("%s is %s", name, a.Status)
	}
	return c
}

// workflowCheck is the diagnosis's check of workflow w.
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
		for _, m := range q.Letters(DLQFilter{}, now) {
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
			fmt.Fprintf(&b, "%s %q (%s) %s %s", inc.IncidentID, inc.Title, inc.Severity, what, Stamp(inc.SLADeadline))
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

// Diagnose checks customer id's agents, workflows, dead letters and
// open incidents at now, and names the worst finding as the root cause.
func (w *World) Diagnose(id string, now time.Time) helpdesk.Diagnosis {
	incidents := w.Helpdesk.IncidentsAt(now)
	var open []helpdesk.Incident
	for _, inc := range incidents {
		if inc.CustomerID == id && inc.Status.Open() {
			open = append(open, inc)
		}
	}
	slices.SortFunc(open, func(a, b helpdesk.Incident) int { return cmp.Compare(a.IncidentID, b.IncidentID) })

	d := helpdesk.Diagnosis{CustomerID: id, CheckedAt: now, Checks: []helpdesk.Check{},
		Recommendations: []helpdesk.Recommendation{}}
	for _, a := range customerAgents(w.Agents.States(now), id, open) {
		var cleared *time.Time
		if t, ok := w.Helpdesk.CacheCleared(a.AgentID); ok {
			cleared = &t
		}
		d.Checks = append(d.Checks, agentCheck(a, cleared))
	}
	for _, w := range w.Workflows.List(now) {
		if w.CustomerID == id {
			d.Checks = append(d.Checks, workflowCheck(w))
		}
	}
	d.Checks = append(d.Checks, deadLetterCheck(w.Queues, id, now), slaCheck(open))

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
	return d
}
