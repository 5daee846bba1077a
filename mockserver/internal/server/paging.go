package server

import (
	"net/url"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
)

// page is one page of a list (core.Page).
type page[T any] = core.Page[T]

// paginate is core.Paginate, its refusals as the platform's 400.
func paginate[T any](q url.Values, route string, items []T, filters ...string) (page[T], *apiError) {
	return paginateKeyed(q, route, items, nil, filters...)
}

// paginateKeyed is core.PaginateKeyed, its refusals as the platform's 400.
func paginateKeyed[T any](q url.Values, route string, items []T, key func(T) string, filters ...string) (page[T], *apiError) {
	p, err := core.PaginateKeyed(q, route, items, key, filters...)
	if err != nil {
		return p, invalidField(err.Field, err.Issue)
	}
	return p, nil
}

// listBody is the wire shape of a list: the items under key, the next
// page's token and the total.
func listBody[T any](key string, p page[T]) map[string]any {
	items := p.Items
	if items == nil {
		items = []T{}
	}
	return map[string]any{key: items, "next_page_token": p.Next, "total": p.Total}
}
