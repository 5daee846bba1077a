package core

import (
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// Seed customers, shared by the areas that refer to them.
const (
	custAcme    = "cust-001"
	custGlobex  = "cust-002"
	custInitech = "cust-003"

	custAcmeName    = "Acme Corp"
	custGlobexName  = "Globex Corporation"
	custInitechName = "Initech"
)

// seedAgents are the platform's own agents (the first backend's registry,
// as Platform CoE) and a few customers' Business agents.
func seedAgents(now time.Time) []*agentState {
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	created := now.Add(-90 * 24 * time.Hour)
	coe := func(id, name, version string, status platform.AgentStatus, health platform.AgentHealth,
		last *time.Time, rpm, tpm int, errRate float64, p95 int64, caps ...string) *agentState {
		return &agentState{
			Agent: platform.Agent{
				AgentID: id, Name: name, Tier: platform.TierPlatformCoE, Status: status, Health: health,
				Version: version, Capabilities: caps, LastActive: last, CreatedAt: created,
				Description: name + " platform agent",
			},
			rpm: rpm, tpm: tpm, errRate: errRate, p95MS: p95,
		}
	}
	on, off, bad := platform.AgentOnline, platform.AgentOffline, platform.AgentError
	ok, deg, unh := platform.AgentHealthy, platform.AgentDegraded, platform.AgentUnhealthy
	agents := []*agentState{
		coe("wow-vision-prime", "WowVisionPrime", "0.3.6", on, ok, ago(1*time.Minute), 42, 12, 0.004, 95, "vision", "governance"),
		coe("wow-agent-factory", "WowAgentFactory", "0.2.1", on, ok, ago(3*time.Minute), 18, 6, 0.010, 140, "creation", "templates"),
		coe("wow-domain", "WowDomain", "0.1.4", off, ok, nil, 0, 0, 0, 0, "domain-modeling"),
		coe("wow-event", "WowEvent", "0.2.0", on, ok, ago(30*time.Second), 96, 40, 0.002, 35, "events", "routing"),
		coe("wow-communication", "WowCommunication", "0.2.3", on, ok, ago(2*time.Minute), 54, 22, 0.008, 110, "messaging", "notifications"),
		coe("wow-memory", "WowMemory", "0.4.2", on, ok, ago(2*time.Minute), 68, 30, 0.005, 120, "memory", "context"),
		coe("wow-cache", "WowCache", "0.3.0", on, ok, ago(1*time.Minute), 120, 15, 0.001, 12, "caching"),
		coe("wow-search", "WowSearch", "0.2.2", bad, unh, ago(47*time.Minute), 0, 0, 0, 0, "search", "indexing"),
		coe("wow-security", "WowSecurity", "0.3.1", on, ok, ago(4*time.Minute), 30, 8, 0.003, 80, "auth", "audit"),
		coe("wow-support", "WowSupport", "0.1.9", on, deg, ago(6*time.Minute), 24, 10, 0.041, 380, "support", "triage"),
		coe("wow-notification", "WowNotification", "0.2.5", on, ok, ago(1*time.Minute), 40, 18, 0.012, 160, "email", "sms", "push"),
		coe("wow-scaling", "WowScaling", "0.1.2", off, ok, ago(26*time.Hour), 0, 0, 0, 0, "autoscaling"),
		coe("wow-integration", "WowIntegration", "0.2.8", on, ok, ago(5*time.Minute), 36, 14, 0.015, 210, "webhooks", "connectors"),
		coe("wow-analytics", "WowAnalytics", "0.3.3", on, ok, ago(8*time.Minute), 22, 9, 0.006, 260, "analytics", "reporting"),
	}
	biz := func(id, name, cust string, status platform.AgentStatus, health platform.AgentHealth,
		last *time.Time, rpm, tpm int, errRate float64, p95 int64, caps ...string) *agentState {
		a := coe(id, name, "1.4.0", status, health, last, rpm, tpm, errRate, p95, caps...)
		a.Tier, a.CustomerID, a.Description = platform.TierBusiness, cust, name+" for a customer"
		return a
	}
	agents = append(agents,
		biz("agent-001", "Content Marketing Specialist", custAcme, on, ok, ago(2*time.Minute), 30, 12, 0.010, 240, "content", "seo"),
		biz("agent-002", "Math Tutor", custGlobex, on, ok, ago(9*time.Minute), 14, 7, 0.004, 300, "tutoring", "assessment"),
		biz("agent-003", "Sales Development Rep", custAcme, off, ok, ago(3*time.Hour), 0, 0, 0, 0, "outreach", "crm"),
		biz("agent-004", "Support Triage", custInitech, on, deg, ago(1*time.Minute), 26, 11, 0.052, 450, "support", "triage"),
		biz("agent-005", "Onboarding Concierge", custAcme, on, ok, ago(4*time.Minute), 12, 5, 0.007, 190, "onboarding", "memory"),
	)
	return agents
}
