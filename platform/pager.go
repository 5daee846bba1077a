package platform

import (
	"bytes"
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
	var p Page[T]
	env := envelope[T]{key: key, page: &p}
	if err := c.Do(ctx, "GET", path, query, nil, &env); err != nil {
		return Page[T]{}, err
	}
	return p, nil
}

// envelope decodes a list answer in one pass: the items under key, the
// next page's token and the total; other fields are skipped.
type envelope[T any] struct {
	key  string
	page *Page[T]
}

func (e *envelope[T]) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("decoding a list: want a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("decoding a list: %w", err)
		}
		var v any
		switch t {
		case e.key:
			v = &e.page.Items
		case "next_page_token":
			v = &e.page.NextPageToken
		case "total":
			v = &e.page.Total
		default:
			v = &json.RawMessage{}
		}
		if err := dec.Decode(v); err != nil {
			return fmt.Errorf("decoding %q: %w", t, err)
		}
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
