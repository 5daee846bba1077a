package queues

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// Message is a dead letter: a message its queue's consumers gave up on.
type Message struct {
	MessageID string `json:"message_id"`
	QueueName string `json:"queue_name"`
	// Payload is the message's body, a JSON object; decode it into your own
	// type with json.Unmarshal.
	Payload json.RawMessage `json:"payload"`
	// Error is why the last delivery failed, as the consumer reported it.
	Error string `json:"error"`
	// RetryCount counts the deliveries retried so far; Retry adds one.
	RetryCount int `json:"retry_count"`
	// Timestamp is when the message was dead-lettered (last).
	Timestamp time.Time `json:"timestamp"`
}

// Filter selects dead letters, for DLQ and for the bulk RetryAll and
// Purge. The zero Filter selects every dead letter of the queue.
type Filter struct {
	// ErrorContains keeps the messages whose error contains it,
	// case-insensitively (at most 1024 bytes).
	ErrorContains string `json:"error_contains,omitempty"`
	// OlderThanSeconds keeps the messages dead-lettered at least this many
	// seconds ago (by the platform's clock). 0 keeps all; negative is
	// refused.
	OlderThanSeconds int64 `json:"older_than_seconds,omitempty"`
}

func (f Filter) check() error {
	if f.OlderThanSeconds < 0 {
		return fmt.Errorf("older_than_seconds is %d: use 0 for no age limit or a positive number of seconds: %w",
			f.OlderThanSeconds, platform.ErrInvalidArgument)
	}
	return nil
}

// DLQOptions filter and page a dead-letter queue.
type DLQOptions struct {
	Filter
	platform.ListOptions
}

func (o DLQOptions) query() url.Values {
	q := url.Values{}
	if o.ErrorContains != "" {
		q.Set("error_contains", o.ErrorContains)
	}
	if o.OlderThanSeconds != 0 {
		q.Set("older_than_seconds", strconv.FormatInt(o.OlderThanSeconds, 10))
	}
	return q
}

// DLQPage fetches one page of the dead letters of queue, oldest first;
// pass the page's NextPageToken in opts.PageToken for the next one. Pages
// do not skip messages that are retried or deleted between two pages.
func (c *Client) DLQPage(ctx context.Context, queue string, opts DLQOptions) (platform.Page[Message], error) {
	if err := c.ok(); err != nil {
		return platform.Page[Message]{}, err
	}
	if err := opts.check(); err != nil {
		return platform.Page[Message]{}, fmt.Errorf("queues: dlq %s: %w", queue, err)
	}
	p, err := path("dlq", "/api/platform/queues/{}/dlq", queue)
	if err != nil {
		return platform.Page[Message]{}, err
	}
	page, err := platform.GetPage[Message](ctx, c.pc, p, "messages", opts.query(), opts.ListOptions)
	if err != nil {
		return page, fmt.Errorf("queues: dlq %s: %w", queue, err)
	}
	return page, nil
}

// DLQ iterates over the dead letters of queue matching opts, oldest first,
// fetching pages as needed, from opts.PageToken's page (the first when
// empty). It is safe to Retry or Delete the messages while iterating: no
// message is skipped. An error ends the iteration.
func (c *Client) DLQ(ctx context.Context, queue string, opts DLQOptions) iter.Seq2[Message, error] {
	return platform.All(ctx, func(ctx context.Context, token string) (platform.Page[Message], error) {
		o := opts
		if token != "" {
			o.PageToken = token
		}
		return c.DLQPage(ctx, queue, o)
	})
}

// Retry moves a dead letter back onto its queue, with its RetryCount one
// higher; the consumers then process it like any other message, and one
// that fails again returns to the DLQ (with a new Timestamp). It returns
// the message as it was put back. A message that is not in the queue's DLQ
// (any more) is platform.ErrNotFound. Needs the operator role.
func (c *Client) Retry(ctx context.Context, queue, messageID string) (*Message, error) {
	if err := c.ok(); err != nil {
		return nil, err
	}
	p, err := path("retry", "/api/platform/queues/{}/dlq/{}/retry", queue, messageID)
	if err != nil {
		return nil, err
	}
	var m Message
	if err := c.pc.Do(ctx, "POST", p, nil, nil, &m); err != nil {
		return nil, fmt.Errorf("queues: retry %s in %s: %w", messageID, queue, err)
	}
	return &m, nil
}

// Delete removes a dead letter for good; it counts as deleted in the
// queue's MessagesDeleted. A message that is not in the queue's DLQ (any
// more) is platform.ErrNotFound. Needs the operator role.
func (c *Client) Delete(ctx context.Context, queue, messageID string) error {
	if err := c.ok(); err != nil {
		return err
	}
	p, err := path("delete", "/api/platform/queues/{}/dlq/{}", queue, messageID)
	if err != nil {
		return err
	}
	if err := c.pc.Do(ctx, "DELETE", p, nil, nil, nil); err != nil {
		return fmt.Errorf("queues: delete %s in %s: %w", messageID, queue, err)
	}
	return nil
}

// RetryAllResult is what RetryAll did.
type RetryAllResult struct {
	// Matched counts the dead letters that matched the filter.
	Matched int `json:"matched"`
	// Retried counts those put back on the queue. It is lower than Matched
	// when others retried or deleted some of them while the call ran.
	Retried int `json:"retried"`
}

// PurgeResult is what Purge did.
type PurgeResult struct {
	// Matched counts the dead letters that matched the filter.
	Matched int `json:"matched"`
	// Deleted counts those deleted. It is lower than Matched when others
	// retried or deleted some of them while the call ran.
	Deleted int `json:"deleted"`
}

// RetryAll retries every dead letter of queue that matches f (all of them
// for the zero Filter), each exactly as Retry would. Each message is
// retried atomically, so RetryAll can run alongside other callers. Needs
// the operator role.
func (c *Client) RetryAll(ctx context.Context, queue string, f Filter) (*RetryAllResult, error) {
	var res RetryAllResult
	if err := c.bulk(ctx, "retry", queue, f, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

// Purge deletes every dead letter of queue that matches f. The zero Filter
// deletes the whole DLQ: set ErrorContains or OlderThanSeconds to keep some.
// Each message is deleted atomically. Needs the operator role.
func (c *Client) Purge(ctx context.Context, queue string, f Filter) (*PurgeResult, error) {
	var res PurgeResult
	if err := c.bulk(ctx, "purge", queue, f, &res); err != nil {
		return nil, err
	}
	return &res, nil
}

func (c *Client) bulk(ctx context.Context, action, queue string, f Filter, out any) error {
	if err := c.ok(); err != nil {
		return err
	}
	if err := f.check(); err != nil {
		return fmt.Errorf("queues: %s %s: %w", action, queue, err)
	}
	p, err := path(action, "/api/platform/queues/{}/dlq/"+action, queue)
	if err != nil {
		return err
	}
	if err := c.pc.Do(ctx, "POST", p, nil, f, out); err != nil {
		return fmt.Errorf("queues: %s %s: %w", action, queue, err)
	}
	return nil
}
