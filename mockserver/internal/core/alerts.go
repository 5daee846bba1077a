package core

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// alertStore holds the alerts in the list's order, oldest first (read
// backwards: newest first), and the same order per status and per
// severity: the list's indexes.
type alertStore struct {
	mu         *sync.Mutex // the World's one lock (World.share)
	all        []*alertEntry
	byStatus   map[platform.AlertStatus][]*alertEntry
	bySeverity map[platform.AlertSeverity][]*alertEntry
	byID       map[string]*alertEntry
	seq        int // the highest alert-N id
	raised     int // alerts put so far
}

// alertEntry is an alert and its place among those raised.
type alertEntry struct {
	platform.Alert
	n int // the order it was put in
}

// alertOrder is the list's order read backwards: by creation, and of
// alerts created at the same time, the one put first is listed first.
func alertOrder(a, b *alertEntry) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	return cmp.Compare(b.n, a.n)
}

func insertAlert(l []*alertEntry, e *alertEntry) []*alertEntry {
	i, _ := slices.BinarySearchFunc(l, e, alertOrder)
	return slices.Insert(l, i, e)
}

func removeAlert(l []*alertEntry, e *alertEntry) []*alertEntry {
	if i, ok := slices.BinarySearchFunc(l, e, alertOrder); ok {
		return slices.Delete(l, i, i+1)
	}
	return l
}

func newAlertStore(now time.Time) *alertStore {
	st := &alertStore{mu: new(sync.Mutex), byID: map[string]*alertEntry{},
		byStatus: map[platform.AlertStatus][]*alertEntry{}, bySeverity: map[platform.AlertSeverity][]*alertEntry{}}
	for _, a := range seedAlerts(now) {
		st.put(a)
	}
	return st
}

// clear forgets every alert (an empty start).
func (st *alertStore) clear() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.all, st.seq, st.raised = nil, 0, 0
	clear(st.byID)
	clear(st.byStatus)
	clear(st.bySeverity)
}

// put adds a, whose id is set; st.mu must be held or st unshared.
func (st *alertStore) put(a platform.Alert) {
	st.raised++
	e := &alertEntry{a, st.raised}
	st.all = insertAlert(st.all, e)
	st.byStatus[a.Status] = insertAlert(st.byStatus[a.Status], e)
	st.bySeverity[a.Severity] = insertAlert(st.bySeverity[a.Severity], e)
	st.byID[a.AlertID] = e
	var n int
	if _, err := fmt.Sscanf(a.AlertID, "alert-%d", &n); err == nil && n > st.seq {
		st.seq = n
	}
}

// raise adds a new active alert under the next id ("alert-5", …) and
// returns it; st.mu is held.
func (st *alertStore) raise(a platform.Alert) platform.Alert {
	for {
		st.seq++
		if id := fmt.Sprintf("alert-%d", st.seq); st.byID[id] == nil {
			a.AlertID = id
			break
		}
	}
	a.Status = platform.AlertActive
	st.put(a)
	return a
}

// Page is the page of the alerts of severity and status ("" for any),
// newest first, that q asks for. One filter, or none, reads the page alone
// from its index (PaginateAt); both read the smaller index and check the
// other.
func (st *alertStore) Page(q url.Values, severity platform.AlertSeverity, status platform.AlertStatus) (Page[platform.Alert], *Error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	l := st.all
	switch {
	case status != "" && (severity == "" || len(st.byStatus[status]) <= len(st.bySeverity[severity])):
		l = st.byStatus[status]
	case severity != "":
		l = st.bySeverity[severity]
	}
	key := func(a platform.Alert) string { return a.AlertID }
	if severity == "" || status == "" {
		return PaginateAt(q, "alerts", len(l), func(i int) platform.Alert { return l[len(l)-1-i].Alert }, key, string(severity), string(status))
	}
	seq := func(yield func(platform.Alert) bool) {
		for i := len(l) - 1; i >= 0; i-- {
			if a := l[i].Alert; a.Severity == severity && a.Status == status && !yield(a) {
				return
			}
		}
	}
	return PaginateSeq(q, "alerts", seq, key, string(severity), string(status))
}

// Get is alert id.
func (st *alertStore) Get(id string) (platform.Alert, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	a, ok := st.byID[id]
	if !ok {
		return platform.Alert{}, false
	}
	return a.Alert, true
}

// AlertAction is acknowledge or resolve.
type AlertAction string

const (
	ActAcknowledge AlertAction = "acknowledge"
	ActResolve     AlertAction = "resolve"
)

