// Package wire is the template plugin protocol shared by the host, Serve and
// the test kit: the go-plugin handshake, the gRPC server and client halves of
// waooaw.template.v1.TemplateService, and how their errors map to the
// package plugin sentinels.
package wire

import (
	"context"
	"errors"
	"fmt"
	"io"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	templatev1 "github.com/waooaw/waooaw-go/factory/plugin/proto/waooaw/template/v1"
	"github.com/waooaw/waooaw-go/factory/template"
)

// The go-plugin handshake. The cookie only tells a plugin binary that a
// template host started it; it is not a secret.
const (
	MagicCookieKey   = "WAOOAW_TEMPLATE_PLUGIN"
	MagicCookieValue = "8f0c5b7e-waooaw-template"
	// ProtocolVersion is the template protocol this build's plugins speak,
	// and the newest a host of this build accepts.
	ProtocolVersion = 2
	// PreviousProtocolVersion is the oldest protocol a host of this build
	// accepts: plugins built by the previous release keep loading.
	PreviousProtocolVersion = 1
	// PluginName is the name the template is dispensed under.
	PluginName = "template"
	// MaxMessageBytes caps one gRPC message in either direction.
	MaxMessageBytes = 16 << 20
	// WatchEnv, set to "stdin" by the host, tells a plugin that its stdin is
	// a pipe the host holds open: EOF means the host is gone.
	WatchEnv = "WAOOAW_TEMPLATE_PLUGIN_WATCH"
)

// ErrUnavailable is matched by errors of calls the plugin could not serve.
var ErrUnavailable = errors.New("template plugin unavailable")

// ErrFailed is matched by errors of calls the template failed itself: it
// returned an error or panicked. It is template.ErrFailed.
var ErrFailed = template.ErrFailed

// ErrDeadline is matched by errors of calls that ran out of time. It also
// matches context.DeadlineExceeded.
var ErrDeadline error = deadlineError{}

type deadlineError struct{}

func (deadlineError) Error() string   { return "template plugin call deadline exceeded" }
func (deadlineError) Timeout() bool   { return true }
func (deadlineError) Temporary() bool { return true }

func (deadlineError) Is(target error) bool { return target == context.DeadlineExceeded }

// Handshake is the go-plugin handshake config without a version: versions
// go in VersionedPlugins.
func Handshake() goplugin.HandshakeConfig {
	return goplugin.HandshakeConfig{MagicCookieKey: MagicCookieKey, MagicCookieValue: MagicCookieValue}
}

// Plugin is the go-plugin GRPCPlugin of a template: Impl and ID (or
// IDFunc, called when a message needs the id) on the plugin side, nothing
// on the host side.
type Plugin struct {
	goplugin.NetRPCUnsupportedPlugin
	ID       string
	IDFunc   func() string
	Impl     template.Template
	PanicLog io.Writer
}

// GRPCServer registers the template service.
func (p *Plugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	id := p.IDFunc
	if id == nil {
		id = func() string { return p.ID }
	}
	templatev1.RegisterTemplateServiceServer(s, newServer(id, p.Impl, p.PanicLog))
	return nil
}

// GRPCClient returns a *Client on c.
func (p *Plugin) GRPCClient(_ context.Context, _ *goplugin.GRPCBroker, c *grpc.ClientConn) (any, error) {
	return NewClient(c), nil
}

// ServerOptions raise the message limits of a plugin's gRPC server.
func ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{grpc.MaxRecvMsgSize(MaxMessageBytes), grpc.MaxSendMsgSize(MaxMessageBytes)}
}

// DialOptions raise the message limits of a host's gRPC client.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithDefaultCallOptions(
		grpc.MaxCallRecvMsgSize(MaxMessageBytes), grpc.MaxCallSendMsgSize(MaxMessageBytes))}
}

// MapError turns a Client error into the error a caller sees: the method
// that failed, what went wrong and, for the caller's branching,
// ErrUnavailable, ErrDeadline or context.Canceled where they apply. Callers
// prefix the template or plugin it concerns.
func MapError(method string, err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			return fmt.Errorf("%s: %w", method, ErrDeadline)
		case errors.Is(err, context.Canceled):
			return fmt.Errorf("%s: %w", method, context.Canceled)
		}
		return fmt.Errorf("%s: %w", method, err)
	}
	switch st.Code() {
	case codes.DeadlineExceeded:
		return fmt.Errorf("%s: %w", method, ErrDeadline)
	case codes.Canceled:
		return fmt.Errorf("%s: %w", method, context.Canceled)
	case codes.Unavailable, codes.Unimplemented, codes.DataLoss,
		codes.Unauthenticated, codes.PermissionDenied, codes.Aborted:
		return fmt.Errorf("%s: %w: %s", method, ErrUnavailable, st.Message())
	}
	// The template's own error (UNKNOWN), a panic (INTERNAL), a request it
	// could not decode (INVALID_ARGUMENT) or a message over the size limit:
	// the same call fails the same way again.
	return fmt.Errorf("%s: %w: %s", method, ErrFailed, st.Message())
}
