package core

import (
	"encoding/base64"
	"encoding/binary"
	"hash/fnv"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Page is one page of a list: its items, the token of the next page ("" on
// the last) and the count of items matching the filters.
type Page[T any] struct {
	Items []T
	Next  string
	Total int
}

// Paginate cuts items (already filtered and ordered) into the page that the
// request's page_size and page_token ask for. Tokens are opaque and bound to
// the route and the filters: a token used with other filters is refused.
// Pages are by position; PaginateKeyed is the pager for lists that change
// while a client pages through them.
func Paginate[T any](q url.Values, route string, items []T, filters ...string) (Page[T], *Error) {
	return PaginateKeyed(q, route, items, nil, filters...)
}

// PaginateKeyed is Paginate for a list whose items have a unique key: a
// page token also names the last item of its page, and the next page
// starts after that item wherever it is now. So items added before it
// (a new log line, newest first) or removed before it do not make the
// next page repeat or skip items; only when that very item is gone does
// the page start where it was.
func PaginateKeyed[T any](q url.Values, route string, items []T, key func(T) string, filters ...string) (Page[T], *Error) {
	return PaginateSeq(q, route, slices.Values(items), key, filters...)
}

// PaginateSeq is PaginateKeyed over the items seq yields (already filtered
// and ordered; it is ranged over twice): only the page is copied, so a
// list is paged without a copy of the whole store.
func PaginateSeq[T any](q url.Values, route string, seq iter.Seq[T], key func(T) string, filters ...string) (Page[T], *Error) {
	r, e := readPageToken(q, route, key != nil, filters)
	if e != nil {
		return Page[T]{}, e
	}
	// First pass: the count, and where the page starts. The token's item
	// still just before its offset: the page starts there; else, the list
	// moved under the client: the page starts after wherever its last item
	// went (or at the offset when it is gone).
	total, found := 0, -1
	stays := r.last == 0
	for it := range seq {
		total++
		if r.last != 0 && (total == r.offset || found < 0) && keyHash(key(it)) == r.last {
			if total == r.offset {
				stays = true
			} else if found < 0 {
				found = total
			}
		}
	}
	offset := r.offset
	if !stays && found >= 0 {
		offset = found
	}
	p := Page[T]{Total: total}
	if offset >= total {
		p.Items = []T{}
		return p, nil
	}
	end := min(offset+r.size, total)
	p.Items = make([]T, 0, end-offset)
	i := 0
	for it := range seq {
		if i >= offset && i < end {
			p.Items = append(p.Items, it)
		}
		if i++; i >= end {
			break
		}
	}
	if end < total && len(p.Items) > 0 { // (a seq that yields less the second time ends the list)
		p.Next = nextToken(r, end, p.Items[len(p.Items)-1], key)
	}
	return p, nil
}

// PaginateAt is PaginateKeyed over a list of n items read by position (at):
// an index. It reads only the page (and, when the list moved under the
// client since its token, the items up to the token's last one).
func PaginateAt[T any](q url.Values, route string, n int, at func(i int) T, key func(T) string, filters ...string) (Page[T], *Error) {
	r, e := readPageToken(q, route, key != nil, filters)
	if e != nil {
		return Page[T]{}, e
	}
	offset := r.offset
	if r.last != 0 && !(offset >= 1 && offset <= n && keyHash(key(at(offset-1))) == r.last) {
		for i := range n { // moved: start after wherever the last item went
			if keyHash(key(at(i))) == r.last {
				offset = i + 1
				break
			}
		}
	}
	p := Page[T]{Total: n, Items: []T{}}
	if offset >= n {
		return p, nil
	}
	end := min(offset+r.size, n)
	p.Items = make([]T, 0, end-offset)
	for i := offset; i < end; i++ {
		p.Items = append(p.Items, at(i))
	}
	if end < n {
		p.Next = nextToken(r, end, p.Items[len(p.Items)-1], key)
	}
	return p, nil
}

// pageToken is what a request asks of a list: the page size, where the
// page starts (offset), the token's last item (0: none) and the binding of
// tokens to the route and filters.
type pageToken struct {
	size, offset int
	last, bind   uint64
}

// readPageToken reads page_size and page_token; keyed lists read the
// token's last item too.
func readPageToken(q url.Values, route string, keyed bool, filters []string) (pageToken, *Error) {
	r := pageToken{size: 50, bind: FilterHash(route, filters)}
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || v[0] < '0' || v[0] > '9' || n < 0 || n > 500 {
			return r, InvalidField("page_size", "must be an integer from 1 to 500 (0 or absent for 50)")
		}
		if n > 0 {
			r.size = n
		}
	}
	if tok := q.Get("page_token"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(raw) != 20 {
			return r, InvalidField("page_token", "is not a page token of this list")
		}
		if binary.BigEndian.Uint64(raw[4:12]) != r.bind {
			return r, InvalidField("page_token", "was made for other filters: keep the filters while paging")
		}
		r.offset = int(binary.BigEndian.Uint32(raw[:4]))
		if keyed {
			r.last = binary.BigEndian.Uint64(raw[12:])
		}
	}
	return r, nil
}

// nextToken is the token of the page that starts at end, after item last.
func nextToken[T any](r pageToken, end int, last T, key func(T) string) string {
	var raw [20]byte
	binary.BigEndian.PutUint32(raw[:4], uint32(end))
	binary.BigEndian.PutUint64(raw[4:12], r.bind)
	if key != nil {
		binary.BigEndian.PutUint64(raw[12:], keyHash(key(last)))
	}
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

// keyHash is a page token's name of an item: never 0 (0 is "no key").
func keyHash(k string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(k))
	return h.Sum64() | 1
}

// FilterHash binds a page token to its route and filters.
func FilterHash(route string, filters []string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(route))
	for _, f := range filters {
		h.Write([]byte{0})
		h.Write([]byte(strings.ToLower(f)))
	}
	return h.Sum64()
}
