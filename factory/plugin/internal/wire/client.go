package wire

import (
	"context"
	"encoding/json"
	"fmt"

	"google.golang.org/grpc"

	templatev1 "github.com/waooaw/waooaw-go/factory/plugin/proto/waooaw/template/v1"
	"github.com/waooaw/waooaw-go/factory/template"
)

// Client is the host half: a template.Template over a TemplateService
// connection. Its errors are the raw gRPC errors (or decoding errors); pass
// them through MapError before handing them to a caller.
type Client struct {
	rpc templatev1.TemplateServiceClient
}

// NewClient returns a Client on cc.
func NewClient(cc grpc.ClientConnInterface) *Client {
	return &Client{rpc: templatev1.NewTemplateServiceClient(cc)}
}

// Describe calls TemplateService.Describe.
func (c *Client) Describe(ctx context.Context) (template.Description, error) {
	resp, err := c.rpc.Describe(ctx, &templatev1.DescribeRequest{})
	if err != nil {
		return template.Description{}, err
	}
	var d template.Description
	if err := json.Unmarshal(resp.GetDescriptionJson(), &d); err != nil {
		return template.Description{}, fmt.Errorf("decode description: %w", err)
	}
	return d, nil
}

// Validate calls TemplateService.Validate.
func (c *Client) Validate(ctx context.Context, config json.RawMessage) ([]template.Issue, error) {
	resp, err := c.rpc.Validate(ctx, &templatev1.ValidateRequest{ConfigJson: config})
	if err != nil {
		return nil, err
	}
	if len(resp.GetIssues()) == 0 {
		return nil, nil
	}
	out := make([]template.Issue, len(resp.GetIssues()))
	for i, is := range resp.GetIssues() {
		out[i] = template.Issue{Field: is.GetField(), Issue: is.GetIssue()}
	}
	return out, nil
}

// Render calls TemplateService.Render.
func (c *Client) Render(ctx context.Context, req template.RenderRequest) (template.Spec, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return template.Spec{}, fmt.Errorf("encode render request: %w", err)
	}
	resp, err := c.rpc.Render(ctx, &templatev1.RenderRequest{RequestJson: b})
	if err != nil {
		return template.Spec{}, err
	}
	var spec template.Spec
	if err := json.Unmarshal(resp.GetSpecJson(), &spec); err != nil {
		return template.Spec{}, fmt.Errorf("decode spec: %w", err)
	}
	return spec, nil
}

// Mapped is a template.Template over a Client whose errors went through
// MapError, prefixed with who ("template tmpl-x").
func Mapped(who string, c *Client) template.Template {
	return mapped{who: who, c: c}
}

type mapped struct {
	who string
	c   *Client
}

func (m mapped) err(method string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", m.who, MapError(method, err))
}

func (m mapped) Describe(ctx context.Context) (template.Description, error) {
	d, err := m.c.Describe(ctx)
	return d, m.err("describe", err)
}

func (m mapped) Validate(ctx context.Context, config json.RawMessage) ([]template.Issue, error) {
	issues, err := m.c.Validate(ctx, config)
	return issues, m.err("validate", err)
}

func (m mapped) Render(ctx context.Context, req template.RenderRequest) (template.Spec, error) {
	spec, err := m.c.Render(ctx, req)
	return spec, m.err("render", err)
}
