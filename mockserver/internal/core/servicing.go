package core

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/servicing"
)

// Upgrade timing on the clock. Every phase takes 1-10 minutes.
const (
	// upgradeQueueDelay is how long an upgrade is pending before its first
	// phase starts.
	upgradeQueueDelay = 5 * time.Second
	// rollingBatches is how many batches a rolling upgrade replaces the
	// agent's instances in.
	rollingBatches = 3
	// autoRollbackDuration is how long an upgrade takes to roll back once
	// its check phase broke a threshold.
	autoRollbackDuration = 2 * time.Minute
	// MaxReasonChars bounds the reason of an upgrade, rollback or config
	// change.
	MaxReasonChars = 500
	// ConfigCommitAttempts bounds the retries of a config patch that lost
	// a race with another patch of the same agent.
	ConfigCommitAttempts = 5
)

// Auto-rollback defaults, for an upgrade that does not give its own.
const (
	defaultErrorRateThreshold = 0.05
	defaultLatencyThresholdMS = 1000
	MaxLatencyThresholdMS     = 600000
)

// DefaultAutoRollback is the auto-rollback an upgrade has unless it says otherwise.
func DefaultAutoRollback() *servicing.AutoRollback {
	return &servicing.AutoRollback{Enabled: true, ErrorRateThreshold: defaultErrorRateThreshold, LatencyThresholdMS: defaultLatencyThresholdMS}
}

// phasePlan is one planned phase of an upgrade.
type phasePlan struct {
	name    string
	dur     time.Duration
	traffic *int
}

// phasesOf are the phases of an upgrade of kind with strategy, and the
// index of the phase at whose end the new version is checked against the
// auto-rollback thresholds.
func phasesOf(kind servicing.Kind, strategy servicing.Strategy) ([]phasePlan, int) {
	pct := func(n int) *int { return &n }
	if kind == servicing.KindRollback {
		// Back to a version that ran before: blue-green, shorter.
		return []phasePlan{
			{servicing.PhaseDeployGreen, 2 * time.Minute, nil},
			{servicing.PhaseValidate, time.Minute, nil},
			{servicing.PhaseSwitchTraffic, time.Minute, nil},
			{servicing.PhaseRetireBlue, time.Minute, nil},
		}, 1
	}
	switch strategy {
	case servicing.StrategyCanary:
		return []phasePlan{
			{servicing.PhaseCanary10, 5 * time.Minute, pct(10)},
			{servicing.PhaseCanary50, 5 * time.Minute, pct(50)},
			{servicing.PhaseCanary100, 5 * time.Minute, pct(100)},
		}, 0
	case servicing.StrategyRolling:
		var ps []phasePlan
		for i := 1; i <= rollingBatches; i++ {
			ps = append(ps, phasePlan{fmt.Sprintf("batch_%d", i), 4 * time.Minute, nil})
		}
		return ps, 0
	default: // blue-green
		return []phasePlan{
			{servicing.PhaseDeployGreen, 3 * time.Minute, nil},
			{servicing.PhaseValidate, 5 * time.Minute, nil},
			{servicing.PhaseSwitchTraffic, time.Minute, nil},
			{servicing.PhaseRetireBlue, 2 * time.Minute, nil},
		}, 1
	}
}

// upgradePlan is what an upgrade is asked to do.
type upgradePlan struct {
	kind               servicing.Kind
	agentID, agentName string
	from, to           string
	strategy           servicing.Strategy
	auto               *servicing.AutoRollback // nil for a rollback
	toBad              bool                    // the target is a known-bad build
	reason, by         string
}

// upgradeOp is an upgrade or a rollback. It is never changed after it is
// planned: its outcome is decided then (the new version's figures are
// known), and its status, phases and progress are derived from the clock
// when read.
type upgradeOp struct {
	upgradePlan
	id      string
	created time.Time
	phases  []phasePlan
	tl      Timeline // the phases' times, from created + upgradeQueueDelay
	check   int      // the phase whose end checks the new version
	trips   bool     // the check breaks a threshold: the upgrade rolls back
	why     string
}

