package core

import (
	"net/url"
	"slices"
	"testing"
)

// TestPaginateKeyed: pages cut in order; a token bound to its filters; a
// list that grew at its head since the last page goes on after the last
// item seen, not by position.
func TestPaginateKeyed(t *testing.T) {
	t.Parallel()
	key := func(s string) string { return s }
	items := []string{"e", "d", "c", "b", "a"}
	p1, err := PaginateKeyed(url.Values{"page_size": {"2"}}, "r", items, key, "f")
	if err != nil || !slices.Equal(p1.Items, []string{"e", "d"}) || p1.Total != 5 || p1.Next == "" {
		t.Fatalf("page 1: %+v %v", p1, err)
	}
	grown := append([]string{"g", "f"}, items...)
	p2, err := PaginateKeyed(url.Values{"page_size": {"2"}, "page_token": {p1.Next}}, "r", grown, key, "f")
	if err != nil || !slices.Equal(p2.Items, []string{"c", "b"}) {
		t.Errorf("page 2 of the grown list: %+v %v, want c b", p2, err)
	}
	if _, err := PaginateKeyed(url.Values{"page_token": {p1.Next}}, "r", items, key, "other"); err == nil || err.Details[0].Field != "page_token" {
		t.Errorf("a token with other filters: %v", err)
	}
	if _, err := Paginate(url.Values{"page_size": {"501"}}, "r", items); err == nil || err.Details[0].Field != "page_size" {
		t.Errorf("page_size 501: %v", err)
	}
}
