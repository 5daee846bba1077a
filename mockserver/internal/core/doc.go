// Package core is the mock platform's state: the World (agents, queues,
// workflows, customers, the factory's deployments, servicing's upgrades
// and configs, the help desk, logs and alerts) and every transition of
// it, each a method that checks and changes it or refuses with an *Error
// and changes nothing. It also holds what the rest of the house shares:
// the clock, the step timeline of deployments and upgrades, the keyed
// pager, users and roles, seeds (Seed, LoadSeedFile, World.ApplySeed) and
// the Observer, which finds what changed and publishes it, logs and
// alerts on it.
//
// core knows nothing of HTTP routes or requests: the server package
// (internal/server) decodes each request, calls the World and encodes
// the answer; the authority (internal/authority) signs callers in.
package core
