package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
	"github.com/waooaw/waooaw-go/workflows"
)

// Seed is data to add to a server, in the API's own shapes: from Go
// (Server.Seed, WithSeed), over HTTP (POST /_mock/seed, whose body is a
// Seed's JSON) or from a JSON fixture (LoadSeedFile, cmd/waooaw-mock
// -seed). A seed is all or nothing: when anything is wrong nothing is
// added, and the *SeedError lists every problem by its JSON path
// ("agents[2].status", "dead_letters[0].queue_name").
//
// Ids may be left empty: the server makes them ("agent-101", "wf-005",
// "dlq-<queue>-023", "cust-004") and Server.Seed returns them. Ids given
// must be new, and agent names too. Fields the platform derives (a queue's
// status, a workflow's progress and counts) are not seeded: SeedQueue
// leaves them out, and a workflow's must match its tasks when given.
// Times default to the server's clock, may not be after it, and are kept
// in UTC.
type Seed struct {
	// Agents are new agents: name is required (new, case-insensitively);
	// tier defaults to Business, status to online (a starting or
	// provisioning agent comes online 30 s later on the clock, a stopping
	// one is offline 10 s later), health to
	// healthy, created_at to the clock and last_active, for an online
	// agent, to the clock. customer_id, when set, names a customer of the
	// server or of this seed.
	Agents []platform.Agent `json:"agents,omitempty"`
	// Queues are new queues; see SeedQueue.
	Queues []SeedQueue `json:"queues,omitempty"`
	// DeadLetters go into the dead-letter queue of their queue_name (a
	// queue of the server or of this seed), after those already there.
	// error is required; payload (a JSON object) defaults to {}, timestamp
	// to the clock, message_id to "dlq-<queue>-NNN". The queue's
	// messages_accepted grows with them, so accepted = pending + dead
	// letters + processed + deleted holds. A seeded dead letter that is
	// retried is then processed.
	DeadLetters []queues.Message `json:"dead_letters,omitempty"`
	// Workflows are new workflows: workflow_name and customer_id (a known
	// customer) are required, and each task's task_id, task_name, agent_id
	// (a known agent) and estimated_duration_ms. status defaults to
	// pending, customer_name to the customer's company_name. The tasks
	// must fit the status (see SeedProblem's messages); times not given
	// follow from the clock, the dependencies and the estimates. A seeded
	// pending workflow does not start on its own.
	Workflows []workflows.Workflow `json:"workflows,omitempty"`
	// Customers are new customers: company_name is required; status
	// defaults to active, created_at to the clock.
	Customers []Customer `json:"customers,omitempty"`
	// Users can sign in (as with AddUser): email, name and role (viewer,
	// operator or admin) are required; sub is derived from the email. A
	// user with the email of a known user replaces it.
	Users []User `json:"users,omitempty"`

	File string `json:"-"` // the fixture it came from (LoadSeedFile), for errors
}

// SeedQueue is a new queue and its figures, as GET
// /api/platform/queues/{name} shows them right after the seed. The
// producers keep pace with the consumers, so the figures stay as seeded
// while the clock moves (with throughput 0 nothing moves at all), until
// retries change them. The status is derived from the figures; dead
// letters are seeded in Seed.DeadLetters.
type SeedQueue struct {
	// QueueName is required: an id (letters, digits and . _ : @ -).
	QueueName string `json:"queue_name"`
	// MessagesPending counts the messages on the queue, those in flight
	// included (0 to 1e9).
	MessagesPending int64 `json:"messages_pending,omitempty"`
	// ThroughputPerSec is the consumers' capacity in messages per second
	// (0 to 10000).
	ThroughputPerSec float64 `json:"throughput_per_sec,omitempty"`
	// ConsumerLag counts the pending messages beyond those in flight (at
	// most MessagesPending).
	ConsumerLag int64 `json:"consumer_lag,omitempty"`
	// ErrorRate is a fraction from 0 to 1.
	ErrorRate float64 `json:"error_rate,omitempty"`
	// OldestMessageAgeSec is the age of the oldest pending message (0 when
	// none is pending; at most 10 years).
	OldestMessageAgeSec int64 `json:"oldest_message_age_sec,omitempty"`
	// MessagesProcessed and MessagesDeleted are the counts before the seed
	// (0 to 1e15).
	MessagesProcessed int64 `json:"messages_processed,omitempty"`
	MessagesDeleted   int64 `json:"messages_deleted,omitempty"`
}

