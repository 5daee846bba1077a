package helpdesk

import (
	"context"
	"fmt"
	"iter"
	"net/url"

	"github.com/waooaw/waooaw-go/platform"
)

// PlaybookSummary is a playbook as the playbook list shows it.
type PlaybookSummary struct {
	// PlaybookID is e.g. "pb-agent-error".
	PlaybookID string   `json:"playbook_id"`
	Title      string   `json:"title"`
	Category   Category `json:"category"`
	Summary    string   `json:"summary"`
}

// Playbook is a knowledge article: how to recognise a known problem and
// fix it, step by step.
type Playbook struct {
	PlaybookID string   `json:"playbook_id"`
	Title      string   `json:"title"`
	Category   Category `json:"category"`
	Summary    string   `json:"summary"`
	// Symptoms are what the customer or the console shows.
	Symptoms []string `json:"symptoms"`
	// Steps are in order (Step.Order 1, 2, …).
	Steps []Step `json:"steps"`
	// RelatedActions are the quick actions the steps use.
	RelatedActions []Action `json:"related_actions"`
}

// Step is one step of a playbook.
type Step struct {
	Order  int    `json:"order"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	// Action is the quick action this step runs; "" for a step done by
	// hand.
	Action Action `json:"action,omitempty"`
}

// PlaybookOptions filter and page the playbook list.
type PlaybookOptions struct {
	// Q matches titles, summaries, categories and symptoms,
	// case-insensitively ("timeout", "dead letter"). Empty matches all.
	Q string
	platform.ListOptions
}

func (o PlaybookOptions) query() url.Values {
	q := url.Values{}
	if o.Q != "" {
		q.Set("q", o.Q)
	}
	return q
}

// PlaybooksPage fetches one page of the playbooks matching opts, for
// callers who keep the page token themselves.
func (c *Client) PlaybooksPage(ctx context.Context, opts PlaybookOptions) (platform.Page[PlaybookSummary], error) {
	p, err := page[PlaybookSummary](ctx, c, playbooksPath, "playbooks", opts.query(), opts.ListOptions)
	if err != nil {
		return p, fmt.Errorf("helpdesk: playbooks %q: %w", opts.Q, err)
	}
	return p, nil
}

// Playbooks iterates over the playbooks matching opts, fetching pages as
// needed (from opts.PageToken's page, the first when empty). An error is
// yielded once and ends the iteration.
func (c *Client) Playbooks(ctx context.Context, opts PlaybookOptions) iter.Seq2[PlaybookSummary, error] {
	return all(ctx, opts.PageToken, func(ctx context.Context, token string) (platform.Page[PlaybookSummary], error) {
		o := opts
		o.PageToken = token
		return c.PlaybooksPage(ctx, o)
	})
}

// Playbook fetches one playbook with its symptoms and steps. An unknown id
// gives an error matching platform.ErrNotFound.
func (c *Client) Playbook(ctx context.Context, id string) (*Playbook, error) {
	var p Playbook
	if err := c.call(ctx, "GET", playbookPath, nil, &p, id); err != nil {
		return nil, fmt.Errorf("helpdesk: playbook %s: %w", id, err)
	}
	return &p, nil
}
