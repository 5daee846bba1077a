package core

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// TestAgentPageAgreesWithAScan: the agent list read from its indexes pages
// exactly what a scan of every agent, filtered, would, while agents change
// status by actions and on the clock.
func TestAgentPageAgreesWithAScan(t *testing.T) {
	w, _ := noted(t)
	now := Epoch()
	acts := []AgentAction{ActRestart, ActStop, ActStart}
	filters := []AgentFilter{{}, {Status: platform.AgentOnline}, {Status: platform.AgentStarting}, {Status: platform.AgentOffline},
		{Tier: platform.TierBusiness}, {Status: platform.AgentOnline, Tier: platform.TierPlatformCoE}, {Text: "wow"},
		{Status: platform.AgentOffline, Text: "agent"}}
	for round := range 40 {
		for i, id := range w.Agents.order {
			if (i+round)%3 == 0 {
				w.ActAgent(id, acts[(i+round)%len(acts)], Actor{}, now) // a refusal (409) is fine
			}
		}
		now = now.Add(time.Duration(round%4) * 11 * time.Second)
		for _, f := range filters {
			var want []string
			for _, a := range w.Agents.List(now) {
				if (f.Status == "" || a.Status == f.Status) && (f.Tier == "" || a.Tier == f.Tier) &&
					(f.Text == "" || strings.Contains(strings.ToLower(a.Name), f.Text) || strings.Contains(a.AgentID, f.Text)) {
					want = append(want, a.AgentID)
				}
			}
			var got []string
			q := url.Values{"page_size": {"4"}}
			for pages := 0; ; pages++ {
				p, e := w.AgentPage(q, now, f)
				if e != nil {
					t.Fatalf("round %d, %+v: %v", round, f, e)
				}
				if p.Total != len(want) {
					t.Fatalf("round %d, %+v: total %d, want %d", round, f, p.Total, len(want))
				}
				for _, a := range p.Items {
					got = append(got, a.AgentID)
				}
				if p.Next == "" || pages > 100 {
					break
				}
				q.Set("page_token", p.Next)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("round %d, %+v: paged %v, want %v", round, f, got, want)
			}
		}
	}
	// The index holds every agent once, under its status and its tier.
	n := 0
	for s, ps := range w.Agents.byStatus {
		for _, p := range ps {
			if a := w.Agents.byID[w.Agents.order[p]]; a.Status != s {
				t.Errorf("%s is indexed as %s but is %s", a.AgentID, s, a.Status)
			}
			n++
		}
	}
	if n != len(w.Agents.order) {
		t.Errorf("the status index holds %d agents of %d", n, len(w.Agents.order))
	}
}