// SeedResult is what a seed added: ids in the seed's order, those the
// server made included.
type SeedResult struct {
	Agents      []string `json:"agents"`       // agent_id
	Queues      []string `json:"queues"`       // queue_name
	DeadLetters []string `json:"dead_letters"` // message_id
	Workflows   []string `json:"workflows"`    // workflow_id
	Customers   []string `json:"customers"`    // customer_id
	Users       []string `json:"users"`        // sub
}

// OrEmpty is r with every nil list empty, for the wire.
func (r SeedResult) OrEmpty() SeedResult {
	for _, l := range []*[]string{&r.Agents, &r.Queues, &r.DeadLetters, &r.Workflows, &r.Customers, &r.Users} {
		if *l == nil {
			*l = []string{}
		}
	}
	return r
}

// SeedProblem is one thing wrong with a seed.
type SeedProblem struct {
	// Path is the JSON path of the value, e.g. "agents[2].capabilities";
	// "" for the seed as a whole.
	Path  string
	Issue string
}

// SeedError is why a seed was refused. Nothing of a refused seed was
// added.
type SeedError struct {
	// File is the fixture the seed was loaded from; "" when none.
	File     string
	Problems []SeedProblem
}

// MaxProblemsShown bounds Error's text; Problems has them all.
const MaxProblemsShown = 10

// Error lists the problems, e.g. "fixtures/acme.json:
// agents[2].capabilities: want an array of strings, got a number".
func (e *SeedError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File + ": ")
	} else {
		b.WriteString("mockserver: seed refused: ")
	}
	b.WriteString(ProblemList(e.Problems, MaxProblemsShown))
	return b.String()
}

