package core

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

const (
	// AgentStartDelay is how long an agent takes from starting to online.
	AgentStartDelay = 30 * time.Second
	// agentStopDelay is how long a stopping agent takes to be offline.
	agentStopDelay = 10 * time.Second
)

// agentState is an agent and the figures the dashboard derives from it.
type agentState struct {
	platform.Agent
	readyAt time.Time // starting or provisioning → online, stopping → offline, at this time
	rpm     int       // requests per minute while online
	tpm     int       // tasks per minute while online
	errRate float64   // fraction of failed requests
	p95MS   int64
	// later are changes due at their times on the clock (an upgrade that
	// completes changes the version), in time order.
	later []agentChange
}

// agentChange is a change to an agent due at a time on the clock.
type agentChange struct {
	at    time.Time
	apply func(a *agentState)
}

// settle brings the agent up to now.
func (a *agentState) settle(now time.Time) {
	if (a.Status == platform.AgentStarting || a.Status == platform.AgentProvisioning) &&
		!a.readyAt.IsZero() && !now.Before(a.readyAt) {
		a.Status = platform.AgentOnline
		a.Health = platform.AgentHealthy
		t := a.readyAt
		a.LastActive = &t
	}
	if a.Status == platform.AgentStopping && !a.readyAt.IsZero() && !now.Before(a.readyAt) {
		a.Status, a.readyAt = platform.AgentOffline, time.Time{}
	}
	for len(a.later) > 0 && !now.Before(a.later[0].at) {
		a.later[0].apply(a)
		a.later = a.later[1:]
	}
}

// due is when the agent next changes on its own, on the clock (zero:
// never, until something is done to it).
func (a *agentState) due() time.Time {
	var t time.Time
	switch a.Status {
	case platform.AgentStarting, platform.AgentProvisioning, platform.AgentStopping:
		t = a.readyAt
	}
	if len(a.later) > 0 && (t.IsZero() || a.later[0].at.Before(t)) {
		t = a.later[0].at
	}
	return t
}

// schedule makes fn change agent id at the time at on the clock (at once
// when at has passed). It reports false when there is no such agent.
func (st *agentStore) schedule(id string, at time.Time, fn func(a *agentState)) bool {
	a, ok := st.byID[id]
	if !ok {
		return false
	}
	i := len(a.later)
	for i > 0 && a.later[i-1].at.After(at) {
		i--
	}
	a.later = slices.Insert(a.later, i, agentChange{at: at, apply: fn})
	return true
}

// agentStore holds the agents, in seed order.
type agentStore struct {
	mu     *sync.Mutex // the World's one lock (World.share)
	order  []string
	pos    map[string]int // id → index in order
	byID   map[string]*agentState
	idSeq  int
	byName map[string]string // lower-case name → id
	// The indexes of the list's filters: the positions in order of the
	// agents of each status and of each tier, ascending.
	byStatus map[platform.AgentStatus][]int
	byTier   map[platform.Tier][]int
}

// insertPos adds p to the ascending positions ps.
func insertPos(ps []int, p int) []int {
	i, found := slices.BinarySearch(ps, p)
	if found {
		return ps
	}
	return slices.Insert(ps, i, p)
}

// removePos takes p out of the ascending positions ps.
func removePos(ps []int, p int) []int {
	if i, found := slices.BinarySearch(ps, p); found {
		return slices.Delete(ps, i, i+1)
	}
	return ps
}

// settle brings agent a up to now, keeping the status index; st.mu held.
func (st *agentStore) settle(a *agentState, now time.Time) {
	was := a.Status
	a.settle(now)
	st.restatus(a, was)
}

// restatus moves agent a in the status index when its status is no longer
// was; st.mu held.
func (st *agentStore) restatus(a *agentState, was platform.AgentStatus) {
	if a.Status == was {
		return
	}
	p := st.pos[a.AgentID]
	st.byStatus[was] = removePos(st.byStatus[was], p)
	st.byStatus[a.Status] = insertPos(st.byStatus[a.Status], p)
}

// clear forgets every agent (an empty start).
func (st *agentStore) clear() {
	st.order = nil
	clear(st.byID)
	clear(st.byName)
	clear(st.pos)
	clear(st.byStatus)
	clear(st.byTier)
}

