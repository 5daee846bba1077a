// Package waooaw is the WAOOAW agent platform's Go SDK in one value: New
// builds the client once, and each area of the API is a field of it.
//
//	c, err := waooaw.New() // $WAOOAW_API_URL, and $WAOOAW_TOKEN or $WAOOAW_CLIENT_ID/$WAOOAW_CLIENT_SECRET
//	if err != nil { ... }
//	m, err := c.Platform.Metrics(ctx)          // the dashboard's cards
//	for a, err := range c.Agents.List(ctx, platform.AgentListOptions{Status: platform.AgentOnline}) { ... }
//	_, err = c.Agents.Restart(ctx, "wow-memory") // needs the operator role
//	for m, err := range c.Queues.DLQ(ctx, "notifications", queues.DLQOptions{}) { ... }
//	op, err := c.Factory.Create(ctx, req)        // a platform.Operation: Watch, Wait
//	op, err := c.Servicing.Upgrade(ctx, "wow-memory", servicing.UpgradeRequest{...})
//	res, err := c.Helpdesk.Diagnose(ctx, "cust-001")
//	stream, err := c.Platform.Events(ctx, platform.EventFilter{}) // live updates
//
// The areas:
//
//   - c.Platform: the core client (Metrics, Health, Events, Do for calls
//     the SDK does not wrap) and its options, errors and retries;
//   - c.Agents, c.Logs, c.Alerts: the dashboard's agents, the log, alerts;
//   - c.Queues: queues and dead-letter queues (package queues);
//   - c.Workflows: orchestration, tasks and the Gantt (package workflows);
//   - c.Factory: templates, validation, cost and agent creation (package factory);
//   - c.Servicing: versions, upgrades, rollback and hot config (package servicing);
//   - c.Helpdesk: customers, diagnostics, quick actions and playbooks (package helpdesk).
//
// # Options and credentials
//
// New takes the options of package platform (WithBaseURL, WithTokenSource,
// WithTimeout, WithRetries, WithPollInterval, …), each checked by New; New
// does no network I/O. With no WithTokenSource it reads the environment
// through auth.FromEnvironment: $WAOOAW_TOKEN (a static token, refused
// with auth.ErrTokenExpired once the platform says it has expired), else
// $WAOOAW_CLIENT_ID and $WAOOAW_CLIENT_SECRET (a service account whose
// token renews itself, also after a 401). Setting only one of the two is an
// error from New. People sign in with auth.Login (a saved sign-in, else the
// browser) and pass the source it returns to platform.WithTokenSource.
//
// # Errors
//
// Every answer outside 2xx is a *platform.Error; match it with errors.Is
// against platform.ErrInvalidArgument (400, 413, 415), ErrUnauthenticated
// (401), ErrPermissionDenied (403), ErrNotFound (404), ErrConflict (409,
// 422), ErrRateLimited (429), ErrUnavailable (502-504, and no answer at
// all) and ErrInternal (other 5xx). platform.WithResponse gives any call's
// request id and headers.
//
// # Testing
//
// Package mockserver is the whole API in memory; its ClientOptions build a
// client of this package against it:
//
//	ts := mockserver.Start(t)
//	c, err := waooaw.New(ts.ClientOptions(mockserver.OperatorEmail)...)
package waooaw

import (
	"github.com/waooaw/waooaw-go/auth"
	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/helpdesk"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
	"github.com/waooaw/waooaw-go/servicing"
	"github.com/waooaw/waooaw-go/workflows"
)

// Client is the platform API, one field per area. Build it with New; it is
// safe for concurrent use. The fields share one core client: one base URL,
// one token source, one retry policy, one clock.
type Client struct {
	// Platform is the core client: Metrics, Health, Events, Do, and the
	// settings every area shares.
	Platform *platform.Client

	// Agents is the dashboard's agents: list, get, restart, start, stop, watch.
	Agents *platform.AgentService
	// Logs is the platform's log, newest first.
	Logs *platform.LogService
	// Alerts is the platform's alerts: list, acknowledge, resolve.
	Alerts *platform.AlertService

	// Queues is queue health and dead-letter queues.
	Queues *queues.Client
	// Workflows is orchestration: workflows, tasks, the timeline.
	Workflows *workflows.Client
	// Factory is the agent factory: templates, validation, cost, creation.
	Factory *factory.Client
	// Servicing is versions, upgrades, rollback, hot config and history.
	Servicing *servicing.Client
	// Helpdesk is customers, diagnostics, quick actions and playbooks.
	Helpdesk *helpdesk.Client
}

// New builds a Client. opts are package platform's options; the first one
// that is invalid is New's error. Credentials come from WithTokenSource,
// else from the environment (see the package documentation). New does no
// network I/O.
func New(opts ...platform.Option) (*Client, error) {
	// Prepended, so a caller's WithCredentials or WithTokenSource wins.
	pc, err := platform.New(append([]platform.Option{platform.WithCredentials(auth.FromEnvironment)}, opts...)...)
	if err != nil {
		return nil, err
	}
	return FromPlatform(pc), nil
}

// FromPlatform returns the Client whose areas send their calls through pc.
func FromPlatform(pc *platform.Client) *Client {
	return &Client{
		Platform:  pc,
		Agents:    pc.Agents,
		Logs:      pc.Logs,
		Alerts:    pc.Alerts,
		Queues:    queues.New(pc),
		Workflows: workflows.New(pc),
		Factory:   factory.New(pc),
		Servicing: servicing.New(pc),
		Helpdesk:  helpdesk.New(pc),
	}
}
