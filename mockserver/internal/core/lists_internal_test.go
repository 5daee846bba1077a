package core

import (
	"cmp"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/servicing"
)

// pageAll reads every page of a list, page_size 3, and returns the keys.
func pageAll[T any](t *testing.T, read func(q url.Values) (Page[T], *Error), key func(T) string) []string {
	t.Helper()
	var got []string
	q := url.Values{"page_size": {"3"}}
	for range 1000 {
		p, e := read(q)
		if e != nil {
			t.Fatal(e)
		}
		for _, it := range p.Items {
			got = append(got, key(it))
		}
		if p.Next == "" {
			return got
		}
		q.Set("page_token", p.Next)
	}
	t.Fatal("the pages never end")
	return nil
}

// TestAlertPageAgreesWithASortedScan: the alert list read from its indexes
// is what filtering every alert and sorting it newest first (ties in the
// order raised) gives, while alerts are raised out of time order and
// change status.
func TestAlertPageAgreesWithASortedScan(t *testing.T) {
	w, _ := noted(t)
	now := Epoch()
	sevs := []platform.AlertSeverity{platform.AlertCritical, platform.AlertWarning, platform.AlertInfo}
	var raised []platform.Alert // every alert in the order raised
	for _, e := range w.Alerts.all {
		raised = append(raised, e.Alert)
	}
	slices.SortFunc(raised, func(a, b platform.Alert) int {
		return cmp.Compare(w.Alerts.byID[a.AlertID].n, w.Alerts.byID[b.AlertID].n)
	})
	for i := range 60 {
		at := now.Add(time.Duration(i%7-3) * time.Minute) // ties and times before others
		w.raise(at, sevs[i%3], "", "t", "m")
		raised = append(raised, w.Alerts.byID["alert-"+itoa(w.Alerts.seq)].Alert)
		if i%4 == 1 {
			w.ActAlert(raised[len(raised)-2].AlertID, ActAcknowledge, Actor{}, now)
		}
		if i%5 == 2 {
			w.ActAlert(raised[i/2].AlertID, ActResolve, Actor{}, now)
		}
	}
	for _, sev := range append(sevs, "") {
		for _, status := range []platform.AlertStatus{"", platform.AlertActive, platform.AlertAcknowledged, platform.AlertResolved} {
			var want []platform.Alert
			for _, r := range raised {
				a, _ := w.Alerts.Get(r.AlertID)
				if (sev == "" || a.Severity == sev) && (status == "" || a.Status == status) {
					want = append(want, a)
				}
			}
			slices.SortStableFunc(want, func(a, b platform.Alert) int { return b.CreatedAt.Compare(a.CreatedAt) })
			var ids []string
			for _, a := range want {
				ids = append(ids, a.AlertID)
			}
			got := pageAll(t, func(q url.Values) (Page[platform.Alert], *Error) { return w.Alerts.Page(q, sev, status) },
				func(a platform.Alert) string { return a.AlertID })
			if !slices.Equal(got, ids) {
				t.Errorf("severity %q status %q: paged %v, want %v", sev, status, got, ids)
			}
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestHistoryPageAgreesWithAScan: the upgrade history read from its index
// by agent is every op, newest first, filtered.
func TestHistoryPageAgreesWithAScan(t *testing.T) {
	w, _ := noted(t)
	now := Epoch()
	for _, id := range []string{"wow-cache", "wow-memory", "wow-event"} {
		for range 3 {
			a, _ := w.Agents.Get(id, now)
			line := w.Servicing.line(a)
			if i := releaseIndex(line, a.Version); i >= 0 && i+1 < len(line) {
				if _, e := w.Upgrade(id, UpgradeRequest{TargetVersion: line[i+1].version, Strategy: servicing.StrategyRolling}, now); e != nil {
					t.Fatal(e)
				}
			}
			now = now.Add(time.Hour)
			w.Settle(now)
		}
	}
	for _, agent := range []string{"", "wow-cache", "wow-event", "nobody"} {
		for _, status := range []servicing.UpgradeStatus{"", servicing.UpgradeCompleted, servicing.UpgradeInProgress} {
			var want []string
			for i := len(w.Servicing.ops) - 1; i >= 0; i-- {
				h := w.Servicing.ops[i].historyEntry(now)
				if (agent == "" || h.AgentID == agent) && (status == "" || h.Status == status) {
					want = append(want, h.UpgradeID)
				}
			}
			got := pageAll(t, func(q url.Values) (Page[servicing.HistoryEntry], *Error) {
				return w.Servicing.HistoryPage(q, agent, status, now)
			}, func(h servicing.HistoryEntry) string { return h.UpgradeID })
			if !slices.Equal(got, want) {
				t.Errorf("agent %q status %q: paged %v, want %v", agent, status, got, want)
			}
		}
	}
}
