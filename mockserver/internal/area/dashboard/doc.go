// Package dashboard serves the metrics and health cards, which the core's
// World derives from the agents, workflows and queues.
package dashboard
