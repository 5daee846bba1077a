// Package factory is the client of the platform's agent factory: it lists
// the templates agents are made from, validates and prices creation
// requests, creates agents and follows their deployments until they are
// online.
//
// The root package's client has one (c.Factory from waooaw.New); New builds
// one from a *platform.Client. The request types are those of package
// factory/template (aliased here), and ValidateLocal applies the very rules
// the server applies (template.Check), with no network, over a
// template.Source: the built-ins by default, or c.Factory.WithTemplates to
// add plugin templates.
//
//	req := factory.Request{TemplateID: "tmpl-memory", AgentName: "support-memory"}
//	if res, err := c.Factory.ValidateLocal(ctx, req); err != nil || !res.Valid {
//		// show res.Errors next to their fields
//	}
//	op, err := c.Factory.Create(ctx, req) // needs the admin role
//	if err != nil {
//		return err
//	}
//	d, err := op.Wait(ctx) // polls (platform.WithPollInterval) until the deployment has ended
//
// Create and Deployment return a *platform.Operation[Deployment] (Operation):
// Watch yields each reading until the deployment ends, Wait returns the last
// one, with an error matching ErrDeploymentFailed if it failed.
//
// A Wizard builds a request step by step, as the portal's wizard does
// (template, configure, resources, review), checking each step locally.
//
// Listing templates, validating and estimating need any signed-in role;
// creating needs the admin role (platform.ErrPermissionDenied otherwise).
// An invalid request is refused with platform.ErrInvalidArgument and the
// problems in the error's Details; a name already taken by any agent with
// platform.ErrConflict. When a template could not be used (a plugin
// template that crashed answers 503 unavailable, one that gave an answer
// breaking the template rules 502 template_refused, one that hung 504
// template_timeout) the error matches platform.ErrUnavailable; calls that
// read are retried on their own, and Create is retried under its
// idempotency key, except after a 504 template_timeout (the template may
// still be working on it). A template's own error or panic is 500
// template_failed (platform.ErrInternal), never retried: the same request
// fails the same way.
package factory
