// Package platform is the core client of the WAOOAW agent platform API and
// the client of the platform area itself: dashboard metrics and health,
// agents (Client.Agents), logs (Client.Logs), alerts (Client.Alerts) and
// live updates over Server-Sent Events (Client.Events).
//
// A Client carries everything the area packages (auth, queues, workflows,
// factory, servicing, helpdesk) share: the base URL, authentication through
// an oauth2.TokenSource, safe retries, typed errors and pagination. Most
// programs never build one themselves: waooaw.New (the module's root
// package) takes this package's options and hands back every area at once:
//
//	c, err := waooaw.New(platform.WithBaseURL("http://127.0.0.1:8000"),
//		platform.WithTokenSource(ts))
//	if err != nil { ... }
//	m, err := c.Platform.Metrics(ctx)
//	for q, err := range c.Queues.List(ctx, queues.ListOptions{}) { ... }
//
// New builds the core alone; it reads no credentials from the environment
// unless told how (WithCredentials; waooaw.New passes auth.FromEnvironment).
//
// # Errors
//
// Every answer outside 2xx becomes a *Error. Branch on it with errors.Is and
// the sentinels (ErrNotFound, ErrConflict, ...) or read its fields with
// errors.As. No answer at all (a network failure) matches ErrUnavailable. A
// context that ends while a call is retrying gives an error matching the
// context's error that still carries the last answer. Errors of the token
// source are wrapped with %w and never retried. WithResponse gives the
// status, headers and request id of any call.
//
// # Lists and long work
//
// List methods return an iter.Seq2 that fetches pages as it goes (All over
// GetPage); ListPage methods fetch one page for callers who keep cursors.
// Long work (deployments, upgrades, workflows) is followed with Poll, whose
// waits end when the context is done.
//
// # Retries
//
// GET requests are retried on network errors and on 429, 502, 503 and 504.
// POST, PATCH and DELETE are retried under the same conditions only when they
// carry an Idempotency-Key; the client sets a fresh key on every mutation,
// reused on every attempt of that call, and retries a 409 that carries
// Retry-After (an earlier attempt of the same call still running on the
// server). WithIdempotencyKey sets your own key (or none) for the calls made
// with a context. Retry-After is honoured up to a cap; otherwise the wait
// grows exponentially with jitter. Every wait ends when the context is done.
// A 401 makes the client invalidate its token source once (when the source
// has an Invalidate method) and try again. The whole decision is one table
// (decide, in retry.go), and one loop makes the attempts.
package platform
