package platform_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/platform"
)

// pages is a list of three pages, fetched by token, counting fetches.
type pages struct {
	fetched []string
	fail    bool
	failAt  string // with fail, the token whose fetch fails
	repeat  bool   // the second page's next token is its own
}

var errFetch = errors.New("fetch failed")

func (p *pages) fetch(ctx context.Context, token string) (platform.Page[int], error) {
	p.fetched = append(p.fetched, token)
	if p.fail && token == p.failAt {
		return platform.Page[int]{}, errFetch
	}
	switch token {
	case "":
		return platform.Page[int]{Items: []int{1, 2}, NextPageToken: "p2", Total: 5}, nil
	case "p2":
		next := "p3"
		if p.repeat {
			next = "p2"
		}
		return platform.Page[int]{Items: []int{3, 4}, NextPageToken: next, Total: 5}, nil
	case "p3":
		return platform.Page[int]{Items: []int{5}, Total: 5}, nil
	}
	return platform.Page[int]{}, errors.New("unknown token " + token)
}

func TestAllYieldsEveryItemOnce(t *testing.T) {
	t.Parallel()
	p := &pages{}
	var got []int
	for v, err := range platform.All(context.Background(), p.fetch) {
		if err != nil {
			t.Fatalf("All yielded %v", err)
		}
		got = append(got, v)
	}
	if diff := cmp.Diff([]int{1, 2, 3, 4, 5}, got); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"", "p2", "p3"}, p.fetched); diff != "" {
		t.Errorf("fetched tokens (-want +got):\n%s", diff)
	}
}

func TestAllStopsWhenTheConsumerBreaks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		breakAt     int
		wantFetched []string
	}{
		{1, []string{""}},
		{2, []string{""}}, // the last item of a page: no fetch of the next
		{3, []string{"", "p2"}},
		{5, []string{"", "p2", "p3"}},
	}
	for _, tt := range tests {
		p := &pages{}
		var got []int
		for v, err := range platform.All(context.Background(), p.fetch) {
			if err != nil {
				t.Fatalf("All yielded %v", err)
			}
			got = append(got, v)
			if v == tt.breakAt {
				break
			}
		}
		if len(got) != tt.breakAt {
			t.Errorf("break at %d: got %v", tt.breakAt, got)
		}
		if diff := cmp.Diff(tt.wantFetched, p.fetched); diff != "" {
			t.Errorf("break at %d: fetched tokens (-want +got):\n%s", tt.breakAt, diff)
		}
	}
}

func TestAllYieldsAFetchErrorOnce(t *testing.T) {
	t.Parallel()
	for _, failAt := range []string{"", "p2", "p3"} {
		p := &pages{fail: true, failAt: failAt}
		var items []int
		var errs []error
		for v, err := range platform.All(context.Background(), p.fetch) {
			if err != nil {
				errs = append(errs, err)
				continue // the iterator must end by itself
			}
			if len(errs) > 0 {
				t.Errorf("fail at %q: item %d after the error", failAt, v)
			}
			items = append(items, v)
		}
		if len(errs) != 1 || !errors.Is(errs[0], errFetch) {
			t.Errorf("fail at %q: errors %v, want errFetch once", failAt, errs)
		}
		want := map[string][]int{"": nil, "p2": {1, 2}, "p3": {1, 2, 3, 4}}[failAt]
		if diff := cmp.Diff(want, items); diff != "" {
			t.Errorf("fail at %q: items before the error (-want +got):\n%s", failAt, diff)
		}
		if n, want := len(p.fetched), len(want)/2+1; n != want {
			t.Errorf("fail at %q: %d fetch(es), want %d", failAt, n, want)
		}
	}
}

// A server that hands back the token it was given must not loop the pager.
func TestAllStopsOnARepeatedToken(t *testing.T) {
	t.Parallel()
	p := &pages{repeat: true}
	var got []int
	for v, err := range platform.All(context.Background(), p.fetch) {
		if err != nil {
			t.Fatalf("All yielded %v", err)
		}
		got = append(got, v)
		if len(got) > 10 {
			t.Fatal("the pager loops")
		}
	}
	if diff := cmp.Diff([]int{1, 2, 3, 4}, got); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
}

