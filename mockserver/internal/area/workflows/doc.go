// Package workflows serves the workflow routes: the list, one workflow,
// pause, resume, cancel and task retry. Inside it, workflows names the
// SDK's package of the wire types.
package workflows
