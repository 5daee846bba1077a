package plugin

import "github.com/waooaw/waooaw-go/factory/plugin/internal/wire"

// Errors of calls to a plugin's template, for callers that branch on them
// with errors.Is.
var (
	// ErrUnavailable is matched when the plugin could not serve the call:
	// its process exited during the call or could not be started (an
	// incompatible protocol version, a handshake that failed), the template
	// panicked, or the host is closed (a call waiting for a process to start
	// included). A server answers 503. The next call starts a fresh
	// process when the old one is gone.
	ErrUnavailable = wire.ErrUnavailable

	// ErrDeadline is matched when the call got no answer before its
	// deadline (the host's call timeout or the caller's context, whichever
	// is sooner), a call that was still waiting for the plugin's process to
	// start included. It also matches context.DeadlineExceeded. A server answers
	// 504.
	ErrDeadline = wire.ErrDeadline
)
