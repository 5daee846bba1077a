// Package factory serves the agent factory: templates (the source's,
// built-in or plugins), validate, estimate, create and deployments. The
// template calls happen before the World is changed (core.World.CreateAgent).
// Inside it, factory names the SDK's package of the wire types.
package factory
