package workflows

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"

	"github.com/waooaw/waooaw-go/platform"
)

// Client is the orchestration workflows API: list and read workflows, pause,
// resume or cancel them, retry a failed task, and follow a workflow while it
// runs. Build one with New; it is safe for concurrent use.
type Client struct {
	pc *platform.Client
}

// New returns a workflows client that sends its calls through pc (its base
// URL, token, retries and clock).
func New(pc *platform.Client) *Client { return &Client{pc: pc} }

// errNoClient is returned by every call of a Client without a platform
// client, instead of a nil pointer panic.
var errNoClient = errors.New("workflows: no platform client: build the client with workflows.New(pc) and a non-nil pc")

// ListOptions filter and page the workflow list. Empty filters match all.
type ListOptions struct {
	// Status keeps the workflows in this status. A status the server does
	// not know is refused with platform.ErrInvalidArgument.
	Status Status
	// CustomerID keeps the workflows run for this customer, e.g. "cust-001".
	CustomerID string
	platform.ListOptions
}

func (o ListOptions) query() url.Values {
	q := url.Values{}
	if o.Status != "" {
		q.Set("status", string(o.Status))
	}
	if o.CustomerID != "" {
		q.Set("customer_id", o.CustomerID)
	}
	return q
}

const (
	listPath     = "/api/platform/orchestration/workflows"
	workflowPath = listPath + "/{}"
)

// ListPage fetches one page of workflows, for callers who keep the page
// token themselves (pass Page.NextPageToken as opts.PageToken, with the same
// filters, to get the next page).
func (c *Client) ListPage(ctx context.Context, opts ListOptions) (platform.Page[Workflow], error) {
	if c == nil || c.pc == nil {
		return platform.Page[Workflow]{}, errNoClient
	}
	return platform.GetPage[Workflow](ctx, c.pc, listPath, "workflows", opts.query(), opts.ListOptions)
}

// List iterates over every workflow matching opts, in the platform's order,
// fetching pages as needed (opts.PageToken, if set, is where it starts). An
// error is yielded once and ends the iteration.
func (c *Client) List(ctx context.Context, opts ListOptions) iter.Seq2[Workflow, error] {
	return platform.All(ctx, func(ctx context.Context, token string) (platform.Page[Workflow], error) {
		o := opts
		if token != "" {
			o.PageToken = token
		}
		return c.ListPage(ctx, o)
	})
}

// Get fetches one workflow with its tasks. An unknown id gives an error
// matching platform.ErrNotFound.
func (c *Client) Get(ctx context.Context, id string) (*Workflow, error) {
	return c.do(ctx, "GET", workflowPath, id)
}

// Pause pauses a running workflow: no task starts, advances or completes
// until Resume, and paused time does not count towards any task. Pausing a
// workflow that is not running is a conflict (platform.ErrConflict, the
// message names its status). Needs the operator role.
func (c *Client) Pause(ctx context.Context, id string) (*Workflow, error) {
	return c.do(ctx, "POST", workflowPath+"/pause", id)
}

// Resume lets a paused workflow run on from where it stopped. Resuming a
// workflow that is not paused is a conflict (platform.ErrConflict). Needs
// the operator role.
func (c *Client) Resume(ctx context.Context, id string) (*Workflow, error) {
	return c.do(ctx, "POST", workflowPath+"/resume", id)
}

// Cancel stops a pending, running or paused workflow for good: it becomes
// cancelled and so do its unfinished tasks. Cancelling a completed, failed or
// cancelled workflow is a conflict (platform.ErrConflict). Needs the operator
// role.
func (c *Client) Cancel(ctx context.Context, id string) (*Workflow, error) {
	return c.do(ctx, "POST", workflowPath+"/cancel", id)
}

// RetryTask runs a failed task of a failed workflow again and returns the
// workflow: it is running again, the task's retry count has grown by one,
// and the tasks that depend on it follow once it completes. Retrying a task
// that has not failed, or a task of a workflow that has not failed, is a
// conflict (platform.ErrConflict); an unknown workflow or task is
// platform.ErrNotFound. Needs the operator role.
func (c *Client) RetryTask(ctx context.Context, workflowID, taskID string) (*Workflow, error) {
	return c.do(ctx, "POST", workflowPath+"/tasks/{}/retry", workflowID, taskID)
}

func (c *Client) do(ctx context.Context, method, pattern string, ids ...string) (*Workflow, error) {
	if c == nil || c.pc == nil {
		return nil, errNoClient
	}
	p, err := platform.Path(pattern, ids...)
	if err != nil {
		return nil, fmt.Errorf("workflows: %w", err)
	}
	var w Workflow
	if err := c.pc.Do(ctx, method, p, nil, nil, &w); err != nil {
		return nil, err
	}
	return &w, nil
}
