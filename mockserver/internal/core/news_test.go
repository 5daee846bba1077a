package core

import (
	"fmt"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
	"github.com/waooaw/waooaw-go/servicing"
	"github.com/waooaw/waooaw-go/workflows"
)

// published is one event a World published.
type published struct {
	at   time.Time
	typ  string
	data any
}

// noted is a World with the default seed, noted at Epoch, that records
// what it publishes.
func noted(t *testing.T) (*World, *[]published) {
	t.Helper()
	var got []published
	w := NewWorld(Epoch(), 1000, func(at time.Time, typ string, data any) {
		got = append(got, published{at, typ, data})
	})
	w.Note(Epoch())
	if len(got) != 0 {
		t.Fatalf("Note published %d events; it must only take note", len(got))
	}
	return w, &got
}

// nextVersion is the version after agent id's current one in its line.
func nextVersion(t *testing.T, w *World, id string) string {
	t.Helper()
	a, _ := w.Agents.Get(id, Epoch())
	line := w.Servicing.line(a)
	i := releaseIndex(line, a.Version)
	if i < 0 || i+1 >= len(line) {
		t.Fatalf("agent %s (%s) has no newer version in %v", id, a.Version, line)
	}
	return line[i+1].version
}

func TestTransitionsTellAtOnceAndTheScheduleTellsEachChangeAtItsTime(t *testing.T) {
	w, got := noted(t)
	t0 := Epoch()
	by := Actor{Email: "ops@example.com"}

	if _, e := w.ActAgent("wow-domain", ActStart, by, t0); e != nil {
		t.Fatal(e)
	}
	// The transition told of itself: the request's log line, the status.
	var types []string
	for _, e := range *got {
		types = append(types, e.typ)
	}
	if want := "[logs.appended agents.status_changed logs.appended]"; fmt.Sprint(types) != want {
		t.Fatalf("a start told %v, want %s", types, want)
	}
	to := nextVersion(t, w, "wow-cache")
	u, e := w.Upgrade("wow-cache", UpgradeRequest{TargetVersion: to, Strategy: servicing.StrategyRolling, By: by.Email}, t0)
	if e != nil {
		t.Fatal(e)
	}
	o := w.Servicing.byID[u.UpgradeID]
	*got = nil

	// An hour passes at once: each change is told at its own time, in order.
	if !w.Settle(t0.Add(time.Hour)) {
		t.Fatal("Settle told of nothing over an hour with a start and an upgrade under way")
	}
	at := map[string]time.Time{}
	var last time.Time
	for _, e := range *got {
		if e.at.Before(last) {
			t.Errorf("%s at %s told after an event at %s: out of time order", e.typ, e.at, last)
		}
		last = e.at
		switch d := e.data.(type) {
		case platform.Agent:
			at[e.typ+" "+d.AgentID+" "+string(d.Status)+" "+d.Version] = e.at
		case servicing.Upgrade:
			at[e.typ+" "+string(d.Status)] = e.at
		}
	}
	for key, want := range map[string]time.Time{
		"agents.status_changed wow-domain online 0.1.4":                  t0.Add(AgentStartDelay),
		"upgrades.status_changed " + string(servicing.UpgradeInProgress): o.tl.Start,
		"upgrades.status_changed " + string(servicing.UpgradeCompleted):  o.end(),
		"agents.updated wow-cache online " + to:                          o.end(),
	} {
		if got, ok := at[key]; !ok || !got.Equal(want) {
			t.Errorf("%s told at %s (told: %v), want at %s", key, got, ok, want)
		}
	}
	*got = nil
	if w.Settle(t0.Add(time.Hour)) || len(*got) != 0 {
		t.Errorf("a second Settle at the same time told %d more events", len(*got))
	}
}

// untold lists the resources whose state at now differs from what the
// World last told of them: a change nobody heard of.
func untold(w *World, now time.Time) []string {
	var out []string
	n := w.news
	for _, id := range w.Agents.order {
		a := w.Agents.byID[id]
		w.Agents.settle(a, now)
		if k := keyOf(a); n.agents[id] != k {
			out = append(out, fmt.Sprintf("agent %s is %v, told %v", id, k, n.agents[id]))
		}
	}
	for _, id := range w.Workflows.order {
		wf := w.Workflows.byID[id]
		wf.settle(now)
		v := wf.view()
		if k := (workflowKey{v.Status, v.CompletedTasks, v.FailedTasks}); n.workflows[id] != k {
			out = append(out, fmt.Sprintf("workflow %s is %v, told %v", id, k, n.workflows[id]))
		}
	}
	out = append(out, untoldQueues(w, now)...)
	for _, d := range w.Factory.order {
		if s := d.status(now); n.deployments[d.id] != s {
			out = append(out, fmt.Sprintf("deployment %s is %s, told %s", d.id, s, n.deployments[d.id]))
		}
	}
	for _, o := range w.Servicing.ops {
		if s := o.view(now).Status; n.upgrades[o.id] != s {
			out = append(out, fmt.Sprintf("upgrade %s is %s, told %s", o.id, s, n.upgrades[o.id]))
		}
	}
	return out
}

