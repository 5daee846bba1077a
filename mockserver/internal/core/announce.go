package core

import (
	"fmt"
	"strings"
	"time"

	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
	"github.com/waooaw/waooaw-go/servicing"
	"github.com/waooaw/waooaw-go/workflows"
)

// The announcements: what the World publishes, logs and alerts on when it
// tells of a change (news.go). was is what it last told of the resource;
// known is false for a resource new to it. The World's lock is held.

func (w *World) announceAgent(now time.Time, a platform.Agent, was agentKey, known bool) {
	switch {
	case !known:
		w.publish(now, "agents.created", a)
		w.log(now, platform.LogInfo, a.AgentID, fmt.Sprintf("Agent %s created (%s)", a.Name, a.Status),
			map[string]any{"status": string(a.Status)})
	case was.status != a.Status:
		w.publish(now, "agents.status_changed", a)
		level := platform.LogInfo
		if a.Status == platform.AgentError {
			level = platform.LogError
		}
		w.log(now, level, a.AgentID, fmt.Sprintf("Agent %s is now %s (was %s)", a.Name, a.Status, was.status),
			map[string]any{"status": string(a.Status), "previous_status": string(was.status)})
	case was.health != a.Health || was.version != a.Version:
		w.publish(now, "agents.updated", a)
		if was.version != a.Version {
			w.log(now, platform.LogInfo, a.AgentID, fmt.Sprintf("Agent %s now runs %s (was %s)", a.Name, a.Version, was.version),
				map[string]any{"version": a.Version, "previous_version": was.version})
		}
		if was.health != a.Health {
			level := platform.LogInfo
			if a.Health != platform.AgentHealthy {
				level = platform.LogWarn
			}
			w.log(now, level, a.AgentID, fmt.Sprintf("Agent %s health is now %s (was %s)", a.Name, a.Health, was.health),
				map[string]any{"health": string(a.Health), "previous_health": string(was.health)})
		}
	}
	if a.Status == platform.AgentError && (!known || was.status != platform.AgentError) {
		w.raise(now, platform.AlertCritical, a.AgentID, a.Name+" is in error",
			fmt.Sprintf("%s went into error. Restart it, or see playbook %s.", a.Name, pbAgentError))
	}
}

func (w *World) announceWorkflow(now time.Time, wf workflows.Workflow, was workflowKey, known bool) {
	name := fmt.Sprintf("Workflow %s (%s)", wf.WorkflowName, wf.WorkflowID)
	meta := map[string]any{"workflow_id": wf.WorkflowID, "status": string(wf.Status)}
	switch {
	case !known:
		w.publish(now, "workflows.created", wf)
		w.log(now, platform.LogInfo, "", fmt.Sprintf("%s created for %s", name, wf.CustomerName), meta)
	case was.status != wf.Status:
		w.publish(now, "workflows.status_changed", wf)
		level := platform.LogInfo
		if wf.Status == workflows.StatusFailed {
			level = platform.LogError
		}
		meta["previous_status"] = string(was.status)
		w.log(now, level, "", fmt.Sprintf("%s is now %s (was %s)", name, wf.Status, was.status), meta)
	case was.completed != wf.CompletedTasks || was.failed != wf.FailedTasks:
		w.publish(now, "workflows.updated", wf)
		w.log(now, platform.LogInfo, "", fmt.Sprintf("%s: %d of %d tasks completed, %d failed",
			name, wf.CompletedTasks, wf.TotalTasks, wf.FailedTasks), meta)
	}
}

func (w *World) announceQueue(now time.Time, q queues.QueueDetail, was queues.Status, known bool) {
	switch {
	case !known:
		w.publish(now, "queues.created", q)
		w.log(now, platform.LogInfo, "", fmt.Sprintf("Queue %s created (%s)", q.QueueName, q.Status),
			map[string]any{"queue_name": q.QueueName, "status": string(q.Status)})
	case was != q.Status:
		w.publish(now, "queues.status_changed", q)
		level := platform.LogWarn
		if q.Status == queues.StatusHealthy {
			level = platform.LogInfo
		}
		w.log(now, level, "", fmt.Sprintf("Queue %s is now %s (was %s)", q.QueueName, q.Status, was),
			map[string]any{"queue_name": q.QueueName, "status": string(q.Status), "previous_status": string(was)})
	}
}

func (w *World) announceDeployment(now time.Time, d factory.Deployment, was factory.DeploymentStatus, known bool) {
	meta := map[string]any{"deployment_id": d.DeploymentID, "status": string(d.Status)}
	switch {
	case !known:
		w.publish(now, "deployments.created", d)
		w.log(now, platform.LogInfo, d.AgentID, fmt.Sprintf("Deployment %s of template %s started (%s)",
			d.DeploymentID, d.TemplateID, d.Status), meta)
	case was != d.Status:
		w.publish(now, "deployments.status_changed", d)
		level, msg := platform.LogInfo, fmt.Sprintf("Deployment %s is now %s (was %s)", d.DeploymentID, d.Status, was)
		if d.Status == factory.DeploymentFailed {
			level, msg = platform.LogError, msg+": "+d.Error
		}
		w.log(now, level, d.AgentID, msg, meta)
	}
}

func (w *World) announceUpgrade(now time.Time, u servicing.Upgrade, was servicing.UpgradeStatus, known bool) {
	kind := string(u.Kind)
	if kind != "" {
		kind = strings.ToUpper(kind[:1]) + kind[1:]
	}
	what := fmt.Sprintf("%s %s of %s (%s → %s)", kind, u.UpgradeID, u.AgentID, u.FromVersion, u.ToVersion)
	meta := map[string]any{"upgrade_id": u.UpgradeID, "status": string(u.Status)}
	switch {
	case !known:
		w.publish(now, "upgrades.created", u)
		w.log(now, platform.LogInfo, u.AgentID, fmt.Sprintf("%s started (%s)", what, u.Status), meta)
	case was != u.Status:
		w.publish(now, "upgrades.status_changed", u)
		level := platform.LogInfo
		switch u.Status {
		case servicing.UpgradeFailed, servicing.UpgradeRolledBack, servicing.UpgradeRollingBack:
			level = platform.LogWarn
		}
		msg := fmt.Sprintf("%s is now %s (was %s)", what, u.Status, was)
		if u.RollbackReason != "" {
			msg += ": " + u.RollbackReason
		}
		w.log(now, level, u.AgentID, msg, meta)
		if u.Kind == servicing.KindUpgrade && (u.Status == servicing.UpgradeFailed || u.Status == servicing.UpgradeRolledBack) {
			w.raise(now, platform.AlertWarning, u.AgentID, fmt.Sprintf("Upgrade of %s to %s %s", u.AgentID, u.ToVersion, u.Status),
				fmt.Sprintf("%s ended %s. %s", what, u.Status, u.RollbackReason))
		}
	}
}