// planUpgrade plans p from now.
func planUpgrade(p upgradePlan, now time.Time) *upgradeOp {
	o := &upgradeOp{upgradePlan: p, created: now, tl: Timeline{Start: now.Add(upgradeQueueDelay)}}
	o.phases, o.check = phasesOf(p.kind, p.strategy)
	for _, ph := range o.phases {
		o.tl.Durs = append(o.tl.Durs, ph.dur)
	}
	if p.auto != nil && p.auto.Enabled {
		rate, p95 := goodBuildErrorRate, int64(goodBuildP95MS)
		if p.toBad {
			rate, p95 = badBuildErrorRate, badBuildP95MS
		}
		var broken []string
		if rate > p.auto.ErrorRateThreshold {
			broken = append(broken, fmt.Sprintf("the error rate %s is above the threshold of %s", percent(rate), percent(p.auto.ErrorRateThreshold)))
		}
		if p95 > p.auto.LatencyThresholdMS {
			broken = append(broken, fmt.Sprintf("the p95 latency %d ms is above the threshold of %d ms", p95, p.auto.LatencyThresholdMS))
		}
		if len(broken) > 0 {
			o.trips = true
			o.why = fmt.Sprintf("auto-rollback in %s: %s", o.phases[o.check].name, strings.Join(broken, " and "))
		}
	}
	return o
}

func percent(f float64) string {
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.2f", f*100), "0"), ".0") + " %"
}

// failAt is when the check phase ends, for an upgrade that trips.
func (o *upgradeOp) failAt() time.Time { return o.tl.EndOf(o.check) }

// end is when the upgrade ends: completed, or rolled back.
func (o *upgradeOp) end() time.Time {
	if o.trips {
		return o.failAt().Add(autoRollbackDuration)
	}
	return o.tl.End()
}

// completes reports whether the upgrade ends completed (the agent then
// runs o.to).
func (o *upgradeOp) completes() bool { return !o.trips }

// due is when the upgrade's status next changes after t (zero: never
// again): it starts, trips its check (rolling back), ends.
func (o *upgradeOp) due(t time.Time) time.Time {
	times := []time.Time{o.tl.Start}
	if o.trips {
		times = append(times, o.failAt())
	}
	for _, at := range append(times, o.end()) {
		if at.After(t) {
			return at
		}
	}
	return time.Time{}
}

// ended reports whether the upgrade has ended by now.
func (o *upgradeOp) ended(now time.Time) bool { return !now.Before(o.end()) }

// view is the upgrade as of now.
func (o *upgradeOp) view(now time.Time) servicing.Upgrade {
	ptr := func(t time.Time) *time.Time { return &t }
	u := servicing.Upgrade{
		UpgradeID: o.id, AgentID: o.agentID, Kind: o.kind, FromVersion: o.from, ToVersion: o.to,
		Strategy: o.strategy, Reason: o.reason, PerformedBy: o.by, StartedAt: o.created,
		Phases: make([]servicing.Phase, 0, len(o.phases)+1),
	}
	if o.auto != nil {
		a := *o.auto
		u.AutoRollback = &a
	}
	var failAt time.Time
	if o.trips {
		failAt = o.failAt()
	}
	for i, pl := range o.phases {
		ph := servicing.Phase{Name: pl.name, Status: servicing.PhasePending}
		if pl.traffic != nil {
			n := *pl.traffic
			ph.TrafficPercent = &n
		}
		if o.trips && i > o.check {
			if !now.Before(failAt) {
				ph.Status = servicing.PhaseSkipped
			}
			u.Phases = append(u.Phases, ph)
			continue
		}
		switch state, from, to := o.tl.Step(i, now); state {
		case StepRunning:
			ph.Status, ph.StartedAt = servicing.PhaseInProgress, ptr(from)
		case StepDone:
			ph.Status, ph.StartedAt, ph.CompletedAt = servicing.PhaseCompleted, ptr(from), ptr(to)
			if o.trips && i == o.check {
				ph.Status = servicing.PhaseFailed
			}
		}
		u.Phases = append(u.Phases, ph)
	}
	switch {
	case now.Before(o.tl.Start):
		u.Status = servicing.UpgradePending
	case o.trips && !now.Before(failAt):
		u.RollbackReason = o.why
		rb := servicing.Phase{Name: servicing.PhaseRollback, Status: servicing.PhaseInProgress, StartedAt: ptr(failAt)}
		if end := failAt.Add(autoRollbackDuration); !now.Before(end) {
			rb.Status, rb.CompletedAt = servicing.PhaseCompleted, ptr(end)
			u.Status, u.Progress, u.CompletedAt = servicing.UpgradeRolledBack, 100, ptr(end)
		} else {
			done := o.tl.Percent(failAt)
			u.Status = servicing.UpgradeRollingBack
			u.Progress = min(done+int(int64(100-done)*int64(now.Sub(failAt))/int64(autoRollbackDuration)), 99)
		}
		u.Phases = append(u.Phases, rb)
	case !now.Before(o.end()):
		u.Status, u.Progress, u.CompletedAt = servicing.UpgradeCompleted, 100, ptr(o.end())
	default:
		u.Status = servicing.UpgradeInProgress
		u.Progress = min(o.tl.Percent(now), 99)
	}
	return u
}

