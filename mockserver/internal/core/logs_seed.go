package core

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// seedLogSpan is how far back the seeded log goes.
const seedLogSpan = 6 * time.Hour

// logLine makes one seeded line's level, message and metadata.
type logLine func(r *rand.Rand) (platform.LogLevel, string, map[string]any)

func seedInfo(format string, args ...func(r *rand.Rand) any) logLine {
	return seedLine(platform.LogInfo, format, args...)
}

func seedLine(level platform.LogLevel, format string, args ...func(r *rand.Rand) any) logLine {
	return func(r *rand.Rand) (platform.LogLevel, string, map[string]any) {
		vals := make([]any, len(args))
		for i, a := range args {
			vals[i] = a(r)
		}
		return level, fmt.Sprintf(format, vals...), map[string]any{
			"request_id":  fmt.Sprintf("req-%06x", r.IntN(1<<24)),
			"duration_ms": 5 + r.IntN(400),
		}
	}
}

// between draws an integer in [lo, hi].
func between(lo, hi int) func(r *rand.Rand) any {
	return func(r *rand.Rand) any { return lo + r.IntN(hi-lo+1) }
}

// oneOf draws one of the values.
func oneOf(vs ...string) func(r *rand.Rand) any {
	return func(r *rand.Rand) any { return vs[r.IntN(len(vs))] }
}

// agentLog is what one seeded agent logs, and when: from `from` ago to
// `to` ago (0: until the seed clock), about n lines.
type agentLog struct {
	agentID  string
	from, to time.Duration
	n        int
	lines    []logLine
}

var logCustomer = oneOf(custAcmeName, custGlobexName, custInitechName)

// seedLogPlan is the seeded agents' chatter. Agents that are offline or in
// error at the seed clock stop logging when they stopped working.
var seedLogPlan = []agentLog{
	{"wow-vision-prime", seedLogSpan, 0, 14, []logLine{
		seedInfo("Governance check passed for %s (policy set v%d)", oneOf("agent-001", "agent-002", "agent-004", "agent-005"), between(12, 14)),
		seedInfo("Reviewed %d agent actions in the last window: no violations", between(20, 80)),
		seedLine(platform.LogDebug, "Policy cache refreshed (%d rules)", between(140, 160)),
	}},
	{"wow-agent-factory", seedLogSpan, 0, 8, []logLine{
		seedInfo("Template catalogue loaded: %d templates", between(6, 6)),
		seedInfo("Validated a %s agent request for %s", oneOf("memory", "api", "data", "monitoring"), logCustomer),
		seedLine(platform.LogDebug, "Render cache hit ratio %d%%", between(70, 95)),
	}},
	{"wow-event", seedLogSpan, 0, 26, []logLine{
		seedInfo("Routed event %s to %d subscribers", oneOf("order.created", "customer.updated", "task.completed", "invoice.paid"), between(1, 6)),
		seedLine(platform.LogDebug, "Event bus partition %d rebalanced", between(0, 7)),
		seedInfo("Delivered %d events in %d ms", between(80, 400), between(20, 90)),
	}},
	{"wow-communication", seedLogSpan, 0, 14, []logLine{
		seedInfo("Conversation %s handed to %s", oneOf("conv-1182", "conv-1204", "conv-1219"), oneOf("agent-001", "agent-004")),
		seedInfo("Sent %d chat replies (median %d ms)", between(10, 60), between(200, 900)),
	}},
	{"wow-memory", seedLogSpan, 0, 22, []logLine{
		seedInfo("Stored context for session sess-%d (%d KB)", between(4000, 4999), between(2, 64)),
		seedInfo("Context search returned %d results in %d ms", between(1, 20), between(15, 120)),
		seedLine(platform.LogDebug, "Compacted memory segment %d", between(100, 199)),
		seedLine(platform.LogWarn, "Context window for sess-%d truncated to %d tokens", between(4000, 4999), between(6000, 8000)),
	}},
	{"wow-cache", seedLogSpan, 0, 14, []logLine{
		seedInfo("Cache hit ratio %d%% over the last 5 minutes", between(88, 99)),
		seedLine(platform.LogDebug, "Evicted %d keys (LRU)", between(100, 2000)),
	}},
	{"wow-search", seedLogSpan, 50 * time.Minute, 10, []logLine{
		seedInfo("Query %q answered in %d ms", oneOf("refund policy", "onboarding checklist", "pricing tiers"), between(30, 140)),
		seedInfo("Reindexed %d documents for %s", between(50, 500), logCustomer),
		seedLine(platform.LogWarn, "Index shard %d slow to answer (%d ms)", between(0, 3), between(800, 2500)),
	}},
	{"wow-security", seedLogSpan, 0, 12, []logLine{
		seedInfo("Token audit: %d tokens issued, %d revoked", between(20, 90), between(0, 4)),
		seedLine(platform.LogWarn, "Rejected a request with an expired token from %s", oneOf("10.4.2.17", "10.4.7.3", "10.4.9.88")),
	}},
	{"wow-support", seedLogSpan, 0, 14, []logLine{
		seedInfo("Triaged ticket T-%d as %s", between(9000, 9999), oneOf("billing", "bug", "how-to")),
		seedLine(platform.LogWarn, "p95 latency %d ms is above the 250 ms target", between(300, 420)),
	}},
	{"wow-notification", seedLogSpan, 0, 16, []logLine{
		seedInfo("Sent %d emails, %d SMS, %d push notifications", between(5, 40), between(0, 8), between(0, 30)),
		seedLine(platform.LogWarn, "SMTP relay answered 500; message queued for retry"),
		seedLine(platform.LogError, "Notification %s failed after 5 attempts: moved to the dead-letter queue", oneOf("ntf-5521", "ntf-5530", "ntf-5547")),
	}},
	{"wow-integration", seedLogSpan, 0, 10, []logLine{
		seedInfo("Webhook delivered to %s (%d)", oneOf("hooks.acme.example", "api.globex.example", "initech.example/hooks"), between(200, 204)),
		seedLine(platform.LogWarn, "Webhook to %s timed out after 10 s; will retry", oneOf("hooks.acme.example", "initech.example/hooks")),
	}},
	{"wow-analytics", seedLogSpan, 0, 8, []logLine{
		seedInfo("Hourly report for %s built (%d rows)", logCustomer, between(1000, 9000)),
		seedLine(platform.LogDebug, "Aggregation job took %d ms", between(400, 3000)),
	}},
	{"agent-001", seedLogSpan, 0, 8, []logLine{
		seedInfo("Drafted blog post %q for %s", oneOf("Q1 launch recap", "5 onboarding tips", "Customer story: Initech"), oneOf(custAcmeName)),
		seedInfo("SEO score %d/100 for the latest draft", between(72, 94)),
	}},
	{"agent-002", seedLogSpan, 0, 6, []logLine{
		seedInfo("Tutoring session finished: %d exercises, %d%% correct", between(5, 20), between(55, 98)),
	}},
	{"agent-003", seedLogSpan, 3*time.Hour + 5*time.Minute, 4, []logLine{
		seedInfo("Sent %d outreach emails for %s", between(10, 40), oneOf(custAcmeName)),
	}},
	{"agent-004", seedLogSpan, 0, 10, []logLine{
		seedInfo("Routed ticket T-%d to tier %d", between(9000, 9999), between(1, 2)),
		seedLine(platform.LogError, "Classifier call failed: upstream returned 503"),
		seedLine(platform.LogWarn, "Error rate %d.%d%% is above the 5%% threshold", between(5, 5), between(0, 9)),
	}},
	{"agent-005", seedLogSpan, 0, 6, []logLine{
		seedInfo("Onboarding step %q completed for %s", oneOf("account setup", "data import", "first workflow"), oneOf(custAcmeName)),
	}},
	{"", seedLogSpan, 0, 12, []logLine{
		seedInfo("Queue %s: %d messages pending, consumer lag %d", oneOf("agent-tasks", "event-bus", "webhooks"), between(40, 1600), between(5, 240)),
		seedLine(platform.LogWarn, "Queue notifications consumer lag %d is above 500", between(800, 900)),
		seedLine(platform.LogDebug, "Scheduler tick: %d workflows running", between(1, 2)),
	}},
}

