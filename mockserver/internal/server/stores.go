package server

import "time"

// stores is the whole mutable state of the platform, one store per area.
// Reset swaps in a fresh value, so a request sees one consistent set.
type stores struct {
	agents    *agentStore
	workflows *workflowStore
	queues    *queueStore
	factory   *factoryStore
	customers *customerStore
	servicing *servicingStore
	helpdesk  *helpdeskStore
	logs      *logStore
	alerts    *alertStore
}

// newStores builds every store from the default seed data at now.
func newStores(now time.Time, l Limits) *stores {
	return &stores{
		agents:    newAgentStore(now),
		workflows: newWorkflowStore(now),
		queues:    newQueueStore(now),
		factory:   newFactoryStore(),
		customers: newCustomerStore(now),
		servicing: newServicingStore(now),
		helpdesk:  newHelpdeskStore(now),
		logs:      newLogStore(now, l.LogLines),
		alerts:    newAlertStore(now),
	}
}

// store is the current state.
func (s *Server) store() *stores { return s.state.Load() }