// historyEntry is the upgrade's line in the history as of now.
func (o *upgradeOp) historyEntry(now time.Time) servicing.HistoryEntry {
	u := o.view(now)
	h := servicing.HistoryEntry{
		UpgradeID: o.id, AgentID: o.agentID, AgentName: o.agentName, Kind: o.kind, FromVersion: o.from,
		ToVersion: o.to, Strategy: o.strategy, Status: u.Status, StartedAt: o.created,
		CompletedAt: u.CompletedAt, PerformedBy: o.by,
	}
	if u.CompletedAt != nil {
		ms := u.CompletedAt.Sub(o.created).Milliseconds()
		h.DurationMS = &ms
	}
	return h
}

// agentFigures are an agent's health and the dashboard's figures of it,
// kept to restore them when a known-bad build is replaced.
type agentFigures struct {
	health  platform.AgentHealth
	errRate float64
	p95MS   int64
}

// AgentConfig is an agent's config and its version.
type AgentConfig struct {
	Version int
	Config  map[string]any // never changed in place: a patch makes a new map
	Updated time.Time
}

// servicingStore holds the upgrades, the agents' version lines and their
// configs.
type servicingStore struct {
	mu      *sync.Mutex // the World's one lock (World.share)
	base    time.Time   // release dates are days before it
	ops     []*upgradeOp
	byAgent map[string][]*upgradeOp // each agent's ops, oldest first
	byID    map[string]*upgradeOp
	seq     int
	lines   map[string][]release // agent id → its version line, made at first use
	configs map[string]*AgentConfig
	healthy map[string]agentFigures // agent id → figures before a known-bad build

	schemaOnce sync.Once
	schema     *template.ConfigSchema // genericConfigSchema, compiled at first use
	schemaErr  error
}

func newServicingStore(now time.Time) *servicingStore {
	st := &servicingStore{
		mu:      new(sync.Mutex),
		base:    now,
		byID:    map[string]*upgradeOp{},
		byAgent: map[string][]*upgradeOp{},
		lines:   map[string][]release{},
		configs: map[string]*AgentConfig{},
		healthy: map[string]agentFigures{},
	}
	for _, o := range seedUpgrades(now) {
		st.add(o)
	}
	return st
}

// clear forgets the seeded history (an empty start: no agents either).
func (st *servicingStore) clear() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.ops, st.seq = nil, 0
	clear(st.byID)
	clear(st.byAgent)
	clear(st.lines)
	clear(st.configs)
	clear(st.healthy)
}

// add stores o under the next upgrade id; st.mu must be held or st
// unshared.
func (st *servicingStore) add(o *upgradeOp) {
	st.seq++
	o.id = fmt.Sprintf("upg-%04d", st.seq)
	st.ops = append(st.ops, o)
	st.byAgent[o.agentID] = append(st.byAgent[o.agentID], o)
	st.byID[o.id] = o
}

// line is the version line of agent a, made from its version at first use;
// st.mu must be held.
func (st *servicingStore) line(a platform.Agent) []release {
	l, ok := st.lines[a.AgentID]
	if !ok {
		l = lineOf(a.AgentID, a.Version, st.base)
		st.lines[a.AgentID] = l
	}
	return l
}

// lastOp is the latest upgrade of agent id, nil when none; st.mu must be
// held.
func (st *servicingStore) lastOp(id string) *upgradeOp {
	if ops := st.byAgent[id]; len(ops) > 0 {
		return ops[len(ops)-1]
	}
	return nil
}

// ran is the versions agent a has run, oldest first, its current one
// last, as of now: each completed upgrade adds its version, each completed
// rollback goes back to its version. st.mu must be held.
func (st *servicingStore) ran(a platform.Agent, now time.Time) []string {
	var stack []string
	for _, o := range st.byAgent[a.AgentID] {
		if stack == nil {
			stack = []string{o.from}
		}
		if !o.ended(now) || !o.completes() {
			continue
		}
		if o.kind == servicing.KindRollback {
			if i := slices.Index(stack, o.to); i >= 0 {
				stack = stack[:i+1]
				continue
			}
		}
		stack = append(stack, o.to)
	}
	if stack == nil {
		stack = []string{a.Version}
	}
	return stack
}

