// Package agents serves the dashboard's agent routes: the list (filtered
// by status, tier and text, paged), one agent, and restart, start and stop.
// Its handlers read and change the core's World and nothing else.
package agents
