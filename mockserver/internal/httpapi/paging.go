package httpapi

import (
	"net/url"

	"github.com/waooaw/waooaw-go/mockserver/internal/core"
)

// Page is one page of a list (core.Page).
type Page[T any] = core.Page[T]

// Paginate is core.Paginate, its refusals as the platform's 400.
func Paginate[T any](q url.Values, route string, items []T, filters ...string) (Page[T], *Error) {
	return PaginateKeyed(q, route, items, nil, filters...)
}

// PaginateKeyed is core.PaginateKeyed, its refusals as the platform's 400.
func PaginateKeyed[T any](q url.Values, route string, items []T, key func(T) string, filters ...string) (Page[T], *Error) {
	p, err := core.PaginateKeyed(q, route, items, key, filters...)
	if err != nil {
		return p, InvalidField(err.Field, err.Issue)
	}
	return p, nil
}

// ListBody is the wire shape of a list: the items under key, the next
// page's token and the total.
func ListBody[T any](key string, p Page[T]) map[string]any {
	items := p.Items
	if items == nil {
		items = []T{}
	}
	return map[string]any{key: items, "next_page_token": p.Next, "total": p.Total}
}