// Get returns upgrade id as of now.
func (st *servicingStore) Get(id string, now time.Time) (servicing.Upgrade, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	o, ok := st.byID[id]
	if !ok {
		return servicing.Upgrade{}, false
	}
	return o.view(now), true
}

// HistoryPage is the page of the upgrade history, newest first, as of
// now, that q asks for, of agent agentID ("" for every agent) and in
// status ("" for any). The ops are indexed by agent, so an agent's history
// reads its own ops alone, and without a status only the page (PaginateAt);
// a status, derived from the clock, is looked for in the ops the agent
// leaves.
func (st *servicingStore) HistoryPage(q url.Values, agentID string, status servicing.UpgradeStatus, now time.Time) (Page[servicing.HistoryEntry], *Error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	ops := st.ops
	if agentID != "" {
		ops = st.byAgent[agentID]
	}
	key := func(h servicing.HistoryEntry) string { return h.UpgradeID }
	at := func(i int) *upgradeOp { return ops[len(ops)-1-i] }
	if status == "" {
		return PaginateAt(q, "servicing.history", len(ops), func(i int) servicing.HistoryEntry { return at(i).historyEntry(now) },
			key, agentID, string(status))
	}
	seq := func(yield func(servicing.HistoryEntry) bool) {
		for i := range ops {
			if h := at(i).historyEntry(now); h.Status == status && !yield(h) {
				return
			}
		}
	}
	return PaginateSeq(q, "servicing.history", seq, key, agentID, string(status))
}

// Versions is GET …/versions of agent a as of now.
func (st *servicingStore) Versions(a platform.Agent) servicing.Versions {
	st.mu.Lock()
	defer st.mu.Unlock()
	line := st.line(a)
	cur := releaseIndex(line, a.Version)
	rec := -1
	if cur >= 0 {
		for i := len(line) - 1; i > cur; i-- {
			if !line[i].bad {
				rec = i
				break
			}
		}
	}
	v := servicing.Versions{AgentID: a.AgentID, CurrentVersion: a.Version, AvailableVersions: []servicing.Version{}}
	var log []string
	for i := len(line) - 1; i >= 0; i-- {
		r := line[i]
		status := servicing.VersionAvailable
		switch {
		case i == cur:
			status = servicing.VersionCurrent
		case r.deprecated:
			status = servicing.VersionDeprecated
		}
		v.AvailableVersions = append(v.AvailableVersions, servicing.Version{
			Version: r.version, ReleaseDate: r.released, Status: status, Changelog: r.changelog,
			BreakingChanges: slices.Clone(r.breaking), Recommended: i == rec,
		})
		if cur >= 0 && i > cur {
			log = append(log, fmt.Sprintf("%s (%s): %s", r.version, r.released.Format(time.DateOnly), r.changelog))
		}
	}
	v.Changelog = strings.Join(log, "\n")
	return v
}

// upgradable is the 409 for an agent that cannot start an upgrade now: one
// in progress, or a state other than online and offline. st.mu is held.
func (st *servicingStore) upgradable(a platform.Agent, verb string, now time.Time) *Error {
	if o := st.lastOp(a.AgentID); o != nil && !o.ended(now) {
		return Conflict("cannot %s agent %q: upgrade %s (%s→%s) is %s; wait for it to end",
			verb, a.AgentID, o.id, o.from, o.to, o.view(now).Status)
	}
	if a.Status != platform.AgentOnline && a.Status != platform.AgentOffline {
		return Conflict("cannot %s agent %q: it is %s; upgrade or roll back an online or offline agent", verb, a.AgentID, a.Status)
	}
	return nil
}

// unknownVersion is the 400 of a target_version the agent does not have.
func unknownVersion(a platform.Agent, line []release, v string) *Error {
	names := make([]string, len(line))
	for i, r := range line {
		names[i] = r.version
	}
	issue := fmt.Sprintf("agent %s has no version %q", a.AgentID, v)
	if len(names) > 0 {
		issue += ": use one of " + strings.Join(names, ", ")
	}
	return InvalidRequest([]template.Issue{{Field: "target_version", Issue: issue}})
}

