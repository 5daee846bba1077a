package plugin

import (
	"github.com/waooaw/waooaw-go/factory/plugin/internal/wire"
	"github.com/waooaw/waooaw-go/factory/template"
)

// Errors of calls to a plugin's template, for callers that branch on them
// with errors.Is.
var (
	// ErrUnavailable is matched when the plugin could not serve the call:
	// its process exited during the call or could not be started (an
	// incompatible protocol version, a handshake that failed), it is
	// crash-looping and the host is waiting before it starts it again, or
	// the host is closed (a call waiting for a process to start included).
	// A server answers 503. The next call starts a fresh process when the
	// old one is gone (after the back-off, for a plugin that keeps
	// crashing).
	ErrUnavailable = wire.ErrUnavailable

	// ErrFailed is matched when the template failed the call itself: it
	// returned an error, or panicked (the message names the template).
	// Retrying gives the same failure; a server answers 500
	// template_failed. It is template.ErrFailed.
	ErrFailed = wire.ErrFailed

	// ErrRefused is matched when the host refused a plugin's answer because
	// it broke a rule every template follows (a spec for another template,
	// a step outside the fixed set or its duration range, resources outside
	// the limits, a bad plan, an issue path not relative to config); the
	// message names the plugin and the rule. A server answers 502
	// template_refused. It is template.ErrRefused.
	ErrRefused = template.ErrRefused

	// ErrDeadline is matched when the call got no answer before its
	// deadline (the host's call timeout or the caller's context, whichever
	// is sooner), a call that was still waiting for the plugin's process to
	// start included. It also matches context.DeadlineExceeded. A server answers
	// 504 template_timeout.
	ErrDeadline = wire.ErrDeadline
)
