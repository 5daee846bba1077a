package platform_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/platform"
)

const logLineJSON = `{"log_id":"log-000212","timestamp":"2026-01-02T09:58:10Z","level":"ERROR","agent_id":"wow-search",
	"message":"Health check failed","metadata":{"attempt":3,"check":"index"},"trace_id":"x"}`

func TestLogsListPage(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/api/platform/logs", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		testCommonHeaders(t, r)
		testQuery(t, r, url.Values{"level": {"ERROR"}, "agent": {"wow-search"}, "q": {"health check"},
			"since": {"2026-01-02T10:00:00Z"}, "until": {"2026-01-02T10:00:00.5Z"}, "page_size": {"2"}, "page_token": {"tok"}})
		writeJSON(w, 200, `{"logs":[`+logLineJSON+`],"next_page_token":"","total":1}`)
	})
	since := time.Date(2026, 1, 2, 11, 0, 0, 0, time.FixedZone("CET", 3600))
	got, err := c.Logs.ListPage(context.Background(), platform.LogListOptions{
		Level: platform.LogError, AgentID: "wow-search", Q: "health check",
		Since: since, Until: time.Date(2026, 1, 2, 10, 0, 0, 5e8, time.UTC),
		ListOptions: platform.ListOptions{PageSize: 2, PageToken: "tok"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := platform.Page[platform.LogEntry]{Total: 1, Items: []platform.LogEntry{{
		LogID: "log-000212", Timestamp: mustTime(t, "2026-01-02T09:58:10Z"), Level: platform.LogError, AgentID: "wow-search",
		Message: "Health check failed", Metadata: map[string]any{"attempt": 3.0, "check": "index"},
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListPage (-want +got):\n%s", diff)
	}
}

func TestLogsList(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/api/platform/logs", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("page_token") {
		case "":
			testQuery(t, r, url.Values{"level": {"WARN"}})
			writeJSON(w, 200, `{"logs":[{"log_id":"log-2","timestamp":"2026-01-02T09:00:00Z","level":"WARN","message":"b","metadata":{}}],"next_page_token":"p2","total":2}`)
		case "p2":
			testQuery(t, r, url.Values{"level": {"WARN"}, "page_token": {"p2"}})
			writeJSON(w, 200, `{"logs":[{"log_id":"log-1","timestamp":"2026-01-02T08:00:00Z","level":"WARN","message":"a","metadata":{}}],"next_page_token":"","total":2}`)
		}
	})
	var got []string
	for l, err := range c.Logs.List(context.Background(), platform.LogListOptions{Level: platform.LogWarn}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, l.LogID)
	}
	if !cmp.Equal(got, []string{"log-2", "log-1"}) {
		t.Errorf("List: %v", got)
	}
}

func TestLogLevelValid(t *testing.T) {
	t.Parallel()
	for l, want := range map[platform.LogLevel]bool{"DEBUG": true, "INFO": true, "WARN": true, "ERROR": true, "info": false, "": false, "FATAL": false} {
		if l.Valid() != want {
			t.Errorf("%q.Valid() = %v", l, !want)
		}
	}
}
