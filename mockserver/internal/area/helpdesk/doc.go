// Package helpdesk serves the help desk: customer search and overview,
// diagnosis with its quick actions, incidents and playbooks. Inside it,
// helpdesk names the SDK's package of the wire types.
package helpdesk
