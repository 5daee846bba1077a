package core

import (
	"sync"
	"time"
)

// World is the whole mutable state of the platform, one store per area.
// Reset swaps in a fresh value, so a request sees one consistent set.
type World struct {
	// mu is the one lock of the state: every store and queue holds it
	// (share), the transitions take it once.
	mu *sync.Mutex
	// sink is where the World publishes its events: the event streams
	// (Server.publish).
	sink func(at time.Time, typ string, data any)
	// news is what the World has told and its schedule (news.go).
	news *news

	Agents    *agentStore
	Workflows *workflowStore
	Queues    *queueStore
	Factory   *factoryStore
	Customers *customerStore
	Servicing *servicingStore
	Helpdesk  *helpdeskStore
	Logs      *logStore
	Alerts    *alertStore
}

// NewWorld builds every store from the default seed data at now, publishing
// its events to sink. It tells of nothing until Note.
func NewWorld(now time.Time, logLines int, sink func(at time.Time, typ string, data any)) *World {
	w := &World{
		mu:        new(sync.Mutex),
		sink:      sink,
		news:      &news{},
		Agents:    newAgentStore(now),
		Workflows: newWorkflowStore(now),
		Queues:    newQueueStore(now),
		Factory:   newFactoryStore(),
		Customers: newCustomerStore(now),
		Servicing: newServicingStore(now),
		Helpdesk:  newHelpdeskStore(now),
		Logs:      newLogStore(now, logLines),
		Alerts:    newAlertStore(now),
	}
	w.share()
	return w
}

// share puts every store of w, and every queue, under w's one lock: a
// transition that reads or changes several areas takes it once, and no
// order of locks is left to keep.
func (w *World) share() {
	w.Agents.mu, w.Workflows.mu, w.Factory.mu, w.Customers.mu = w.mu, w.mu, w.mu, w.mu
	w.Servicing.mu, w.Helpdesk.mu, w.Logs.mu, w.Alerts.mu = w.mu, w.mu, w.mu, w.mu
	for _, q := range w.Queues.byName {
		q.mu = w.mu
	}
}

// publish tells the event streams that typ happened at at, data its
// subject (an agent, a workflow, …).
func (w *World) publish(at time.Time, typ string, data any) { w.sink(at, typ, data) }
