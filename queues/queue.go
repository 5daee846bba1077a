package queues

import (
	"context"
	"fmt"
	"iter"
	"net/url"

	"github.com/waooaw/waooaw-go/platform"
)

// Status is a queue's health. The platform derives it from the queue's
// figures each time it is read, never stores it: a queue is
//
//   - critical when consumer_lag ≥ 500 messages, or error_rate ≥ 0.02,
//     or dlq_messages ≥ 100;
//   - else degraded when consumer_lag ≥ 100, or error_rate ≥ 0.005,
//     or dlq_messages ≥ 20;
//   - else healthy.
//
// So a queue recovers by itself when its consumers catch up, and a
// degraded queue whose only problem is its DLQ recovers once the dead
// letters are retried or deleted. The thresholds are documented with the
// API (api/openapi.yaml); compare against the status the server sends
// rather than recomputing it.
type Status string

// Queue statuses. Unknown values from newer servers decode as they are.
const (
	StatusHealthy  Status = "healthy"
	StatusDegraded Status = "degraded"
	StatusCritical Status = "critical"
)

// Queue is one message queue and its figures, as the dashboard shows it.
type Queue struct {
	QueueName string `json:"queue_name"`
	Status    Status `json:"status"`
	// MessagesPending counts the messages on the queue not yet processed,
	// those consumers hold in flight included.
	MessagesPending int `json:"messages_pending"`
	// ThroughputPerSec is how many messages the consumers finish per second.
	ThroughputPerSec float64 `json:"throughput_per_sec"`
	// ConsumerLag counts the messages the consumers are behind: pending
	// messages beyond those they hold in flight. 0 when they keep up.
	ConsumerLag int `json:"consumer_lag"`
	// ErrorRate is the fraction (0-1) of recent deliveries that failed.
	ErrorRate float64 `json:"error_rate"`
	// DLQMessages counts the messages in the queue's dead-letter queue.
	DLQMessages int `json:"dlq_messages"`
	// OldestMessageAgeSec is the age in seconds of the oldest pending
	// message; 0 when none is pending.
	OldestMessageAgeSec int64 `json:"oldest_message_age_sec"`
}

// QueueDetail is a queue with the counters that account for every message
// it ever accepted: at any moment
//
//	MessagesAccepted = MessagesPending + DLQMessages + MessagesProcessed + MessagesDeleted
type QueueDetail struct {
	Queue
	// MessagesAccepted counts every message ever put on the queue.
	// Retrying a dead letter does not count it again.
	MessagesAccepted int64 `json:"messages_accepted"`
	// MessagesProcessed counts the messages consumers finished.
	MessagesProcessed int64 `json:"messages_processed"`
	// MessagesDeleted counts the dead letters deleted or purged.
	MessagesDeleted int64 `json:"messages_deleted"`
}

// ListOptions filter and page the queue list. Empty filters match all.
type ListOptions struct {
	// Status keeps the queues with this status.
	Status Status
	// Q keeps the queues whose name contains it, case-insensitively.
	Q string
	platform.ListOptions
}

func (o ListOptions) query() url.Values {
	q := url.Values{}
	if o.Status != "" {
		q.Set("status", string(o.Status))
	}
	if o.Q != "" {
		q.Set("q", o.Q)
	}
	return q
}

// ListPage fetches one page of queues; pass the page's NextPageToken in
// opts.PageToken for the next one.
func (c *Client) ListPage(ctx context.Context, opts ListOptions) (platform.Page[Queue], error) {
	if err := c.ok(); err != nil {
		return platform.Page[Queue]{}, err
	}
	p, err := platform.GetPage[Queue](ctx, c.pc, "/api/platform/queues", "queues", opts.query(), opts.ListOptions)
	if err != nil {
		return p, fmt.Errorf("queues: list: %w", err)
	}
	return p, nil
}

// List iterates over every queue matching opts, fetching pages as needed,
// from opts.PageToken's page (the first when empty). An error ends the
// iteration.
func (c *Client) List(ctx context.Context, opts ListOptions) iter.Seq2[Queue, error] {
	return platform.All(ctx, func(ctx context.Context, token string) (platform.Page[Queue], error) {
		o := opts
		if token != "" {
			o.PageToken = token
		}
		return c.ListPage(ctx, o)
	})
}

// Get fetches one queue with its message counters. An unknown queue is
// platform.ErrNotFound.
func (c *Client) Get(ctx context.Context, name string) (*QueueDetail, error) {
	if err := c.ok(); err != nil {
		return nil, err
	}
	p, err := path("get", "/api/platform/queues/{}", name)
	if err != nil {
		return nil, err
	}
	var q QueueDetail
	if err := c.pc.Do(ctx, "GET", p, nil, nil, &q); err != nil {
		return nil, fmt.Errorf("queues: get %s: %w", name, err)
	}
	return &q, nil
}
