package helpdesk

import (
	"context"
	"errors"
	"iter"
	"net/url"

	"github.com/waooaw/waooaw-go/platform"
)

// Paths of the help-desk routes.
const (
	basePath      = "/api/platform/helpdesk"
	searchPath    = basePath + "/customers/search"
	overviewPath  = basePath + "/customers/{}/overview"
	diagnosePath  = basePath + "/customers/{}/diagnose"
	actionsPath   = basePath + "/actions/"
	incidentsPath = basePath + "/incidents"
	playbooksPath = basePath + "/playbooks"
	playbookPath  = playbooksPath + "/{}"
)

// Client is the help-desk API. Build one with New; it is safe for
// concurrent use.
type Client struct {
	pc *platform.Client
}

// New returns a help-desk client that sends its calls through pc (its base
// URL, token, retries and clock).
func New(pc *platform.Client) *Client { return &Client{pc: pc} }

// errNoClient is returned by every call of a Client without a platform
// client, instead of a nil pointer panic.
var errNoClient = errors.New("helpdesk: no platform client: build the client with helpdesk.New(pc) and a non-nil pc")

func (c *Client) ok() error {
	if c == nil || c.pc == nil {
		return errNoClient
	}
	return nil
}

// call sends one request to pattern with its ids.
func (c *Client) call(ctx context.Context, method, pattern string, in, out any, ids ...string) error {
	if err := c.ok(); err != nil {
		return err
	}
	p, err := platform.Path(pattern, ids...)
	if err != nil {
		return err
	}
	return c.pc.Do(ctx, method, p, nil, in, out)
}

// page fetches one page of the list at path.
func page[T any](ctx context.Context, c *Client, path, key string, q url.Values, opts platform.ListOptions) (platform.Page[T], error) {
	if err := c.ok(); err != nil {
		return platform.Page[T]{}, err
	}
	return platform.GetPage[T](ctx, c.pc, path, key, q, opts)
}

// all iterates over a list from start's page, fetching pages with fetch.
func all[T any](ctx context.Context, start string, fetch func(ctx context.Context, token string) (platform.Page[T], error)) iter.Seq2[T, error] {
	return platform.All(ctx, func(ctx context.Context, token string) (platform.Page[T], error) {
		if token == "" {
			token = start
		}
		return fetch(ctx, token)
	})
}