// untoldQueues is untold for the queues alone.
func untoldQueues(w *World, now time.Time) []string {
	var out []string
	for _, q := range w.Queues.order {
		if s := q.statusAt(q.tick(q.settle(now))); w.news.queues[q.name] != s {
			out = append(out, fmt.Sprintf("queue %s is %s, told %s", q.name, s, w.news.queues[q.name]))
		}
	}
	return out
}

func TestSettleLeavesNoChangeUntold(t *testing.T) {
	w, got := noted(t)
	t0 := Epoch()
	by := Actor{Email: "ops@example.com"}
	// Set things moving in every area.
	for _, id := range []string{"wow-domain", "wow-scaling", "agent-003"} {
		if _, e := w.ActAgent(id, ActStart, by, t0); e != nil {
			t.Fatal(e)
		}
	}
	if _, e := w.ActAgent("wow-search", ActRestart, by, t0); e != nil {
		t.Fatal(e)
	}
	for _, id := range []string{"wow-cache", "wow-memory"} {
		if _, e := w.Upgrade(id, UpgradeRequest{TargetVersion: nextVersion(t, w, id), Strategy: servicing.StrategyCanary,
			AutoRollback: DefaultAutoRollback(), By: by.Email}, t0); e != nil {
			t.Fatal(e)
		}
	}
	for _, id := range w.Workflows.order {
		wf, _ := w.Workflows.Get(id, t0)
		for _, k := range wf.Tasks {
			if wf.Status == workflows.StatusFailed && k.Status == workflows.TaskFailed {
				if _, e := w.RetryTask(id, k.TaskID, by, t0); e != nil {
					t.Fatal(e)
				}
				break
			}
		}
	}
	retried := 0
	for _, q := range w.Queues.order {
		for _, m := range q.Letters(DLQFilter{}, t0) {
			if _, ok := w.RetryLetter(q, m.MessageID, by, t0); ok {
				retried++
			}
			if retried%3 == 0 {
				break
			}
		}
	}
	if retried == 0 {
		t.Fatal("no dead letter to retry: the test would not exercise queues")
	}
	if u := untold(w, t0); u != nil {
		t.Fatalf("right after the transitions: %v", u)
	}

	*got = nil
	now := t0
	for i, step := 0, []time.Duration{7 * time.Second, 13 * time.Second, 61 * time.Second, 5 * time.Minute}; now.Before(t0.Add(3 * time.Hour)); i++ {
		now = now.Add(step[i%len(step)])
		w.Settle(now)
		if u := untold(w, now); u != nil {
			t.Fatalf("at %s, after Settle: %v", now.Sub(t0), u)
		}
	}
	kinds := map[string]bool{}
	for _, e := range *got {
		kinds[e.typ] = true
	}
	for _, k := range []string{"agents.status_changed", "agents.updated", "upgrades.status_changed", "workflows.updated"} {
		if !kinds[k] {
			t.Errorf("no %s told over three hours: %v", k, kinds)
		}
	}
}

func TestScheduleStaysBoundedUnderRescheduling(t *testing.T) {
	w, _ := noted(t)
	t0 := Epoch()
	// Every restart moves the agent's due time: the entries it leaves
	// behind are stale, and the schedule drops them.
	for i := range 10000 {
		if _, e := w.ActAgent("wow-vision-prime", ActRestart, Actor{}, t0.Add(time.Duration(i)*time.Millisecond)); e != nil {
			t.Fatal(e)
		}
	}
	if n, live := len(w.news.due), len(w.news.next); n > 2*live+65 {
		t.Errorf("the schedule holds %d entries for %d live ones", n, live)
	}
	w.Settle(t0.Add(time.Hour))
	if a, _ := w.Agents.Get("wow-vision-prime", t0.Add(time.Hour)); a.Status != platform.AgentOnline {
		t.Errorf("after the restarts the agent is %s, want online", a.Status)
	}
}

func TestQueueDueFindsTheFirstChangeOfStatus(t *testing.T) {
	now := Epoch()
	q := &QueueState{name: "q", inflight: 0, produceM: 20_000, consumeM: 10_000, errIdle: 0.001, errBusy: 0.001,
		seededAt: now, dlq: map[string]*deadLetter{}}
	// Lag grows by 10 messages a second: degraded at lagDegraded.
	due := q.due(now)
	if due.IsZero() {
		t.Fatal("a queue whose lag grows has no change due")
	}
	before, at := q.statusAt(q.tick(due)-1), q.statusAt(q.tick(due))
	if before != queues.StatusHealthy || at == queues.StatusHealthy {
		t.Errorf("due at %s: status %s just before, %s then; want the first change from healthy", due.Sub(now), before, at)
	}
	q.produceM = q.consumeM // steady: nothing changes but it is looked at again at the horizon
	if d := q.due(now); !d.Equal(now.Add(queueHorizon)) {
		t.Errorf("a steady queue is due at %s, want the horizon", d.Sub(now))
	}
}