// seedLogEvents are the notable seeded lines, at fixed times before the
// seed clock.
var seedLogEvents = []struct {
	ago     time.Duration
	level   platform.LogLevel
	agentID string
	msg     string
	meta    map[string]any
}{
	{5*time.Hour + 40*time.Minute, platform.LogInfo, "", "Platform API started (version 1.0.0)", nil},
	{3 * time.Hour, platform.LogInfo, "agent-003", "Stop requested by ops@waooaw.ai", map[string]any{"action": "stop", "by": "ops@waooaw.ai"}},
	{3 * time.Hour, platform.LogInfo, "agent-003", "Agent Sales Development Rep is now offline (was online)", map[string]any{"status": "offline", "previous_status": "online"}},
	{49 * time.Minute, platform.LogWarn, "wow-search", "Health check failed: index shard 2 unreachable (connection refused)", map[string]any{"check": "index", "attempt": 1}},
	{48 * time.Minute, platform.LogWarn, "wow-search", "Health check failed: index shard 2 unreachable (connection refused)", map[string]any{"check": "index", "attempt": 2}},
	{47 * time.Minute, platform.LogError, "wow-search", "Health check failed 3 times: agent WowSearch is now in error", map[string]any{"check": "index", "attempt": 3, "status": "error"}},
	{47 * time.Minute, platform.LogError, "", "Alert alert-4 raised: WowSearch is in error", map[string]any{"alert_id": "alert-4", "severity": "critical"}},
}

// seedLogs makes the seeded log (about 200 lines over the 6 hours before
// start), oldest first: the same lines for the same start.
func seedLogs(start time.Time) []platform.LogEntry {
	r := rand.New(rand.NewPCG(20260102, 1))
	var out []platform.LogEntry
	for _, p := range seedLogPlan {
		window := p.from - p.to
		for range p.n {
			at := start.Add(-p.from + time.Duration(r.Int64N(int64(window/time.Second)))*time.Second)
			level, msg, meta := p.lines[r.IntN(len(p.lines))](r)
			out = append(out, platform.LogEntry{Timestamp: at, Level: level, AgentID: p.agentID, Message: msg, Metadata: meta})
		}
	}
	for _, e := range seedLogEvents {
		meta := map[string]any{}
		for k, v := range e.meta {
			meta[k] = v
		}
		out = append(out, platform.LogEntry{Timestamp: start.Add(-e.ago), Level: e.level, AgentID: e.agentID, Message: e.msg, Metadata: meta})
	}
	slices.SortStableFunc(out, func(a, b platform.LogEntry) int { return a.Timestamp.Compare(b.Timestamp) })
	return out
}
