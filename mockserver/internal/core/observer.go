package core

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
	"github.com/waooaw/waooaw-go/servicing"
	"github.com/waooaw/waooaw-go/workflows"
)

// stateSnapshot is what the event stream last told of the state: per
// resource, the fields whose changes are published.
type stateSnapshot struct {
	gen         *agentStore // the stores it was taken of: another after a Reset
	at          time.Time   // the clock's time then
	agents      map[string]agentKey
	workflows   map[string]workflowKey
	queues      map[string]queues.Status
	deployments map[string]factory.DeploymentStatus
	upgrades    map[string]servicing.UpgradeStatus
}

type agentKey struct {
	status  platform.AgentStatus
	health  platform.AgentHealth
	version string
}

type workflowKey struct {
	status            workflows.Status
	completed, failed int
}

// stateNow is the state as of now, in the stores' orders.
type stateNow struct {
	agents      []agentNow
	workflows   []workflows.Workflow
	queues      []queues.QueueDetail
	deployments []deploymentNow
	upgrades    []servicing.Upgrade
}

// agentNow and deploymentNow are the published fields of a resource; the
// whole resource is read only for those that changed.
type agentNow struct {
	id  string
	key agentKey
}

type deploymentNow struct {
	d      *deployment
	status factory.DeploymentStatus
}

func readState(st *World, now time.Time) stateNow {
	var out stateNow
	out.agents = st.Agents.keys(now)
	out.workflows = st.Workflows.List(now)
	out.queues = st.Queues.Views(now)

	out.deployments = st.Factory.statuses(now, st.Factory.order)

	out.upgrades = readUpgrades(st, now)
	return out
}

// readUpgrades is every upgrade as of now.
func readUpgrades(st *World, now time.Time) []servicing.Upgrade {
	st.Servicing.mu.Lock()
	defer st.Servicing.mu.Unlock()
	out := make([]servicing.Upgrade, 0, len(st.Servicing.ops))
	for _, o := range st.Servicing.ops {
		out = append(out, o.view(now))
	}
	return out
}

// refresh replaces the snapshot's workflows and queues with cur's (the
// areas the observer reads whole: both are small, neither grows with
// requests).
func (snap *stateSnapshot) refresh(cur stateNow) {
	snap.workflows = make(map[string]workflowKey, len(cur.workflows))
	for _, w := range cur.workflows {
		snap.workflows[w.WorkflowID] = workflowKey{w.Status, w.CompletedTasks, w.FailedTasks}
	}
	snap.queues = make(map[string]queues.Status, len(cur.queues))
	for _, q := range cur.queues {
		snap.queues[q.QueueName] = q.Status
	}
}

func (n stateNow) snapshot(gen *agentStore) *stateSnapshot {
	snap := &stateSnapshot{gen: gen,
		agents:      make(map[string]agentKey, len(n.agents)),
		workflows:   make(map[string]workflowKey, len(n.workflows)),
		queues:      make(map[string]queues.Status, len(n.queues)),
		deployments: make(map[string]factory.DeploymentStatus, len(n.deployments)),
		upgrades:    make(map[string]servicing.UpgradeStatus, len(n.upgrades)),
	}
	for _, a := range n.agents {
		snap.agents[a.id] = a.key
	}
	for _, d := range n.deployments {
		snap.deployments[d.d.id] = d.status
	}
	for _, u := range n.upgrades {
		snap.upgrades[u.UpgradeID] = u.Status
	}
	snap.refresh(n)
	return snap
}

// Observer finds what changed in a World since it last looked and tells
// of it: events, log lines and alerts.
type Observer struct {
	snap *stateSnapshot
}

// Fresh reports whether the observer's last look was at w at now: then
// nothing can have changed on the clock since.
func (o *Observer) Fresh(w *World, now time.Time) bool {
	return o.snap != nil && o.snap.gen == w.Agents && o.snap.at.Equal(now)
}

