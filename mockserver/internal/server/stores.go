package server

import "time"

// World is the whole mutable state of the platform, one store per area.
// Reset swaps in a fresh value, so a request sees one consistent set.
type World struct {
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

// newWorld builds every store from the default seed data at now.
func newWorld(now time.Time, logLines int) *World {
	return &World{
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

// world is the current state.
func (s *Server) world() *World { return s.state.Load() }