func TestAllPassesItsContext(t *testing.T) {
	t.Parallel()
	type key struct{}
	ctx := context.WithValue(context.Background(), key{}, "mine")
	for _, err := range platform.All(ctx, func(ctx context.Context, _ string) (platform.Page[int], error) {
		if ctx.Value(key{}) != "mine" {
			t.Error("fetch did not get the context given to All")
		}
		return platform.Page[int]{Items: []int{1}}, nil
	}) {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestGetPage(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/platform/agents", func(w http.ResponseWriter, r *http.Request) {
		testCommonHeaders(t, r)
		testQuery(t, r, url.Values{"status": {"online"}, "page_size": {"2"}, "page_token": {"tok-abc"}})
		writeJSON(w, 200, `{"agents":[
			{"agent_id":"wow-memory","name":"WowMemory","tier":"Platform CoE","status":"online","health":"healthy",
			 "capabilities":["memory"],"last_active":null,"created_at":"2025-06-01T00:00:00Z","new_field":{"x":1}},
			{"agent_id":"acme-bot","name":"Acme Bot","tier":"Enterprise","status":"hibernating","health":"recovering",
			 "capabilities":[],"last_active":"2026-01-02T09:59:00Z","created_at":"2025-07-01T00:00:00Z"}],
			"next_page_token":"","total":7,"facets":{"online":7}}`)
	})
	got, err := platform.GetPage[platform.Agent](context.Background(), c, "/api/platform/agents", "agents",
		url.Values{"status": {"online"}}, platform.ListOptions{PageSize: 2, PageToken: "tok-abc"})
	if err != nil {
		t.Fatalf("GetPage: %v", err)
	}
	active := mustTime(t, "2026-01-02T09:59:00Z")
	want := platform.Page[platform.Agent]{
		Items: []platform.Agent{
			{AgentID: "wow-memory", Name: "WowMemory", Tier: platform.TierPlatformCoE, Status: platform.AgentOnline,
				Health: platform.AgentHealthy, Capabilities: []string{"memory"},
				CreatedAt: mustTime(t, "2025-06-01T00:00:00Z")},
			// Unknown enum values decode as they are.
			{AgentID: "acme-bot", Name: "Acme Bot", Tier: "Enterprise", Status: "hibernating", Health: "recovering",
				Capabilities: []string{}, LastActive: &active, CreatedAt: mustTime(t, "2025-07-01T00:00:00Z")},
		},
		NextPageToken: "",
		Total:         7,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetPage (-want +got):\n%s", diff)
	}
}

func TestGetPageBadShape(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"agents":{"not":"a list"},"next_page_token":"","total":1}`,
		`{"agents":[],"next_page_token":7,"total":1}`,
		`{"agents":[],"next_page_token":"","total":"many"}`,
		`[]`,
	} {
		c, mux, _ := setup(t)
		mux.HandleFunc("GET /api/platform/agents", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, body)
		})
		if p, err := platform.GetPage[platform.Agent](context.Background(), c, "/api/platform/agents", "agents",
			nil, platform.ListOptions{}); err == nil {
			t.Errorf("GetPage over %s = %+v, want an error", body, p)
		}
	}
}

// A caller who keeps cursors pages with GetPage and one filter set: each
// call must send only its own page token.
func TestGetPageLeavesTheCallersQueryAlone(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	var tokens []string
	mux.HandleFunc("GET /api/platform/agents", func(w http.ResponseWriter, r *http.Request) {
		tokens = append(tokens, r.URL.Query().Get("page_token"))
		writeJSON(w, 200, `{"agents":[],"next_page_token":"","total":0}`)
	})
	filters := url.Values{"status": {"online"}}
	for _, opts := range []platform.ListOptions{{PageToken: "p2"}, {}} {
		if _, err := platform.GetPage[platform.Agent](context.Background(), c, "/api/platform/agents", "agents",
			filters, opts); err != nil {
			t.Fatalf("GetPage: %v", err)
		}
	}
	if diff := cmp.Diff([]string{"p2", ""}, tokens); diff != "" {
		t.Errorf("page_token sent per call (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(url.Values{"status": {"online"}}, filters); diff != "" {
		t.Errorf("GetPage changed the caller's query (-want +got):\n%s", diff)
	}
}

func TestListOptionsEncode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		opts platform.ListOptions
		want url.Values
	}{
		{platform.ListOptions{}, url.Values{}},
		{platform.ListOptions{PageSize: 500, PageToken: "x y"}, url.Values{"page_size": {"500"}, "page_token": {"x y"}}},
	}
	for _, tt := range tests {
		got := url.Values{}
		tt.opts.Encode(got)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%+v.Encode (-want +got):\n%s", tt.opts, diff)
		}
	}
}