// ProblemList words probs, at most most of them.
func ProblemList(probs []SeedProblem, most int) string {
	var b strings.Builder
	for i, p := range probs {
		if i == most {
			fmt.Fprintf(&b, "; and %d more", len(probs)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		if p.Path != "" {
			b.WriteString(p.Path + ": ")
		}
		b.WriteString(p.Issue)
	}
	return b.String()
}

// Clear empties the stores that hold seed data (WithEmptyStart). A store
// added to stores with seed data of its own is emptied here too.
func (w *World) Clear() {
	w.Agents.clear()
	w.Workflows.order = nil
	clear(w.Workflows.byID)
	w.Queues.order = nil
	clear(w.Queues.byName)
	w.Customers.order = nil
	clear(w.Customers.byID)
	w.Servicing.clear()
	w.Helpdesk.clear()
	w.Logs.clear()
	w.Alerts.clear()
}

// ApplySeed checks seed against st and adds it, all or nothing. It returns
// the World to publish (st itself, or a copy with a new queue set when the
// seed adds queues: the set of queues is read without a lock, so it is
// replaced, never changed) and the users who can now sign in, for the
// authority to add.
func (w *World) ApplySeed(seed Seed, now time.Time) (*World, SeedResult, []User, error) {
	w.mu.Lock()
	defer w.mu.Unlock()

	p := newSeedPlan(w, now)
	p.plan(seed)
	if p.probs != nil {
		return w, SeedResult{}, nil, &SeedError{File: seed.File, Problems: p.probs}
	}

	for _, c := range p.customers {
		w.Customers.put(c)
	}
	for _, a := range p.agents {
		w.Agents.put(a)
	}
	w.Agents.idSeq = p.agentSeq
	next := w
	if len(p.newQueues) > 0 {
		qs := &queueStore{order: slices.Clone(w.Queues.order), byName: make(map[string]*QueueState, len(w.Queues.byName)+len(p.newQueues))}
		for name, q := range w.Queues.byName {
			qs.byName[name] = q
		}
		for _, q := range p.newQueues {
			qs.order = append(qs.order, q)
			qs.byName[q.name] = q
		}
		cp := *w
		cp.Queues = qs
		next = &cp
		next.share() // the new queues too
	}
	for _, q := range p.letterQueues {
		q.addDeadLetters(p.letters[q], now)
	}
	for _, wf := range p.workflows {
		w.Workflows.put(wf)
	}
	// Tell of what the seed added (nothing while the World is being
	// built: the start's seeds are noted, not told).
	for _, a := range p.agents {
		next.tell(now, subject{kindAgent, a.AgentID})
	}
	for _, wf := range p.workflows {
		next.tell(now, subject{kindWorkflow, wf.w.WorkflowID})
	}
	for _, q := range next.Queues.order { // new ones, and those given dead letters, change
		next.tell(now, subject{kindQueue, q.name})
	}
	return next, p.res, p.users, nil
}

// checkSeed checks what LoadSeedFile can check without a server.
func checkSeed(seed Seed) []SeedProblem {
	p := newSeedPlan(nil, time.Time{})
	p.plan(seed)
	return p.probs
}

// seedPlan checks a seed and prepares what it adds, changing nothing. With
// a live World (its lock held) it checks the seed against them and the
// clock; without (LoadSeedFile), only the seed itself.
type seedPlan struct {
	live  *World
	now   time.Time
	probs []SeedProblem

	// What the seed may refer to: the server's and the seed's own.
	customers   []Customer
	customerIDs map[string]string // id → company name
	agentIDs    map[string]bool
	queueNames  map[string]*QueueState

	agents       []*agentState
	agentSeq     int
	newQueues    []*QueueState
	letterQueues []*QueueState // in order of first dead letter
	letters      map[*QueueState][]queues.Message
	workflows    []*wfState
	users        []User
	res          SeedResult
}

func newSeedPlan(live *World, now time.Time) *seedPlan {
	p := &seedPlan{live: live, now: now, customerIDs: map[string]string{}, agentIDs: map[string]bool{},
		queueNames: map[string]*QueueState{}, letters: map[*QueueState][]queues.Message{}, agentSeq: 100}
	if live == nil {
		// No clock: times are checked against each other only.
		p.now = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
		return p
	}
	for id, c := range live.Customers.byID {
		p.customerIDs[id] = c.CompanyName
	}
	for id := range live.Agents.byID {
		p.agentIDs[id] = true
	}
	for name, q := range live.Queues.byName {
		p.queueNames[name] = q
	}
	p.agentSeq = live.Agents.idSeq
	return p
}

func (p *seedPlan) problem(path, format string, args ...any) {
	p.probs = append(p.probs, SeedProblem{Path: path, Issue: fmt.Sprintf(format, args...)})
}

// plan checks the sections in the seed's order; references between them
// are resolved first.
func (p *seedPlan) plan(seed Seed) {
	// Explicit ids are known up front, so a section may refer to a later
	// one (an agent to a customer below it).
	for _, c := range seed.Customers {
		if c.CustomerID != "" {
			if _, ok := p.customerIDs[c.CustomerID]; !ok {
				p.customerIDs[c.CustomerID] = c.CompanyName
			}
		}
	}
	for _, a := range seed.Agents {
		if a.AgentID != "" {
			p.agentIDs[a.AgentID] = true
		}
	}
	p.planAgents(seed.Agents)
	p.planQueues(seed.Queues)
	p.planDeadLetters(seed.DeadLetters)
	p.planWorkflows(seed.Workflows)
	p.planCustomers(seed.Customers)
	p.planUsers(seed.Users)
}

// Limits of seeded values.
const (
	maxSeedName     = 200
	maxSeedText     = 4096
	maxSeedMessages = 1_000_000_000
	maxSeedCounter  = 1_000_000_000_000_000
	maxSeedRate     = 10000
	maxSeedAge      = 10 * 365 * 24 * 3600
	maxTaskEstimate = 7 * 24 * time.Hour
)

const IDRule = "is not a valid id: use letters, digits and . _ : @ - (at most 128)"

// checkText reports a required or limited text field.
func (p *seedPlan) checkText(path, v string, required bool, most int) {
	switch {
	case required && strings.TrimSpace(v) == "":
		p.problem(path, "is required")
	case len(v) > most:
		p.problem(path, "is %d bytes long: at most %d", len(v), most)
	}
}

// checkTime reports a time after the clock.
func (p *seedPlan) checkTime(path string, t time.Time) {
	if p.live != nil && t.After(p.now) {
		p.problem(path, "%s is after the server's clock (%s)", t.UTC().Format(time.RFC3339Nano), p.now.Format(time.RFC3339Nano))
	}
}

// dup tracks the paths where values were first seen, to report repeats.
type dup map[string]string

// seen reports (and remembers) whether v was seen before, and where.
func (d dup) seen(v, path string) (string, bool) {
	if first, ok := d[v]; ok {
		return first, true
	}
	d[v] = path
	return "", false
}

// nextID returns the first id from format (with one %d) at or after *k
// that is not taken, and moves *k past it.
func nextID(format string, k *int, taken func(string) bool) string {
	for {
		*k++
		if id := fmt.Sprintf(format, *k); !taken(id) {
			return id
		}
	}
}

func (p *seedPlan) planCustomers(cs []Customer) {
	ids := dup{}
	for i, c := range cs {
		path := fmt.Sprintf("customers[%d]", i)
		if c.CustomerID != "" {
			switch first, twice := ids.seen(c.CustomerID, path); {
			case !ValidPathID(c.CustomerID):
				p.problem(path+".customer_id", IDRule)
			case twice:
				p.problem(path+".customer_id", "%q is given twice (also at %s)", c.CustomerID, first)
			case p.live != nil && p.live.Customers.byID[c.CustomerID] != nil:
				p.problem(path+".customer_id", "customer %q exists already", c.CustomerID)
			}
		}
		p.checkText(path+".company_name", c.CompanyName, true, maxSeedName)
		if c.Email != "" && !ValidEmail(c.Email) {
			p.problem(path+".email", "must be an email address")
		}
		switch c.Status {
		case "":
			c.Status = CustomerActive
		case CustomerActive, CustomerSuspended:
		default:
			p.problem(path+".status", "must be active or suspended, not %q", c.Status)
		}
		if c.CreatedAt.IsZero() {
			c.CreatedAt = p.now
		}
		c.CreatedAt = c.CreatedAt.UTC()
		p.checkTime(path+".created_at", c.CreatedAt)
		p.customers = append(p.customers, c)
	}
	k := len(p.customerIDs)
	for i := range p.customers {
		c := &p.customers[i]
		if c.CustomerID == "" {
			c.CustomerID = nextID("cust-%03d", &k, func(id string) bool { _, ok := p.customerIDs[id]; return ok })
			p.customerIDs[c.CustomerID] = c.CompanyName
		}
		p.res.Customers = append(p.res.Customers, c.CustomerID)
	}
}

// checkCustomer reports a customer_id that names no customer.
func (p *seedPlan) checkCustomer(path, id string) {
	if !ValidPathID(id) {
		p.problem(path, IDRule)
		return
	}
	if _, ok := p.customerIDs[id]; !ok && p.live != nil {
		p.problem(path, "unknown customer %q: seed it in customers", id)
	}
}

func (p *seedPlan) planAgents(as []platform.Agent) {
	ids, names := dup{}, dup{}
	for i, a := range as {
		path := fmt.Sprintf("agents[%d]", i)
		if a.AgentID != "" {
			switch first, twice := ids.seen(a.AgentID, path); {
			case !ValidPathID(a.AgentID):
				p.problem(path+".agent_id", IDRule)
			case twice:
				p.problem(path+".agent_id", "%q is given twice (also at %s)", a.AgentID, first)
			case p.live != nil && p.live.Agents.byID[a.AgentID] != nil:
				p.problem(path+".agent_id", "agent %q exists already", a.AgentID)
			}
		}
		p.checkText(path+".name", a.Name, true, maxSeedName)
		if lower := strings.ToLower(a.Name); a.Name != "" {
			if first, twice := names.seen(lower, path); twice {
				p.problem(path+".name", "%q is given twice (also at %s; names are unique, case-insensitively)", a.Name, first)
			} else if p.live != nil {
				if id, taken := p.live.Agents.byName[lower]; taken {
					p.problem(path+".name", "agent %s is named %q already", id, a.Name)
				}
			}
		}
		p.checkText(path+".description", a.Description, false, maxSeedText)
		p.checkText(path+".version", a.Version, false, maxSeedName)
		switch {
		case a.Tier == "":
			a.Tier = platform.TierBusiness
		case !slices.Contains(AgentTiers, a.Tier):
			p.problem(path+".tier", `must be "Platform CoE" or "Business", not %q`, a.Tier)
		}
		switch {
		case a.Status == "":
			a.Status = platform.AgentOnline
		case !slices.Contains(AgentStatuses, a.Status):
			p.problem(path+".status", "must be one of online, offline, starting, stopping, error, provisioning, not %q", a.Status)
		}
		switch a.Health {
		case "":
			a.Health = platform.AgentHealthy
		case platform.AgentHealthy, platform.AgentDegraded, platform.AgentUnhealthy:
		default:
			p.problem(path+".health", "must be healthy, degraded or unhealthy, not %q", a.Health)
		}
		a.Capabilities = slices.Clone(a.Capabilities)
		if a.Capabilities == nil {
			a.Capabilities = []string{}
		}
		for j, c := range a.Capabilities {
			p.checkText(fmt.Sprintf("%s.capabilities[%d]", path, j), c, true, maxSeedName)
		}
		if a.CustomerID != "" {
			p.checkCustomer(path+".customer_id", a.CustomerID)
		}
		if a.TemplateID != "" && !ValidPathID(a.TemplateID) {
			p.problem(path+".template_id", IDRule)
		}
		if a.LastActive == nil && a.Status == platform.AgentOnline {
			a.LastActive = &p.now
		}
		if a.LastActive != nil {
			t := a.LastActive.UTC()
			a.LastActive = &t
			p.checkTime(path+".last_active", t)
		}
		if a.CreatedAt.IsZero() {
			a.CreatedAt = p.now
			if a.LastActive != nil && a.LastActive.Before(p.now) {
				a.CreatedAt = *a.LastActive
			}
		}
		a.CreatedAt = a.CreatedAt.UTC()
		p.checkTime(path+".created_at", a.CreatedAt)
		if a.LastActive != nil && a.LastActive.Before(a.CreatedAt) {
			p.problem(path+".last_active", "is before created_at (%s)", a.CreatedAt.Format(time.RFC3339Nano))
		}
		st := &agentState{Agent: a}
		switch a.Status {
		case platform.AgentStarting, platform.AgentProvisioning:
			st.readyAt = p.now.Add(AgentStartDelay)
		case platform.AgentStopping:
			st.readyAt = p.now.Add(agentStopDelay)
		}
		p.agents = append(p.agents, st)
	}
	for _, a := range p.agents {
		if a.AgentID == "" {
			a.AgentID = nextID("agent-%03d", &p.agentSeq, func(id string) bool { return p.agentIDs[id] })
			p.agentIDs[a.AgentID] = true
		}
		p.res.Agents = append(p.res.Agents, a.AgentID)
	}
}

func (p *seedPlan) planQueues(qs []SeedQueue) {
	names := dup{}
	for i, sq := range qs {
		path := fmt.Sprintf("queues[%d]", i)
		before := len(p.probs)
		switch first, twice := names.seen(sq.QueueName, path); {
		case sq.QueueName == "":
			p.problem(path+".queue_name", "is required")
		case !ValidPathID(sq.QueueName):
			p.problem(path+".queue_name", IDRule)
		case twice:
			p.problem(path+".queue_name", "%q is given twice (also at %s)", sq.QueueName, first)
		case p.queueNames[sq.QueueName] != nil:
			p.problem(path+".queue_name", "queue %q exists already", sq.QueueName)
		}
		count := func(field string, v, most int64) {
			if v < 0 || v > most {
				p.problem(path+"."+field, "must be from 0 to %d, not %d", most, v)
			}
		}
		count("messages_pending", sq.MessagesPending, maxSeedMessages)
		count("consumer_lag", sq.ConsumerLag, maxSeedMessages)
		count("oldest_message_age_sec", sq.OldestMessageAgeSec, maxSeedAge)
		count("messages_processed", sq.MessagesProcessed, maxSeedCounter)
		count("messages_deleted", sq.MessagesDeleted, maxSeedCounter)
		if !(sq.ThroughputPerSec >= 0 && sq.ThroughputPerSec <= maxSeedRate) {
			p.problem(path+".throughput_per_sec", "must be from 0 to %d messages per second, not %g", maxSeedRate, sq.ThroughputPerSec)
		}
		if !(sq.ErrorRate >= 0 && sq.ErrorRate <= 1) {
			p.problem(path+".error_rate", "must be a fraction from 0 to 1, not %g", sq.ErrorRate)
		}
		// A cross-field check blames the field set wrong, not the other: a
		// bad messages_pending is its own problem only.
		if sq.ConsumerLag > sq.MessagesPending && sq.ConsumerLag <= maxSeedMessages && sq.MessagesPending >= 0 {
			p.problem(path+".consumer_lag", "is more than messages_pending (%d): the lag counts pending messages beyond those in flight", sq.MessagesPending)
		}
		if sq.MessagesPending == 0 && sq.OldestMessageAgeSec > 0 {
			p.problem(path+".oldest_message_age_sec", "must be 0 when no message is pending")
		}
		if len(p.probs) > before {
			continue
		}
		seed := queueSeed{
			name: sq.QueueName, pending: sq.MessagesPending, lag: sq.ConsumerLag,
			throughput: sq.ThroughputPerSec, produce: sq.ThroughputPerSec,
			errBusy: sq.ErrorRate, errIdle: sq.ErrorRate,
			oldest:    time.Duration(sq.OldestMessageAgeSec) * time.Second,
			processed: sq.MessagesProcessed, deleted: sq.MessagesDeleted,
		}
		q := seed.build(p.now, 0)
		if _, taken := p.queueNames[q.name]; !taken {
			p.queueNames[q.name] = q
		}
		p.newQueues = append(p.newQueues, q)
		p.res.Queues = append(p.res.Queues, q.name)
	}
}

func (p *seedPlan) planDeadLetters(ms []queues.Message) {
	type letter struct {
		q *QueueState
		m queues.Message
	}
	var planned []letter
	taken := map[*QueueState]map[string]bool{} // ids in the queue and in the seed
	ids := dup{}
	for i, m := range ms {
		path := fmt.Sprintf("dead_letters[%d]", i)
		before := len(p.probs)
		q := p.queueNames[m.QueueName]
		switch {
		case m.QueueName == "":
			p.problem(path+".queue_name", "is required")
		case !ValidPathID(m.QueueName):
			p.problem(path+".queue_name", IDRule)
		case q == nil && p.live != nil:
			p.problem(path+".queue_name", "unknown queue %q: seed it in queues", m.QueueName)
		}
		if q != nil && taken[q] == nil {
			taken[q] = map[string]bool{}
			if !slices.Contains(p.newQueues, q) {
				taken[q] = q.messageIDs(p.now)
			}
		}
		if m.MessageID != "" {
			switch first, twice := ids.seen(m.QueueName+"\x00"+m.MessageID, path); {
			case !ValidPathID(m.MessageID):
				p.problem(path+".message_id", IDRule)
			case twice:
				p.problem(path+".message_id", "%q is given twice for queue %q (also at %s)", m.MessageID, m.QueueName, first)
			case q != nil && taken[q][m.MessageID]:
				p.problem(path+".message_id", "queue %q has a message %q already", m.QueueName, m.MessageID)
			}
		}
		p.checkText(path+".error", m.Error, true, maxSeedText)
		if m.RetryCount < 0 {
			p.problem(path+".retry_count", "must not be negative")
		}
		if len(bytes.TrimSpace(m.Payload)) == 0 || bytes.Equal(bytes.TrimSpace(m.Payload), []byte("null")) {
			m.Payload = json.RawMessage(`{}`)
		} else if t := bytes.TrimSpace(m.Payload); t[0] != '{' || !json.Valid(t) {
			p.problem(path+".payload", "must be a JSON object")
		} else {
			m.Payload = slices.Clone(json.RawMessage(t))
		}
		if m.Timestamp.IsZero() {
			m.Timestamp = p.now
		}
		m.Timestamp = m.Timestamp.UTC()
		p.checkTime(path+".timestamp", m.Timestamp)
		if len(p.probs) > before || q == nil {
			continue
		}
		if m.MessageID != "" {
			taken[q][m.MessageID] = true
		}
		planned = append(planned, letter{q, m})
	}
	if p.live == nil || len(p.probs) > 0 {
		return
	}
	next := map[*QueueState]int{}
	for _, l := range planned {
		if l.m.MessageID == "" {
			base := "dlq-" + l.q.name
			if len(base) > 100 {
				base = "dlq"
			}
			k, ok := next[l.q]
			if !ok {
				k = len(taken[l.q])
			}
			l.m.MessageID = nextID(base+"-%03d", &k, func(id string) bool { return taken[l.q][id] })
			next[l.q] = k
			taken[l.q][l.m.MessageID] = true
		}
		if _, ok := p.letters[l.q]; !ok {
			p.letterQueues = append(p.letterQueues, l.q)
		}
		p.letters[l.q] = append(p.letters[l.q], l.m)
		p.res.DeadLetters = append(p.res.DeadLetters, l.m.MessageID)
	}
}

func (p *seedPlan) planUsers(us []User) {
	emails := dup{}
	for i, u := range us {
		path := fmt.Sprintf("users[%d]", i)
		email := strings.ToLower(strings.TrimSpace(u.Email))
		switch first, twice := emails.seen(email, path); {
		case !ValidEmail(u.Email):
			p.problem(path+".email", "must be an email address")
		case twice:
			p.problem(path+".email", "%q is given twice (also at %s)", u.Email, first)
		}
		p.checkText(path+".name", u.Name, true, maxSeedName)
		if _, ok := ParseRole(u.Role); !ok {
			p.problem(path+".role", "must be viewer, operator or admin, not %q", u.Role)
		}
		if u.Sub != "" && u.Sub != SubFor(email) {
			p.problem(path+".sub", "is derived from the email: leave it out")
		}
		u.Email, u.Sub = email, SubFor(email)
		p.users = append(p.users, u)
		p.res.Users = append(p.res.Users, u.Sub)
	}
}
