package queues

import (
	"fmt"

	"github.com/waooaw/waooaw-go/platform"
)

// Client calls the queue routes of the platform API. Build it with New; it
// is safe for concurrent use.
type Client struct {
	pc *platform.Client
}

// New returns a queues client that sends its requests through pc (its base
// URL, credentials, retries and timeouts).
func New(pc *platform.Client) *Client {
	return &Client{pc: pc}
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
