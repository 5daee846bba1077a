// Package mockserver is the whole WAOOAW platform API in memory: an
// http.Handler that keeps state, moves it forward on a controllable clock,
// checks JWT bearer tokens and roles like the platform does, and answers
// with the platform's wire format, errors included.
//
// In a Go test, Start gives a server on loopback with cleanup registered
// and ready clients:
//
//	ts := mockserver.Start(t)
//	pc := ts.Client(mockserver.OperatorEmail)
//	agents := pc.Agents.List(ctx, platform.AgentListOptions{})
//
// New gives the bare server (an http.Handler) for your own listener, and
// Server.Transport serves requests in-process with no listener at all. The
// binary cmd/waooaw-mock runs the same server as a process.
//
// The clock starts frozen at 2026-01-02T10:00:00Z (see WithRealClock) and
// moves only when told (Advance, or POST /_mock/clock/advance); agent
// restarts, deployments, queue consumers and workflows move on it. The test
// controls under /_mock/ are documented in api/mock.yaml.
//
// What a test can check and change:
//
//   - The journal: every request with its body, headers, caller, answer
//     and fault. TestServer.AssertCalls checks what your code sent, by
//     method, path pattern and a JSON subset of the body, with a diff when
//     it differs; Server.Journal returns the entries.
//   - Faults (Server.AddFault, Faults, RemoveFault): error statuses,
//     latency, dropped connections, malformed bodies, for a method and a
//     path that some route answers.
//   - Data (Server.Seed, WithSeed, WithEmptyStart) and the clock (Advance).
//   - The contract: WithRequestValidation answers 400 to requests that
//     break api/openapi.yaml.
//
// Reset, Seed and Advance are atomic under live traffic. Everything the
// server keeps is bounded (Limits, WithLimits). Over HTTP, POST
// /_mock/sandboxes gives parallel suites in any language each an isolated
// copy of the server under one binary.
package mockserver
