package servicing

import (
	"context"
	"iter"
	"net/url"
	"time"

	"github.com/waooaw/waooaw-go/platform"
)

// HistoryEntry is one upgrade or rollback in the servicing history.
type HistoryEntry struct {
	UpgradeID   string        `json:"upgrade_id"`
	AgentID     string        `json:"agent_id"`
	AgentName   string        `json:"agent_name"`
	Kind        Kind          `json:"kind"`
	FromVersion string        `json:"from_version"`
	ToVersion   string        `json:"to_version"`
	Strategy    Strategy      `json:"strategy"`
	Status      UpgradeStatus `json:"status"`
	StartedAt   time.Time     `json:"started_at"`
	// CompletedAt is nil until the upgrade has ended.
	CompletedAt *time.Time `json:"completed_at"`
	// DurationMS is how long it took, once it has ended.
	DurationMS *int64 `json:"duration_ms,omitempty"`
	// PerformedBy is the email of who asked for it.
	PerformedBy string `json:"performed_by"`
}

// HistoryOptions filter and page the history. Empty filters match all.
type HistoryOptions struct {
	AgentID string
	Status  UpgradeStatus
	platform.ListOptions
}

func (o HistoryOptions) query() url.Values {
	q := url.Values{}
	if o.AgentID != "" {
		q.Set("agent_id", o.AgentID)
	}
	if o.Status != "" {
		q.Set("status", string(o.Status))
	}
	return q
}

// HistoryPage fetches one page of the servicing history, newest first, for
// callers who keep the page token themselves. An unknown status gives
// platform.ErrInvalidArgument.
func (c *Client) HistoryPage(ctx context.Context, opts HistoryOptions) (platform.Page[HistoryEntry], error) {
	if err := c.ok(); err != nil {
		return platform.Page[HistoryEntry]{}, err
	}
	return platform.GetPage[HistoryEntry](ctx, c.pc, historyPath, historyKey, opts.query(), opts.ListOptions)
}

// History iterates over the servicing history matching opts, newest first,
// fetching pages as needed, from opts.PageToken's page (the first when
// empty). An error is yielded once and ends the iteration.
func (c *Client) History(ctx context.Context, opts HistoryOptions) iter.Seq2[HistoryEntry, error] {
	return platform.All(ctx, func(ctx context.Context, token string) (platform.Page[HistoryEntry], error) {
		o := opts
		if token != "" {
			o.PageToken = token
		}
		return c.HistoryPage(ctx, o)
	})
}