func newAgentStore(now time.Time) *agentStore {
	st := &agentStore{mu: new(sync.Mutex), byID: map[string]*agentState{}, byName: map[string]string{},
		pos: map[string]int{}, byStatus: map[platform.AgentStatus][]int{}, byTier: map[platform.Tier][]int{}}
	for _, a := range seedAgents(now) {
		st.put(a)
	}
	st.idSeq = 100
	return st
}

// put adds or replaces an agent; st.mu must be held or st unshared.
func (st *agentStore) put(a *agentState) {
	if old, ok := st.byID[a.AgentID]; ok {
		p := st.pos[a.AgentID]
		st.byStatus[old.Status] = removePos(st.byStatus[old.Status], p)
		st.byTier[old.Tier] = removePos(st.byTier[old.Tier], p)
	} else {
		st.pos[a.AgentID] = len(st.order)
		st.order = append(st.order, a.AgentID)
	}
	p := st.pos[a.AgentID]
	st.byStatus[a.Status] = insertPos(st.byStatus[a.Status], p)
	st.byTier[a.Tier] = insertPos(st.byTier[a.Tier], p)
	st.byID[a.AgentID] = a
	st.byName[strings.ToLower(a.Name)] = a.AgentID
}

// add inserts a, a new agent, under the next free id ("agent-101", …),
// unless an agent of the same name exists (names match case-insensitively,
// seeded agents included). The name check and the insert are one step under
// the lock, so of two concurrent adds of a name exactly one succeeds. It
// returns the new agent's id, or the id of the agent that has the name and
// false. The World's lock is held.
func (st *agentStore) add(a *agentState) (string, bool) {
	if id, taken := st.byName[strings.ToLower(a.Name)]; taken {
		return id, false
	}
	for {
		st.idSeq++
		if id := fmt.Sprintf("agent-%03d", st.idSeq); st.byID[id] == nil {
			a.AgentID = id
			break
		}
	}
	st.put(a)
	return a.AgentID, true
}

// settledAll maps every agent, settled to now, in order, through view.
func settledAll[T any](st *agentStore, now time.Time, view func(a *agentState) T) []T {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]T, 0, len(st.order))
	for _, id := range st.order {
		a := st.byID[id]
		st.settle(a, now)
		out = append(out, view(a))
	}
	return out
}

// AgentFilter is what the agent list is filtered by. Status and Tier are
// indexed; Text (lower case) is looked for in the names and ids of the
// agents the others leave.
type AgentFilter struct {
	Status platform.AgentStatus
	Tier   platform.Tier
	Text   string
}

// AgentPage is the page of the agents f leaves, as of now, in order, that
// q asks for (keyed by agent id). The World settles to now first, so the
// store is read as it is: a filter on status or tier, or none, reads the
// page alone from its index (PaginateAt); a text filter reads the agents
// the index leaves (PaginateSeq). Only the page is copied.
func (w *World) AgentPage(q url.Values, now time.Time, f AgentFilter) (Page[platform.Agent], *Error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.settle(now)
	st := w.Agents
	filters := []string{string(f.Status), string(f.Tier), f.Text}
	key := func(a platform.Agent) string { return a.AgentID }
	ps, all := st.order, true // the candidates: every agent, or an index
	var idx []int
	switch {
	case f.Status != "" && (f.Tier == "" || len(st.byStatus[f.Status]) <= len(st.byTier[f.Tier])):
		idx, all = st.byStatus[f.Status], false
	case f.Tier != "":
		idx, all = st.byTier[f.Tier], false
	}
	n := len(ps)
	if !all {
		n = len(idx)
	}
	at := func(i int) *agentState {
		if all {
			return st.byID[ps[i]]
		}
		return st.byID[st.order[idx[i]]]
	}
	if f.Text == "" && (f.Status == "" || f.Tier == "") {
		return PaginateAt(q, "agents", n, func(i int) platform.Agent { return at(i).Agent }, key, filters...)
	}
	seq := func(yield func(platform.Agent) bool) {
		for i := range n {
			a := at(i)
			if (f.Status == "" || a.Status == f.Status) && (f.Tier == "" || a.Tier == f.Tier) &&
				(f.Text == "" || strings.Contains(strings.ToLower(a.Name), f.Text) || strings.Contains(a.AgentID, f.Text)) &&
				!yield(a.Agent) {
				return
			}
		}
	}
	return PaginateSeq(q, "agents", seq, key, filters...)
}

// List returns every agent settled to now, in order.
func (st *agentStore) List(now time.Time) []platform.Agent {
	return settledAll(st, now, func(a *agentState) platform.Agent { return a.Agent })
}

