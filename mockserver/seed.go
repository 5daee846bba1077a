package mockserver

import (
	"errors"
	"time"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
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

	file string // the fixture it came from (LoadSeedFile), for errors
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

// Customer is a customer of the platform: the company its Business agents
// and workflows work for. Seed them with Seed or POST /_mock/seed; agents
// and workflows that name a customer_id must name a known customer.
type Customer struct {
	// CustomerID is the customer's id, e.g. "cust-001"; Seed makes one
	// ("cust-004", …) when it is empty.
	CustomerID  string `json:"customer_id"`
	CompanyName string `json:"company_name"`
	// Email is the customer's contact address; optional.
	Email string `json:"email,omitempty"`
	// Status is CustomerActive (the default) or CustomerSuspended.
	Status string `json:"status"`
	// CreatedAt defaults to the server's clock when seeded.
	CreatedAt time.Time `json:"created_at"`
}

// User is a person (or service account) who can sign in.
type User struct {
	Sub   string `json:"sub"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
}

// Error lists the problems, e.g. "fixtures/acme.json:
// agents[2].capabilities: want an array of strings, got a number".
func (e *SeedError) Error() string { return e.inner().Error() }

// LoadSeedFile reads a seed fixture: a JSON file with the body of
// POST /_mock/seed, e.g.
//
//	{"customers": [{"customer_id": "cust-900", "company_name": "Hooli"}],
//	 "agents": [{"name": "Hooli Helper", "customer_id": "cust-900"}]}
//
// It checks everything that does not depend on a server: the JSON's shape
// (every field known, of the right type), required fields, enums, ranges
// and duplicates within the file. Its error is a *SeedError naming the
// file, the JSON path and what was expected, e.g.
//
//	fixtures/acme.json: agents[2].capabilities: want an array of strings, got a number
//
// Pass the seed to WithSeed or Server.Seed; what depends on the server
// (ids already taken, references to queues, agents and customers the file
// does not define, times after the server's clock) is checked there, and
// those errors name the file too.
func LoadSeedFile(path string) (Seed, error) {
	sd, err := core.LoadSeedFile(path)
	if err != nil {
		return Seed{}, outerError(err)
	}
	return Seed{Agents: sd.Agents, Queues: convert(sd.Queues, func(q core.SeedQueue) SeedQueue { return SeedQueue(q) }),
		DeadLetters: sd.DeadLetters, Workflows: sd.Workflows,
		Customers: convert(sd.Customers, func(c core.Customer) Customer { return Customer(c) }),
		Users:     convert(sd.Users, func(u core.User) User { return User(u) }), file: sd.File}, nil
}

// inner is the seed as the server inside takes it.
func (sd Seed) inner() core.Seed {
	return core.Seed{Agents: sd.Agents, Queues: convert(sd.Queues, func(q SeedQueue) core.SeedQueue { return core.SeedQueue(q) }),
		DeadLetters: sd.DeadLetters, Workflows: sd.Workflows,
		Customers: convert(sd.Customers, func(c Customer) core.Customer { return core.Customer(c) }),
		Users:     convert(sd.Users, func(u User) core.User { return core.User(u) }), File: sd.file}
}

func (e *SeedError) inner() *core.SeedError {
	return &core.SeedError{File: e.File, Problems: convert(e.Problems, func(p SeedProblem) core.SeedProblem { return core.SeedProblem(p) })}
}

// outerError is err with the *SeedErrors inside it made this package's,
// so that errors.As finds them.
func outerError(err error) error {
	if err == nil {
		return nil
	}
	if se, ok := err.(*core.SeedError); ok {
		return &SeedError{File: se.File, Problems: convert(se.Problems, func(p core.SeedProblem) SeedProblem { return SeedProblem(p) })}
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs := j.Unwrap()
		out := make([]error, len(errs))
		for i, e := range errs {
			out[i] = outerError(e)
		}
		return errors.Join(out...)
	}
	return err
}

// convert maps each element of in with f.
func convert[From, To any](in []From, f func(From) To) []To {
	if in == nil {
		return nil
	}
	out := make([]To, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}
