package core

import "time"

// World is the whole mutable state of the platform, one store per area.
// Reset swaps in a fresh value, so a request sees one consistent set.
type World struct {
	// publish tells the event streams of a change (Server.publish).
	publish func(at time.Time, typ string, data any)

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

// NewWorld builds every store from the default seed data at now.
func NewWorld(now time.Time, logLines int, publish func(at time.Time, typ string, data any)) *World {
	return &World{
		publish:   publish,
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
}

// Publish tells the event streams that typ happened at at, data its
// subject (an agent, a workflow, …).
func (w *World) Publish(at time.Time, typ string, data any) { w.publish(at, typ, data) }
