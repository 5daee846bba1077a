// Package core is the mock platform's state: the World (agents, queues,
// workflows, customers, the factory's deployments, servicing's upgrades
// and configs, the help desk, logs and alerts) and every transition of
// it, each a method that checks and changes it or refuses with an *Error
// and changes nothing. It also holds what the rest of the house shares:
// the clock, the step timeline of deployments and upgrades, the keyed
// pager, users and roles, and seeds (Seed, LoadSeedFile, World.ApplySeed).
//
// The World tells of its own changes (news.go, announce.go): each
// transition publishes, logs and alerts on what it changed as it changes
// it, and the changes due later on the clock are in the World's one
// schedule, which World.Settle runs in time order, each told at its time.
//
// core knows nothing of HTTP routes or requests: the server package
// (internal/server) decodes each request, calls the World and encodes
// the answer; the authority (internal/authority) signs callers in.
package core