// act applies an action under the alert state machine:
//
//	acknowledge: active               → acknowledged
//	resolve:     active, acknowledged → resolved
//
// Anything else is a conflict naming the current status.
//
// st.mu is held (World.ActAlert).
func (st *alertStore) act(id string, act AlertAction, by string, now time.Time) (platform.Alert, *Error) {
	a, ok := st.byID[id]
	if !ok {
		return platform.Alert{}, NotFound("alert %q not found", id)
	}
	was := a.Status
	switch {
	case act == ActAcknowledge && a.Status == platform.AlertActive:
		t := now
		a.Status, a.AcknowledgedAt, a.AcknowledgedBy = platform.AlertAcknowledged, &t, by
	case act == ActResolve && (a.Status == platform.AlertActive || a.Status == platform.AlertAcknowledged):
		t := now
		a.Status, a.ResolvedAt, a.ResolvedBy = platform.AlertResolved, &t, by
	case act == ActAcknowledge:
		return platform.Alert{}, Conflict("cannot acknowledge alert %q: it is %s (only an active alert can be acknowledged)", id, a.Status)
	default:
		return platform.Alert{}, Conflict("cannot resolve alert %q: it is already %s", id, a.Status)
	}
	st.byStatus[was] = removeAlert(st.byStatus[was], a)
	st.byStatus[a.Status] = insertAlert(st.byStatus[a.Status], a)
	return a.Alert, nil
}

// ActAlert acknowledges or resolves alert id for by, and tells of it.
func (w *World) ActAlert(id string, act AlertAction, by Actor, now time.Time) (platform.Alert, *Error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	a, e := w.Alerts.act(id, act, by.Email, now)
	if e != nil {
		return a, e
	}
	kind, verb := "alerts.acknowledged", "acknowledged"
	if act == ActResolve {
		kind, verb = "alerts.resolved", "resolved"
	}
	w.publish(now, kind, a)
	w.log(now, platform.LogInfo, a.AgentID, fmt.Sprintf("Alert %s (%s) %s by %s", a.AlertID, a.Title, verb, by.Email),
		map[string]any{"alert_id": a.AlertID, "action": string(act), "by": by.Email})
	return a, nil
}

// raise raises an active alert at the time at and publishes it; the
// World's lock is held.
func (w *World) raise(at time.Time, severity platform.AlertSeverity, agentID, title, msg string) {
	a := w.Alerts.raise(platform.Alert{Severity: severity, Title: title, Message: msg, AgentID: agentID, CreatedAt: at.UTC()})
	w.publish(at, "alerts.created", a)
	level := platform.LogWarn
	if severity == platform.AlertCritical {
		level = platform.LogError
	}
	w.log(at, level, agentID, fmt.Sprintf("Alert %s raised: %s", a.AlertID, title),
		map[string]any{"alert_id": a.AlertID, "severity": string(severity)})
}

// seedAlerts are the first backend's three alerts (alert-1 warning,
// alert-2 and alert-3 info), the critical alert of WowSearch, in error
// since 47 minutes before the seed clock, and one resolved alert.
func seedAlerts(now time.Time) []platform.Alert {
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	return []platform.Alert{
		{AlertID: "alert-1", Severity: platform.AlertWarning, Title: "Consumer lag on notifications",
			Message: "Queue notifications has a consumer lag of 890 messages and 2.3 % errors; its dead-letter queue is growing.",
			Status:  platform.AlertActive, CreatedAt: *ago(2 * time.Hour)},
		{AlertID: "alert-2", Severity: platform.AlertInfo, Title: "WowMemory 0.4.3 available",
			Message: "A new version of WowMemory is available: see its versions for the changelog.",
			AgentID: "wow-memory", Status: platform.AlertActive, CreatedAt: *ago(5 * time.Hour)},
		{AlertID: "alert-3", Severity: platform.AlertInfo, Title: "WowScaling is offline",
			Message: "WowScaling was stopped 26 hours ago and has not been started since.",
			AgentID: "wow-scaling", Status: platform.AlertAcknowledged, CreatedAt: *ago(26 * time.Hour),
			AcknowledgedAt: ago(25 * time.Hour), AcknowledgedBy: OperatorEmail},
		{AlertID: "alert-4", Severity: platform.AlertCritical, Title: "WowSearch is in error",
			Message: "WowSearch failed 3 health checks in a row (index shard 2 unreachable). Restart it, or see playbook pb-agent-error.",
			AgentID: "wow-search", Status: platform.AlertActive, CreatedAt: *ago(47 * time.Minute)},
		{AlertID: "alert-5", Severity: platform.AlertWarning, Title: "Event routing backlog",
			Message: "WowEvent had 4,200 events waiting for over 5 minutes.",
			AgentID: "wow-event", Status: platform.AlertResolved, CreatedAt: *ago(5*time.Hour + 10*time.Minute),
			AcknowledgedAt: ago(5 * time.Hour), AcknowledgedBy: OperatorEmail,
			ResolvedAt: ago(4*time.Hour + 30*time.Minute), ResolvedBy: OperatorEmail},
	}
}
