package core

import (
	"container/heap"
	"time"

	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
	"github.com/waooaw/waooaw-go/servicing"
	"github.com/waooaw/waooaw-go/workflows"
)

// The World tells of its changes itself: every transition tells of the
// resources it changed, in the same step under the World's lock (tell),
// and every change due later on the clock (an agent coming online, a
// deployment's end, a workflow's next task, an upgrade's end, a queue
// crossing a threshold) is in the World's one schedule, which Settle runs
// in time order, each change told at its own time. Nothing compares the
// whole state: a resource is looked at when it is changed or when its
// next change is due.

// kind is the kind of resource a subject is.
type kind uint8

const (
	kindAgent kind = iota
	kindWorkflow
	kindQueue
	kindDeployment
	kindUpgrade
)

// subject is one resource whose changes are told.
type subject struct {
	kind kind
	id   string
}

// dueChange is a subject's next change on the clock.
type dueChange struct {
	at  time.Time
	seq uint64 // order of scheduling, for changes due at the same time
	sub subject
}

// schedule is a min-heap of due changes, soonest first (container/heap).
type schedule []dueChange

func (s schedule) Len() int { return len(s) }
func (s schedule) Less(i, j int) bool {
	if !s[i].at.Equal(s[j].at) {
		return s[i].at.Before(s[j].at)
	}
	return s[i].seq < s[j].seq
}
func (s schedule) Swap(i, j int) { s[i], s[j] = s[j], s[i] }
func (s *schedule) Push(x any)   { *s = append(*s, x.(dueChange)) }
func (s *schedule) Pop() any {
	old := *s
	c := old[len(old)-1]
	*s = old[:len(old)-1]
	return c
}

// news is what the World has told of its resources (the fields whose
// changes are published, per resource) and its schedule of changes due
// later. It is shared by the copies of a World (ApplySeed) and rebuilt by
// Note.
type news struct {
	on  bool // Note has run: a World being built tells nothing
	seq uint64
	due schedule
	// next is when each subject's next change is due: the one entry of
	// due that counts for it (others are stale, skipped when they come).
	next map[subject]time.Time

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

// Note takes note of the whole state at now, telling nothing, and
// schedules each resource's next change: the start of telling, once the
// World is built (NewWorld, Clear, the start's seeds). It is the only
// look at every resource.
func (w *World) Note(now time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	*w.news = news{on: true, next: map[subject]time.Time{},
		agents: map[string]agentKey{}, workflows: map[string]workflowKey{}, queues: map[string]queues.Status{},
		deployments: map[string]factory.DeploymentStatus{}, upgrades: map[string]servicing.UpgradeStatus{}}
	n := w.news
	for _, id := range w.Agents.order {
		a := w.Agents.byID[id]
		w.Agents.settle(a, now)
		n.agents[id] = keyOf(a)
		w.plan(subject{kindAgent, id}, now, a.due())
	}
	for _, id := range w.Workflows.order {
		wf := w.Workflows.byID[id]
		wf.settle(now)
		v := wf.view()
		n.workflows[id] = workflowKey{v.Status, v.CompletedTasks, v.FailedTasks}
		w.plan(subject{kindWorkflow, id}, now, wf.due())
	}
	for _, q := range w.Queues.order {
		t := q.settle(now)
		n.queues[q.name] = q.statusAt(q.tick(t))
		w.plan(subject{kindQueue, q.name}, now, q.due(t))
	}
	for _, d := range w.Factory.order {
		n.deployments[d.id] = d.status(now)
		w.plan(subject{kindDeployment, d.id}, now, d.due(now))
	}
	for _, o := range w.Servicing.ops {
		n.upgrades[o.id] = o.view(now).Status
		w.plan(subject{kindUpgrade, o.id}, now, o.due(now))
	}
}

func keyOf(a *agentState) agentKey { return agentKey{a.Status, a.Health, a.Version} }

// Settle tells, in time order, of every change due by now, each at its
// time, and reports whether it told of any (the state's generation moves
// then). Every request runs it before it reads or changes anything.
func (w *World) Settle(now time.Time) (told bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.settle(now)
}

// settle is Settle; the World's lock is held.
func (w *World) settle(now time.Time) (told bool) {
	n := w.news
	for len(n.due) > 0 && !n.due[0].at.After(now) {
		c := heap.Pop(&n.due).(dueChange)
		if t, ok := n.next[c.sub]; !ok || !t.Equal(c.at) {
			continue // stale: the subject was told of and rescheduled since
		}
		delete(n.next, c.sub)
		if w.tell(c.at, c.sub) {
			told = true
		}
	}
	return told
}

// NextDue is when the next change on the clock is due (MaxTime when none
// is): a server on a real clock settles then.
func (w *World) NextDue() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.news.due) > 0 {
		c := w.news.due[0]
		if t, ok := w.news.next[c.sub]; ok && t.Equal(c.at) {
			return c.at
		}
		heap.Pop(&w.news.due) // stale
	}
	return MaxTime
}

