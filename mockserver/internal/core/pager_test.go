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

// TestPaginateSeqCopiesOnlyThePage: the second pass stops at the page's
// end, and a token whose item is gone goes on from its position.
func TestPaginateSeqCopiesOnlyThePage(t *testing.T) {
	t.Parallel()
	key := func(s string) string { return s }
	items := []string{"a", "b", "c", "d", "e", "f"}
	yielded := 0
	seq := func(yield func(string) bool) {
		for _, it := range items {
			yielded++
			if !yield(it) {
				return
			}
		}
	}
	p1, err := PaginateSeq(url.Values{"page_size": {"2"}}, "r", seq, key)
	if err != nil || !slices.Equal(p1.Items, []string{"a", "b"}) || p1.Total != 6 {
		t.Fatalf("page 1: %+v %v", p1, err)
	}
	if yielded != 6+2 {
		t.Errorf("yielded %d items for a page of 2 of 6, want 8 (a count, then the page)", yielded)
	}
	gone := []string{"a", "c", "d", "e", "f"} // b, the token's item, was removed
	p2, err := PaginateKeyed(url.Values{"page_size": {"2"}, "page_token": {p1.Next}}, "r", gone, key)
	if err != nil || !slices.Equal(p2.Items, []string{"d", "e"}) {
		t.Errorf("page 2 after the token's item went: %+v %v, want d e (from its position)", p2, err)
	}
}