// Look publishes what changed in w since the last look, at now, logging
// and alerting on it. The first look, and the first after a Reset, reads
// the whole state and only takes note; reset is true for a look at a World
// other than the last one (the state was reset).
//
// Later looks read the agents, deployments and upgrades that can have
// changed (those changed since, and those moving on the clock: agentStore.
// changedKeys, factoryStore.active, servicingStore.active) and the small
// areas (workflows, queues) whole, and update the snapshot in place: a
// change costs what it changed, not the size of the state.
func (o *Observer) Look(w *World, now time.Time) (reset bool) {
	prev := o.snap
	if prev == nil || prev.gen != w.Agents {
		cur := readState(w, now)
		w.Agents.changedKeys(now) // seen: the next look starts from here
		w.Factory.mu.Lock()
		w.Factory.active = slices.Clone(w.Factory.order)
		w.Factory.mu.Unlock()
		w.Servicing.mu.Lock()
		w.Servicing.active = slices.Clone(w.Servicing.ops)
		w.Servicing.mu.Unlock()
		o.snap = cur.snapshot(w.Agents)
		o.snap.at = now
		return prev != nil
	}
	agents := w.Agents.changedKeys(now)
	deps := w.Factory.activeStatuses(now)
	cur := stateNow{workflows: w.Workflows.List(now), queues: w.Queues.Views(now), upgrades: w.Servicing.activeViews(now)}
	next := &stateSnapshot{gen: w.Agents, at: now, agents: prev.agents, deployments: prev.deployments, upgrades: prev.upgrades}
	next.refresh(cur)
	o.snap = next
	publishAgents(w, now, prev, agents)
	publishWorkflows(w, now, prev, cur.workflows)
	publishQueues(w, now, prev, cur.queues)
	publishDeployments(w, now, prev, deps)
	publishUpgrades(w, now, prev, cur.upgrades)
	// The agents and deployments are kept in place: record what was seen
	// once the publishers have compared with what was.
	for _, a := range agents {
		next.agents[a.id] = a.key
	}
	for _, d := range deps {
		next.deployments[d.d.id] = d.status
	}
	for _, u := range cur.upgrades {
		next.upgrades[u.UpgradeID] = u.Status
	}
	return false
}

func publishAgents(st *World, now time.Time, prev *stateSnapshot, agents []agentNow) {
	for _, an := range agents {
		was, known := prev.agents[an.id]
		if known && was == an.key {
			continue
		}
		a, ok := st.Agents.Get(an.id, now)
		if !ok {
			continue
		}
		switch {
		case !known:
			st.Publish(now, "agents.created", a)
			st.LogEvent(now, platform.LogInfo, a.AgentID, fmt.Sprintf("Agent %s created (%s)", a.Name, a.Status),
				map[string]any{"status": string(a.Status)})
		case was.status != a.Status:
			st.Publish(now, "agents.status_changed", a)
			level := platform.LogInfo
			if a.Status == platform.AgentError {
				level = platform.LogError
			}
			st.LogEvent(now, level, a.AgentID, fmt.Sprintf("Agent %s is now %s (was %s)", a.Name, a.Status, was.status),
				map[string]any{"status": string(a.Status), "previous_status": string(was.status)})
		case was.health != a.Health || was.version != a.Version:
			st.Publish(now, "agents.updated", a)
			if was.version != a.Version {
				st.LogEvent(now, platform.LogInfo, a.AgentID, fmt.Sprintf("Agent %s now runs %s (was %s)", a.Name, a.Version, was.version),
					map[string]any{"version": a.Version, "previous_version": was.version})
			}
			if was.health != a.Health {
				level := platform.LogInfo
				if a.Health != platform.AgentHealthy {
					level = platform.LogWarn
				}
				st.LogEvent(now, level, a.AgentID, fmt.Sprintf("Agent %s health is now %s (was %s)", a.Name, a.Health, was.health),
					map[string]any{"health": string(a.Health), "previous_health": string(was.health)})
			}
		}
		if a.Status == platform.AgentError && (!known || was.status != platform.AgentError) {
			st.RaiseAlert(now, platform.AlertCritical, a.AgentID, a.Name+" is in error",
				fmt.Sprintf("%s went into error. Restart it, or see playbook %s.", a.Name, pbAgentError))
		}
	}
}

func publishWorkflows(st *World, now time.Time, prev *stateSnapshot, wfs []workflows.Workflow) {
	for _, w := range wfs {
		was, known := prev.workflows[w.WorkflowID]
		name := fmt.Sprintf("Workflow %s (%s)", w.WorkflowName, w.WorkflowID)
		meta := map[string]any{"workflow_id": w.WorkflowID, "status": string(w.Status)}
		switch {
		case !known:
			st.Publish(now, "workflows.created", w)
			st.LogEvent(now, platform.LogInfo, "", fmt.Sprintf("%s created for %s", name, w.CustomerName), meta)
		case was.status != w.Status:
			st.Publish(now, "workflows.status_changed", w)
			level := platform.LogInfo
			if w.Status == workflows.StatusFailed {
				level = platform.LogError
			}
			meta["previous_status"] = string(was.status)
			st.LogEvent(now, level, "", fmt.Sprintf("%s is now %s (was %s)", name, w.Status, was.status), meta)
		case was.completed != w.CompletedTasks || was.failed != w.FailedTasks:
			st.Publish(now, "workflows.updated", w)
			st.LogEvent(now, platform.LogInfo, "", fmt.Sprintf("%s: %d of %d tasks completed, %d failed",
				name, w.CompletedTasks, w.TotalTasks, w.FailedTasks), meta)
		}
	}
}