// plan schedules sub's next change at at (none when at is zero), told of
// at now; the World's lock is held. A change is never due at or before
// now (it would be told now): such a time is a defect, made a second
// later so that Settle always ends.
func (w *World) plan(sub subject, now, at time.Time) {
	n := w.news
	if at.IsZero() {
		delete(n.next, sub)
		return
	}
	if !at.After(now) {
		at = now.Add(time.Second)
	}
	if t, ok := n.next[sub]; ok && t.Equal(at) {
		return
	}
	n.next[sub] = at
	n.seq++
	heap.Push(&n.due, dueChange{at, n.seq, sub})
	if len(n.due) > 2*len(n.next)+64 {
		// Mostly stale entries (a resource rescheduled again and again on
		// a clock that stands still): keep the live ones only.
		live := n.due[:0]
		for _, c := range n.due {
			if t, ok := n.next[c.sub]; ok && t.Equal(c.at) {
				live = append(live, c)
			}
		}
		clear(n.due[len(live):])
		n.due = live
		heap.Init(&n.due)
	}
}

// tell publishes what changed in sub since it was last told of, at the
// time at (logging and alerting on it), and schedules its next change;
// the World's lock is held. It reports whether there was anything to tell.
func (w *World) tell(at time.Time, sub subject) bool {
	if !w.news.on {
		return false
	}
	var told bool
	var next time.Time
	switch sub.kind {
	case kindAgent:
		told, next = w.tellAgent(at, sub.id)
	case kindWorkflow:
		told, next = w.tellWorkflow(at, sub.id)
	case kindQueue:
		told, next = w.tellQueue(at, sub.id)
	case kindDeployment:
		told, next = w.tellDeployment(at, sub.id)
	case kindUpgrade:
		told, next = w.tellUpgrade(at, sub.id)
	}
	w.plan(sub, at, next)
	return told
}

// told records key as what is told of id in m, and returns what was told
// before (known: anything) and whether key is news.
func told[K comparable](m map[string]K, id string, key K) (was K, known, news bool) {
	was, known = m[id]
	m[id] = key
	return was, known, !known || was != key
}

func (w *World) tellAgent(at time.Time, id string) (bool, time.Time) {
	a, ok := w.Agents.byID[id]
	if !ok {
		delete(w.news.agents, id)
		return false, time.Time{}
	}
	w.Agents.settle(a, at)
	was, known, news := told(w.news.agents, id, keyOf(a))
	if news {
		w.announceAgent(at, a.Agent, was, known)
	}
	return news, a.due()
}

func (w *World) tellWorkflow(at time.Time, id string) (bool, time.Time) {
	wf, ok := w.Workflows.byID[id]
	if !ok {
		delete(w.news.workflows, id)
		return false, time.Time{}
	}
	wf.settle(at)
	v := wf.view()
	was, known, news := told(w.news.workflows, id, workflowKey{v.Status, v.CompletedTasks, v.FailedTasks})
	if news {
		w.announceWorkflow(at, v, was, known)
	}
	return news, wf.due()
}

func (w *World) tellQueue(at time.Time, name string) (bool, time.Time) {
	q, ok := w.Queues.byName[name]
	if !ok {
		delete(w.news.queues, name)
		return false, time.Time{}
	}
	t := q.settle(at)
	v := q.view(t)
	was, known, news := told(w.news.queues, name, v.Status)
	if news {
		w.announceQueue(at, v, was, known)
	}
	return news, q.due(t)
}

func (w *World) tellDeployment(at time.Time, id string) (bool, time.Time) {
	d, ok := w.Factory.byID[id]
	if !ok {
		delete(w.news.deployments, id)
		return false, time.Time{}
	}
	was, known, news := told(w.news.deployments, id, d.status(at))
	if news {
		w.announceDeployment(at, d.view(at), was, known)
	}
	return news, d.due(at)
}

func (w *World) tellUpgrade(at time.Time, id string) (bool, time.Time) {
	o, ok := w.Servicing.byID[id]
	if !ok {
		delete(w.news.upgrades, id)
		return false, time.Time{}
	}
	u := o.view(at)
	was, known, news := told(w.news.upgrades, id, u.Status)
	if news {
		w.announceUpgrade(at, u, was, known)
	}
	return news, o.due(at)
}
