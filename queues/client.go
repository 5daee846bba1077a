package queues

import (
	"errors"
	"fmt"

	"github.com/waooaw/waooaw-go/platform"
)

// Client calls the queue routes of the platform API. Build it with New; it
// is safe for concurrent use.
type Client struct {
	pc *platform.Client
}

// New returns a queues client that sends its requests through pc (its base
// URL, credentials, retries and timeouts). With a nil pc every call returns
// an error saying so.
func New(pc *platform.Client) *Client {
	return &Client{pc: pc}
}

// errNoClient is returned by every call of a Client without a platform
// client (a nil *Client, a zero Client, or New(nil)), instead of a nil
// pointer panic.
var errNoClient = errors.New("queues: no platform client: build the client with queues.New(pc) and a non-nil pc")

// ok is errNoClient when c cannot send requests.
func (c *Client) ok() error {
	if c == nil || c.pc == nil {
		return errNoClient
	}
	return nil
}

// path builds an escaped path from pattern and ids, wrapping a refused id
// (empty, "." or "..") with what the caller was doing.
func path(op, pattern string, ids ...string) (string, error) {
	p, err := platform.Path(pattern, ids...)
	if err != nil {
		return "", fmt.Errorf("queues: %s: %w", op, err)
	}
	return p, nil
}
