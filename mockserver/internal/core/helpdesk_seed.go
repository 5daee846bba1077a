package core

import (
	"time"

	"github.com/waooaw/waooaw-go/helpdesk"
)

// seedIncidents are the help desk's incidents at now, consistent with the
// seeded agents and workflows. At the seed: Globex's INC-004 (critical, the
// failed Data Migration) has breached its SLA and INC-005 is at risk; Acme's
// INC-001 is about WowSearch, which is in error; Initech's INC-006 is about
// Support Triage, which is degraded (at risk 4h30m later, breached after
// 6h30m); INC-003 is resolved and INC-007 closed.
func seedIncidents(now time.Time) []helpdesk.Incident {
	inc := func(id, title string, sev helpdesk.Severity, status helpdesk.IncidentStatus, cat helpdesk.Category,
		cust, agent string, age time.Duration) helpdesk.Incident {
		created := now.Add(-age)
		return helpdesk.Incident{IncidentID: id, Title: title, Severity: sev, Status: status, Category: cat,
			CustomerID: cust, AffectedAgent: agent, CreatedAt: created, SLADeadline: created.Add(sev.SLA())}
	}
	h, m := time.Hour, time.Minute
	return []helpdesk.Incident{
		inc("INC-001", "Knowledge search returns no results", helpdesk.SeverityHigh, helpdesk.IncidentInvestigating,
			helpdesk.CategoryAvailability, custAcme, "wow-search", 45*m),
		inc("INC-002", "Sales Development Rep stopped sending outreach", helpdesk.SeverityLow, helpdesk.IncidentOpen,
			helpdesk.CategoryConfiguration, custAcme, "agent-003", 3*h),
		inc("INC-003", "Welcome emails delayed by up to an hour", helpdesk.SeverityMedium, helpdesk.IncidentResolved,
			helpdesk.CategoryPerformance, custAcme, "wow-notification", 50*h),
		inc("INC-004", "Data Migration stuck at CRM sync", helpdesk.SeverityCritical, helpdesk.IncidentInProgress,
			helpdesk.CategoryError, custGlobex, "wow-integration", 140*m),
		inc("INC-005", "Math Tutor answers slowly in the evenings", helpdesk.SeverityLow, helpdesk.IncidentOpen,
			helpdesk.CategoryPerformance, custGlobex, "agent-002", 19*h),
		inc("INC-006", "Support Triage takes minutes to route tickets", helpdesk.SeverityMedium, helpdesk.IncidentOpen,
			helpdesk.CategoryPerformance, custInitech, "agent-004", 90*m),
		inc("INC-007", "SSO sign-in failures for support staff", helpdesk.SeverityHigh, helpdesk.IncidentClosed,
			helpdesk.CategorySecurity, custInitech, "wow-security", 72*h),
	}
}