// States returns copies of every agent's state, settled to now.
func (st *agentStore) States(now time.Time) []agentState {
	return settledAll(st, now, func(a *agentState) agentState { return *a })
}

// Get returns one agent settled to now.
func (st *agentStore) Get(id string, now time.Time) (platform.Agent, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.get(id, now)
}

// get is Get with the World's lock held.
func (st *agentStore) get(id string, now time.Time) (platform.Agent, bool) {
	a, ok := st.byID[id]
	if !ok {
		return platform.Agent{}, false
	}
	st.settle(a, now)
	return a.Agent, true
}

// AgentAction is restart, start or stop.
type AgentAction string

const (
	ActRestart AgentAction = "restart"
	ActStart   AgentAction = "start"
	ActStop    AgentAction = "stop"
)

// act applies an action under the agent state machine:
//
//	restart: online, offline, error, starting → starting (online 30 s later)
//	start:   offline, error                   → starting (online 30 s later)
//	stop:    online, starting, error          → offline
//
// Anything else is a conflict naming the current state.
//
// The World's lock is held (World.ActAgent).
func (st *agentStore) act(id string, act AgentAction, now time.Time) (platform.Agent, *Error) {
	a, ok := st.byID[id]
	if !ok {
		return platform.Agent{}, NotFound("agent %q not found", id)
	}
	st.settle(a, now)
	var allowed []platform.AgentStatus
	switch act {
	case ActRestart:
		allowed = []platform.AgentStatus{platform.AgentOnline, platform.AgentOffline, platform.AgentError, platform.AgentStarting}
	case ActStart:
		allowed = []platform.AgentStatus{platform.AgentOffline, platform.AgentError}
	case ActStop:
		allowed = []platform.AgentStatus{platform.AgentOnline, platform.AgentStarting, platform.AgentError}
	}
	if !slices.Contains(allowed, a.Status) {
		if a.Status == platform.AgentStopping && !a.readyAt.IsZero() {
			return platform.Agent{}, Conflict("cannot %s agent %q: it is stopping, offline at %s", act, id, a.readyAt.Format(time.RFC3339))
		}
		return platform.Agent{}, Conflict("cannot %s agent %q: it is %s", act, id, a.Status)
	}
	was := a.Status
	if act == ActStop {
		a.Status, a.readyAt = platform.AgentOffline, time.Time{}
	} else {
		a.Status, a.readyAt = platform.AgentStarting, now.Add(AgentStartDelay)
	}
	st.restatus(a, was)
	return a.Agent, nil
}

var (
	AgentStatuses = []platform.AgentStatus{platform.AgentOnline, platform.AgentOffline, platform.AgentStarting,
		platform.AgentStopping, platform.AgentError, platform.AgentProvisioning}
	AgentTiers = []platform.Tier{platform.TierPlatformCoE, platform.TierBusiness}
)

// Actor is who asked for a transition: the log line that tells of the
// request names them.
type Actor struct {
	Email string // the caller; "" when not known
	// Via is the help-desk quick action the request came through
	// ("restart-agent", "clear-cache", "retry-workflow"); "" for the
	// resource's own route.
	Via string
}

// name is the actor as the log names them.
func (a Actor) name() string {
	if a.Email == "" {
		return "someone"
	}
	return a.Email
}

// requested logs the line of a request by by: the help desk's line when
// it came through the help desk, else msg about agentID; the World's lock
// is held.
func (w *World) requested(now time.Time, by Actor, agentID, msg string, meta map[string]any) {
	if by.Via != "" {
		w.log(now, platform.LogInfo, "", fmt.Sprintf("Help-desk action %s run by %s", by.Via, by.name()),
			map[string]any{"action": by.Via, "by": by.name()})
		return
	}
	w.log(now, platform.LogInfo, agentID, msg, meta)
}

// ActAgent restarts, starts or stops agent id for by (the agent state
// machine: agentStore.act) and tells of it.
func (w *World) ActAgent(id string, act AgentAction, by Actor, now time.Time) (platform.Agent, *Error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	a, e := w.Agents.act(id, act, now)
	if e != nil {
		return a, e
	}
	verb := strings.ToUpper(string(act[:1])) + string(act[1:])
	w.requested(now, by, id, fmt.Sprintf("%s requested by %s", verb, by.name()),
		map[string]any{"action": string(act), "by": by.name()})
	w.tell(now, subject{kindAgent, id})
	return a, nil
}