// UpgradeRequest is an upgrade or a rollback as a caller asks for it, its
// body checked.
type UpgradeRequest struct {
	// TargetVersion is the version to go to; "" in a rollback goes to the
	// version the agent ran before.
	TargetVersion string
	Strategy      servicing.Strategy
	AutoRollback  *servicing.AutoRollback // nil for a rollback
	Reason        string
	By            string // the caller's email
}

// Upgrade starts an upgrade of agent id: 404 for no such agent, 400 for a
// version it does not have, 409 for an upgrade in progress, an agent
// neither online nor offline, or a target that is not newer.
func (w *World) Upgrade(id string, r UpgradeRequest, now time.Time) (servicing.Upgrade, *Error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	a, ok := w.Agents.get(id, now)
	if !ok {
		return servicing.Upgrade{}, NotFound("agent %q not found", id)
	}
	line := w.Servicing.line(a)
	target := releaseIndex(line, r.TargetVersion)
	if target < 0 {
		return servicing.Upgrade{}, unknownVersion(a, line, r.TargetVersion)
	}
	if e := w.Servicing.upgradable(a, "upgrade", now); e != nil {
		return servicing.Upgrade{}, e
	}
	switch cur := releaseIndex(line, a.Version); {
	case target == cur:
		return servicing.Upgrade{}, Conflict("agent %q already runs %s", a.AgentID, a.Version)
	case target < cur:
		return servicing.Upgrade{}, Conflict("%s is older than agent %q's current version %s: roll back instead (POST /api/platform/agents/%s/rollback)",
			r.TargetVersion, a.AgentID, a.Version, a.AgentID)
	}
	return w.begin(a, line, target, upgradePlan{kind: servicing.KindUpgrade, strategy: r.Strategy, auto: r.AutoRollback, reason: r.Reason, by: r.By}, now), nil
}

// Rollback starts a rollback of agent id to the version before the current
// one (or to r.TargetVersion, one it ran before): 404 for no such agent,
// 400 for a version it does not have, 409 for an upgrade in progress, an
// agent neither online nor offline, nothing to roll back to, or a version
// it never ran.
func (w *World) Rollback(id string, r UpgradeRequest, now time.Time) (servicing.Upgrade, *Error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	a, ok := w.Agents.get(id, now)
	if !ok {
		return servicing.Upgrade{}, NotFound("agent %q not found", id)
	}
	line := w.Servicing.line(a)
	if r.TargetVersion != "" && releaseIndex(line, r.TargetVersion) < 0 {
		return servicing.Upgrade{}, unknownVersion(a, line, r.TargetVersion)
	}
	if e := w.Servicing.upgradable(a, "roll back", now); e != nil {
		return servicing.Upgrade{}, e
	}
	ran := w.Servicing.ran(a, now)
	earlier := ran[:len(ran)-1]
	if len(earlier) == 0 {
		return servicing.Upgrade{}, Conflict("cannot roll back agent %q: it has run no version before %s", a.AgentID, a.Version)
	}
	to := earlier[len(earlier)-1]
	if r.TargetVersion != "" {
		if !slices.Contains(earlier, r.TargetVersion) {
			return servicing.Upgrade{}, Conflict("cannot roll back agent %q to %s: it has not run it before %s; it ran %s",
				a.AgentID, r.TargetVersion, a.Version, strings.Join(earlier, ", "))
		}
		to = r.TargetVersion
	}
	target := releaseIndex(line, to)
	if target < 0 {
		return servicing.Upgrade{}, Conflict("cannot roll back agent %q to %s: the version is no longer available", a.AgentID, to)
	}
	return w.begin(a, line, target, upgradePlan{kind: servicing.KindRollback, strategy: servicing.StrategyBlueGreen, reason: r.Reason, by: r.By}, now), nil
}

// begin plans an upgrade or rollback of agent a to line[target], stores it,
// schedules its effect on the agent and tells of it; the World's lock is
// held.
func (w *World) begin(a platform.Agent, line []release, target int, p upgradePlan, now time.Time) servicing.Upgrade {
	u := w.plant(a, line, target, p, now)
	verb := "Upgrade"
	if p.kind == servicing.KindRollback {
		verb = "Rollback"
	}
	by := Actor{Email: p.by}
	w.log(now, platform.LogInfo, a.AgentID, fmt.Sprintf("%s to %s requested by %s (%s)", verb, u.ToVersion, by.name(), u.UpgradeID),
		map[string]any{"upgrade_id": u.UpgradeID, "action": strings.ToLower(verb), "by": by.name()})
	w.tell(now, subject{kindUpgrade, u.UpgradeID})
	w.tell(now, subject{kindAgent, a.AgentID}) // its change when the upgrade ends
	return u
}