// seedPlaybooks are the knowledge base: the six known problems and how to
// fix them.
func seedPlaybooks() []helpdesk.Playbook {
	type st = helpdesk.Step
	steps := func(ss ...st) []helpdesk.Step {
		for i := range ss {
			ss[i].Order = i + 1
		}
		return ss
	}
	restart, clearCache, retry := helpdesk.ActionRestartAgent, helpdesk.ActionClearCache, helpdesk.ActionRetryWorkflow
	return []helpdesk.Playbook{
		{
			PlaybookID: pbAgentError, Title: "Agent in error", Category: helpdesk.CategoryAvailability,
			Summary: "An agent stopped taking work and reports status error; a restart brings it back in 30 seconds.",
			Symptoms: []string{"agent status is error", "tasks assigned to the agent never start",
				"the customer reports a feature that returns nothing", "platform health shows agents degraded"},
			Steps: steps(
				st{Title: "Confirm the agent is in error", Detail: "Open the customer overview or GET /api/platform/agents/{id}; note last_active."},
				st{Title: "Read the agent's recent errors", Detail: "GET /api/platform/logs?agent={id}&level=ERROR shows why it stopped."},
				st{Title: "Restart the agent", Detail: "The agent is starting at once and online 30 seconds later.", Action: restart},
				st{Title: "Run the diagnosis again", Detail: "After 30 seconds the agent's check passes; if it fails again, roll back its last upgrade."},
			),
			RelatedActions: []helpdesk.Action{restart},
		},
		{
			PlaybookID: pbDLQGrowing, Title: "Dead-letter queue growing", Category: helpdesk.CategoryError,
			Summary: "Messages for the customer keep landing in a dead-letter queue; retry the transient failures and delete the permanent ones.",
			Symptoms: []string{"dead letters carry the customer's id", "queue status degraded or critical",
				"notifications or webhooks never arrive", "dead letter errors repeat"},
			Steps: steps(
				st{Title: "Group the dead letters by error", Detail: "GET /api/platform/queues/{name}/dlq for each queue; the error text tells transient from permanent."},
				st{Title: "Retry the transient failures", Detail: "Timeouts, 429 and 5xx answers, dropped connections: POST …/dlq/retry with error_contains."},
				st{Title: "Delete the permanent failures", Detail: "Schema errors, unknown recipients, removed endpoints: POST …/dlq/purge with error_contains, after fixing the sender."},
				st{Title: "Retry the workflows that lost tasks", Detail: "A workflow whose task was dead-lettered has failed; retry it.", Action: retry},
			),
			RelatedActions: []helpdesk.Action{retry},
		},
		{
			PlaybookID: pbWorkflowFailed, Title: "Workflow task failed or timed out", Category: helpdesk.CategoryError,
			Summary: "A workflow failed because one task failed (often a timeout calling another system); retrying the task resumes the workflow.",
			Symptoms: []string{"workflow status failed", "task error API timeout", "progress stuck below 100%",
				"the customer reports a migration or sync that never finished"},
			Steps: steps(
				st{Title: "Find the failed task", Detail: "GET /api/platform/orchestration/workflows/{id}: the failed task has an error and a retry count."},
				st{Title: "Check the task's agent", Detail: "An agent in error fails every task it runs: restart it first.", Action: restart},
				st{Title: "Retry the workflow", Detail: "The failed task runs again and the tasks after it follow once it completes.", Action: retry},
				st{Title: "Follow the workflow to its end", Detail: "workflows.Client.Watch, or examples/workflow-watch."},
			),
			RelatedActions: []helpdesk.Action{retry, restart},
		},
		{
			PlaybookID: pbSlowResponses, Title: "Slow agent responses", Category: helpdesk.CategoryPerformance,
			Summary: "An agent answers slowly and its health is degraded; clearing its cache usually fixes it, a restart if not.",
			Symptoms: []string{"agent health degraded", "p95 latency far above the usual", "error rate above 5%",
				"the customer reports answers that take minutes"},
			Steps: steps(
				st{Title: "Compare the agent's figures", Detail: "The dashboard's p95 latency and error rate, against the agent's usual."},
				st{Title: "Clear the agent's cache", Detail: "Stale cache entries are the usual cause; nothing else about the agent changes.", Action: clearCache},
				st{Title: "Restart if it stays slow", Detail: "A restart drops every in-memory state; the agent is back in 30 seconds.", Action: restart},
				st{Title: "Scale or upgrade", Detail: "Still slow: raise its resources, or upgrade to a version that fixes the regression."},
			),
			RelatedActions: []helpdesk.Action{clearCache, restart},
		},
		{
			PlaybookID: pbAuthFailures, Title: "Authentication failures", Category: helpdesk.CategorySecurity,
			Summary: "Users or services of the customer cannot sign in, or their calls answer 401; check tokens, sessions and credentials.",
			Symptoms: []string{"401 unauthenticated answers", "SSO sign-in fails", "invalid_grant when refreshing",
				"service account calls rejected"},
			Steps: steps(
				st{Title: "Read the error", Detail: "invalid_token means expired, revoked or forged; invalid_grant a refresh token used twice or revoked."},
				st{Title: "Check the sessions", Detail: "A logout or revocation ends every token of the session: sign in again."},
				st{Title: "Check service credentials", Detail: "Client credentials must match a registered client; rotate a leaked secret."},
				st{Title: "Check the security agent", Detail: "WowSecurity in error refuses every sign-in: restart it.", Action: restart},
			),
			RelatedActions: []helpdesk.Action{restart},
		},
		{
			PlaybookID: pbOnboarding, Title: "Customer onboarding stuck", Category: helpdesk.CategoryConfiguration,
			Summary: "A new customer's onboarding workflow stopped moving; find the task it waits on and get it going again.",
			Symptoms: []string{"Customer Onboarding workflow not progressing", "workflow paused or failed",
				"the customer has no welcome pack", "onboarding concierge degraded"},
			Steps: steps(
				st{Title: "Open the customer overview", Detail: "Find the Customer Onboarding workflow and its status."},
				st{Title: "Resume a paused workflow", Detail: "Someone paused it: POST …/workflows/{id}/resume."},
				st{Title: "Retry a failed workflow", Detail: "The failed task runs again.", Action: retry},
				st{Title: "Clear the concierge's cache", Detail: "A degraded Onboarding Concierge slows every step.", Action: clearCache},
			),
			RelatedActions: []helpdesk.Action{retry, clearCache},
		},
	}
}
