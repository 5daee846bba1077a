package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"net/url"
	"strconv"
)

// ListOptions page through a list. The zero value asks for the first page
// of the server's default size (50).
type ListOptions struct {
	// PageSize is how many items a page holds: 0 for the default, 1-500.
	PageSize int
	// PageToken is the NextPageToken of the previous page; "" for the first.
	PageToken string
}

// Encode adds the paging parameters to q.
func (o ListOptions) Encode(q url.Values) {
	if o.PageSize != 0 {
		q.Set("page_size", strconv.Itoa(o.PageSize))
	}
	if o.PageToken != "" {
		q.Set("page_token", o.PageToken)
	}
}

// Page is one page of a list.
type Page[T any] struct {
	Items []T
	// NextPageToken fetches the next page; "" on the last page.
	NextPageToken string
	// Total counts the items matching the filters, over all pages.
	Total int
}

// GetPage fetches one page of the list at path, whose items sit under key
// in the answer ({"<key>": [...], "next_page_token": "...", "total": N}).
func GetPage[T any](ctx context.Context, c *Client, path, key string, query url.Values, opts ListOptions) (Page[T], error) {
	query = maps.Clone(query) // the caller's filters stay as they were
	if query == nil {
		query = url.Values{}
	}
	opts.Encode(query)
	var raw map[string]json.RawMessage
	if err := c.Do(ctx, "GET", path, query, nil, &raw); err != nil {
		return Page[T]{}, err
	}
	var p Page[T]
	if err := decodeField(raw, key, &p.Items); err != nil {
		return Page[T]{}, fmt.Errorf("platform: GET %s: %w", path, err)
	}
	if err := decodeField(raw, "next_page_token", &p.NextPageToken); err != nil {
		return Page[T]{}, fmt.Errorf("platform: GET %s: %w", path, err)
	}
	if err := decodeField(raw, "total", &p.Total); err != nil {
		return Page[T]{}, fmt.Errorf("platform: GET %s: %w", path, err)
	}
	return p, nil
}

func decodeField(raw map[string]json.RawMessage, key string, v any) error {
	b, ok := raw[key]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decoding %q: %w", key, err)
	}
	return nil
}

// All iterates over every item of a list, fetching a page at a time with
// fetch (given the page token, "" first) until a page has no next token.
// An error is yielded once, and ends the iteration.
func All[T any](ctx context.Context, fetch func(ctx context.Context, pageToken string) (Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		token := ""
		for {
			p, err := fetch(ctx, token)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range p.Items {
				if !yield(it, nil) {
					return
				}
			}
			if p.NextPageToken == "" || p.NextPageToken == token {
				return
			}
			token = p.NextPageToken
		}
	}
}
