package wire

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	templatev1 "github.com/waooaw/waooaw-go/factory/plugin/proto/waooaw/template/v1"
	"github.com/waooaw/waooaw-go/factory/template"
)

// server is the plugin half: TemplateService over a template.Template.
type server struct {
	templatev1.UnimplementedTemplateServiceServer
	id       func() string
	t        template.Template
	panicLog io.Writer
}

// NewServer serves t, whose template id is id, as a TemplateService. A
// handler that panics answers INTERNAL with a message naming the template
// and writes the stack to panicLog (nil: nowhere); in a plugin process that
// is stderr, which the host captures.
func NewServer(id string, t template.Template, panicLog io.Writer) templatev1.TemplateServiceServer {
	return newServer(func() string { return id }, t, panicLog)
}

// newServer is NewServer with the id found when a message needs it.
func newServer(id func() string, t template.Template, panicLog io.Writer) templatev1.TemplateServiceServer {
	return &server{id: id, t: t, panicLog: panicLog}
}

func (s *server) recover(method string, err *error) {
	r := recover()
	if r == nil {
		return
	}
	if s.panicLog != nil {
		fmt.Fprintf(s.panicLog, "template %s panicked in %s: %v\n%s", s.id(), method, r, debug.Stack())
	}
	*err = status.Errorf(codes.Internal, "template %s panicked in %s: %v", s.id(), method, r)
}

// Describe implements TemplateService.
func (s *server) Describe(ctx context.Context, _ *templatev1.DescribeRequest) (resp *templatev1.DescribeResponse, err error) {
	defer s.recover("Describe", &err)
	d, err := s.t.Describe(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, status.Errorf(codes.Unknown, "template %s: encode description: %v", s.id(), err)
	}
	return &templatev1.DescribeResponse{DescriptionJson: b}, nil
}

// Validate implements TemplateService.
func (s *server) Validate(ctx context.Context, req *templatev1.ValidateRequest) (resp *templatev1.ValidateResponse, err error) {
	defer s.recover("Validate", &err)
	issues, err := s.t.Validate(ctx, json.RawMessage(req.GetConfigJson()))
	if err != nil {
		return nil, toStatus(err)
	}
	out := make([]*templatev1.Issue, len(issues))
	for i, is := range issues {
		out[i] = &templatev1.Issue{Field: is.Field, Issue: is.Issue}
	}
	return &templatev1.ValidateResponse{Issues: out}, nil
}

// Render implements TemplateService.
func (s *server) Render(ctx context.Context, req *templatev1.RenderRequest) (resp *templatev1.RenderResponse, err error) {
	defer s.recover("Render", &err)
	var r template.RenderRequest
	if err := json.Unmarshal(req.GetRequestJson(), &r); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "template %s: decode render request: %v", s.id(), err)
	}
	spec, err := s.t.Render(ctx, r)
	if err != nil {
		return nil, toStatus(err)
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, status.Errorf(codes.Unknown, "template %s: encode spec: %v", s.id(), err)
	}
	return &templatev1.RenderResponse{SpecJson: b}, nil
}

// toStatus carries a template's error to the host: context errors keep
// their meaning, anything else is UNKNOWN with the error's text.
func toStatus(err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	}
	return status.Error(codes.Unknown, err.Error())
}