func publishQueues(st *World, now time.Time, prev *stateSnapshot, qs []queues.QueueDetail) {
	for _, q := range qs {
		was, known := prev.queues[q.QueueName]
		switch {
		case !known:
			st.Publish(now, "queues.created", q)
			st.LogEvent(now, platform.LogInfo, "", fmt.Sprintf("Queue %s created (%s)", q.QueueName, q.Status),
				map[string]any{"queue_name": q.QueueName, "status": string(q.Status)})
		case was != q.Status:
			st.Publish(now, "queues.status_changed", q)
			level := platform.LogWarn
			if q.Status == queues.StatusHealthy {
				level = platform.LogInfo
			}
			st.LogEvent(now, level, "", fmt.Sprintf("Queue %s is now %s (was %s)", q.QueueName, q.Status, was),
				map[string]any{"queue_name": q.QueueName, "status": string(q.Status), "previous_status": string(was)})
		}
	}
}

func publishDeployments(st *World, now time.Time, prev *stateSnapshot, ds []deploymentNow) {
	for _, dn := range ds {
		was, known := prev.deployments[dn.d.id]
		if known && was == dn.status {
			continue
		}
		st.Factory.mu.Lock()
		d := dn.d.view(now)
		st.Factory.mu.Unlock()
		meta := map[string]any{"deployment_id": d.DeploymentID, "status": string(d.Status)}
		switch {
		case !known:
			st.Publish(now, "deployments.created", d)
			st.LogEvent(now, platform.LogInfo, d.AgentID, fmt.Sprintf("Deployment %s of template %s started (%s)",
				d.DeploymentID, d.TemplateID, d.Status), meta)
		case was != d.Status:
			st.Publish(now, "deployments.status_changed", d)
			level, msg := platform.LogInfo, fmt.Sprintf("Deployment %s is now %s (was %s)", d.DeploymentID, d.Status, was)
			if d.Status == factory.DeploymentFailed {
				level, msg = platform.LogError, msg+": "+d.Error
			}
			st.LogEvent(now, level, d.AgentID, msg, meta)
		}
	}
}

func publishUpgrades(st *World, now time.Time, prev *stateSnapshot, us []servicing.Upgrade) {
	for _, u := range us {
		was, known := prev.upgrades[u.UpgradeID]
		kind := string(u.Kind)
		if kind != "" {
			kind = strings.ToUpper(kind[:1]) + kind[1:]
		}
		what := fmt.Sprintf("%s %s of %s (%s → %s)", kind, u.UpgradeID, u.AgentID, u.FromVersion, u.ToVersion)
		meta := map[string]any{"upgrade_id": u.UpgradeID, "status": string(u.Status)}
		switch {
		case !known:
			st.Publish(now, "upgrades.created", u)
			st.LogEvent(now, platform.LogInfo, u.AgentID, fmt.Sprintf("%s started (%s)", what, u.Status), meta)
		case was != u.Status:
			st.Publish(now, "upgrades.status_changed", u)
			level := platform.LogInfo
			switch u.Status {
			case servicing.UpgradeFailed, servicing.UpgradeRolledBack, servicing.UpgradeRollingBack:
				level = platform.LogWarn
			}
			msg := fmt.Sprintf("%s is now %s (was %s)", what, u.Status, was)
			if u.RollbackReason != "" {
				msg += ": " + u.RollbackReason
			}
			st.LogEvent(now, level, u.AgentID, msg, meta)
			if u.Kind == servicing.KindUpgrade && (u.Status == servicing.UpgradeFailed || u.Status == servicing.UpgradeRolledBack) {
				st.RaiseAlert(now, platform.AlertWarning, u.AgentID, fmt.Sprintf("Upgrade of %s to %s %s", u.AgentID, u.ToVersion, u.Status),
					fmt.Sprintf("%s ended %s. %s", what, u.Status, u.RollbackReason))
			}
		}
	}
}
