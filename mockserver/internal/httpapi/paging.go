package httpapi

import (
	"github.com/waooaw/waooaw-go/mockserver/internal/core"
)

// ListBody is the wire shape of a list: the items under key, the next
// page's token and the total.
func ListBody[T any](key string, p core.Page[T]) map[string]any {
	items := p.Items
	if items == nil {
		items = []T{}
	}
	return map[string]any{key: items, "next_page_token": p.Next, "total": p.Total}
}
