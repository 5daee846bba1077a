// Package plugintest is the test kit for template authors: Serve runs a
// template over real gRPC inside a test, the way a host sees a plugin, and
// Conformance checks what every template must do, built-in or plugin.
//
//	func TestConformance(t *testing.T) {
//		plugintest.Conformance(t, plugintest.Serve(t, mytemplate.New()))
//	}
package plugintest

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/waooaw/waooaw-go/factory/plugin/internal/wire"
	templatev1 "github.com/waooaw/waooaw-go/factory/plugin/proto/waooaw/template/v1"
	"github.com/waooaw/waooaw-go/factory/template"
)

// Serve serves tmpl over gRPC in the test process and returns the client
// side: a template.Template whose every call goes through the plugin
// protocol (the proto, JSON encoding, message limits, panic recovery and
// error mapping of a real plugin), without a process or a socket. The
// server stops when the test ends.
//
// Errors of calls match plugin.ErrFailed (the template's own error or a
// panic), plugin.ErrUnavailable and plugin.ErrDeadline as they would from a
// host; a panic in tmpl fails the call and is logged. The host's checks of
// answers (template.CheckSpec and the others) are not applied here:
// Conformance applies them.
func Serve(tb testing.TB, tmpl template.Template) template.Template {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := tmpl.Describe(ctx)
	if err != nil {
		tb.Fatalf("plugintest: describe: %v", err)
	}

	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(wire.ServerOptions()...)
	templatev1.RegisterTemplateServiceServer(srv, wire.NewServer(d.TemplateID, tmpl, logWriter{tb}))
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(lis)
	}()
	conn, err := grpc.NewClient("passthrough:///plugintest",
		append(wire.DialOptions(),
			grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
			grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		srv.Stop()
		<-served
		tb.Fatalf("plugintest: dial: %v", err)
	}
	tb.Cleanup(func() {
		_ = conn.Close()
		srv.Stop()
		<-served
	})
	return wire.Mapped("template "+d.TemplateID, wire.NewClient(conn))
}

// logWriter sends panic stacks to the test log, until the test ends.
type logWriter struct{ tb testing.TB }

func (w logWriter) Write(b []byte) (int, error) {
	w.tb.Log(string(b))
	return len(b), nil
}