// plant is begin without the telling.
func (w *World) plant(a platform.Agent, line []release, target int, p upgradePlan, now time.Time) servicing.Upgrade {
	cur := releaseIndex(line, a.Version)
	p.agentID, p.agentName, p.from, p.to = a.AgentID, a.Name, a.Version, line[target].version
	p.toBad = line[target].bad
	o := planUpgrade(p, now)
	w.Servicing.add(o)
	if !o.completes() {
		return o.view(now)
	}
	fromBad := cur >= 0 && line[cur].bad
	var restore agentFigures
	if p.toBad && !fromBad {
		// Keep the figures of the last good build, to restore them.
		if full, ok := w.Agents.state(a.AgentID, now); ok {
			w.Servicing.healthy[a.AgentID] = agentFigures{full.Health, full.errRate, full.p95MS}
		}
	}
	if fromBad && !p.toBad {
		var ok bool
		if restore, ok = w.Servicing.healthy[a.AgentID]; !ok {
			restore = agentFigures{platform.AgentHealthy, goodBuildErrorRate, goodBuildP95MS}
		}
	}
	to, toBad := o.to, p.toBad
	w.Agents.schedule(a.AgentID, o.end(), func(ag *agentState) {
		ag.Version = to
		switch {
		case toBad:
			ag.Health, ag.errRate, ag.p95MS = platform.AgentDegraded, badBuildErrorRate, badBuildP95MS
		case fromBad:
			ag.Health, ag.errRate, ag.p95MS = restore.health, restore.errRate, restore.p95MS
		}
	})
	return o.view(now)
}

// Config returns agent id's config, or false when it has none yet.
func (st *servicingStore) Config(id string) (AgentConfig, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	c, ok := st.configs[id]
	if !ok {
		return AgentConfig{}, false
	}
	return *c, true
}

// createdConfig sets the config of an agent the factory just made. A read
// between the agent's creation and this call may have filled in the
// template's defaults: the created config replaces them, unless a patch
// came in already (then it wins). st.mu is held.
func (st *servicingStore) createdConfig(id string, c AgentConfig) {
	if cur, ok := st.configs[id]; ok && cur.Version > 1 {
		return
	}
	st.configs[id] = &c
}

// InitConfig gives agent id the config c unless it has one, and returns
// the agent's config.
func (st *servicingStore) InitConfig(id string, c AgentConfig) AgentConfig {
	st.mu.Lock()
	defer st.mu.Unlock()
	if cur, ok := st.configs[id]; ok {
		return *cur
	}
	st.configs[id] = &c
	return c
}

// SetConfig replaces agent id's config version prev with cfg for by, and
// logs it; false when another change came first.
func (w *World) SetConfig(id string, prev int, cfg map[string]any, by Actor, now time.Time) (AgentConfig, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	cur, ok := w.Servicing.configs[id]
	if !ok || cur.Version != prev {
		return AgentConfig{}, false
	}
	next := &AgentConfig{Version: prev + 1, Config: cfg, Updated: now}
	w.Servicing.configs[id] = next
	// The new config's version, as the answer names it (config_version),
	// not the agent's build (version).
	w.log(now, platform.LogInfo, id, fmt.Sprintf("Config of agent %s changed by %s (config version %d)", id, by.name(), next.Version),
		map[string]any{"action": "config", "by": by.name(), "config_version": next.Version})
	return *next, true
}

// GenericSchema is the compiled genericConfigSchema.
func (st *servicingStore) GenericSchema() (*template.ConfigSchema, error) {
	st.schemaOnce.Do(func() { st.schema, st.schemaErr = template.CompileConfigSchema(json.RawMessage(genericConfigSchema)) })
	return st.schema, st.schemaErr
}

// state returns a copy of agent id's state settled to now, for the figures
// an upgrade to a known-bad build replaces.
func (st *agentStore) state(id string, now time.Time) (agentState, bool) {
	a, ok := st.byID[id]
	if !ok {
		return agentState{}, false
	}
	st.settle(a, now)
	return *a, true
}
