package queues_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jarcoal/httpmock"

	"github.com/waooaw/waooaw-go/internal/sdktest"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
)

// setup returns a queues client whose requests reach mux in memory
// (sdktest.SetupTransport), and the transport (for call counts). The client
// retries as by default, at most a millisecond later.
func setup(t testing.TB) (*queues.Client, *http.ServeMux, *httpmock.MockTransport) {
	t.Helper()
	pc, mux, mt := sdktest.SetupTransport(t,
		platform.WithBackoff(time.Microsecond, time.Millisecond),
		platform.WithRetryAfterCap(time.Millisecond),
		platform.WithRetries(3),
	)
	return queues.New(pc), mux, mt
}

func writeError(w http.ResponseWriter, status int, code string) {
	sdktest.WriteJSON(w, status, fmt.Sprintf(`{"error":{"code":%q,"message":"no","request_id":"r-1"}}`, code))
}

func TestListPage(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/platform/queues", func(w http.ResponseWriter, r *http.Request) {
		sdktest.TestQuery(t, r, url.Values{"status": {"degraded"}, "q": {"task s"}, "page_size": {"2"}, "page_token": {"tok"}})
		sdktest.WriteJSON(w, 200, `{"queues":[{"queue_name":"agent-tasks","status":"degraded","messages_pending":1523,
			"throughput_per_sec":45.2,"consumer_lag":234,"error_rate":0.008,"dlq_messages":22,
			"oldest_message_age_sec":120,"partitions":12}],"next_page_token":"","total":1}`)
	})
	p, err := c.ListPage(context.Background(), queues.ListOptions{Status: queues.StatusDegraded, Q: "task s",
		ListOptions: platform.ListOptions{PageSize: 2, PageToken: "tok"}})
	if err != nil {
		t.Fatalf("ListPage: %v", err)
	}
	want := platform.Page[queues.Queue]{Total: 1, Items: []queues.Queue{{
		QueueName: "agent-tasks", Status: queues.StatusDegraded, MessagesPending: 1523, ThroughputPerSec: 45.2,
		ConsumerLag: 234, ErrorRate: 0.008, DLQMessages: 22, OldestMessageAgeSec: 120,
	}}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("ListPage (-want +got):\n%s", diff)
	}
}

func TestListFollowsPages(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/platform/queues", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("page_token") {
		case "":
			sdktest.WriteJSON(w, 200, `{"queues":[{"queue_name":"a","status":"healthy"},{"queue_name":"b","status":"overloaded"}],"next_page_token":"p2","total":3}`)
		case "p2":
			sdktest.WriteJSON(w, 200, `{"queues":[{"queue_name":"c","status":"critical"}],"next_page_token":"","total":3}`)
		default:
			t.Errorf("unexpected page_token %q", r.URL.Query().Get("page_token"))
		}
	})
	var got []string
	for q, err := range c.List(context.Background(), queues.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, q.QueueName+":"+string(q.Status))
	}
	if diff := cmp.Diff([]string{"a:healthy", "b:overloaded", "c:critical"}, got); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
}

func TestGetEscapesTheName(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/platform/queues/{name}", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.EscapedPath(); got != "/api/platform/queues/a%20b%2Fc%3F" {
			t.Errorf("escaped path = %s", got)
		}
		if got := r.PathValue("name"); got != "a b/c?" {
			t.Errorf("name = %q", got)
		}
		sdktest.TestQuery(t, r, nil)
		sdktest.WriteJSON(w, 200, `{"queue_name":"a b/c?","status":"healthy","messages_pending":5,"throughput_per_sec":1,
			"consumer_lag":0,"error_rate":0,"dlq_messages":1,"oldest_message_age_sec":3,
			"messages_accepted":100,"messages_processed":90,"messages_deleted":4}`)
	})
	got, err := c.Get(context.Background(), "a b/c?")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	want := &queues.QueueDetail{
		Queue: queues.Queue{QueueName: "a b/c?", Status: queues.StatusHealthy, MessagesPending: 5, ThroughputPerSec: 1,
			DLQMessages: 1, OldestMessageAgeSec: 3},
		MessagesAccepted: 100, MessagesProcessed: 90, MessagesDeleted: 4,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
}

func TestDLQPage(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/platform/queues/{name}/dlq", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("name") != "web hooks" {
			t.Errorf("name = %q", r.PathValue("name"))
		}
		sdktest.TestQuery(t, r, url.Values{"error_contains": {"503 & timeout"}, "older_than_seconds": {"3600"}, "page_size": {"10"}})
		sdktest.WriteJSON(w, 200, `{"messages":[{"message_id":"m-1","queue_name":"web hooks","payload":{"url":"https://x.example","n":[1,2]},
			"error":"timeout","retry_count":2,"timestamp":"2026-01-02T09:00:00Z","trace_id":"abc"}],"next_page_token":"n","total":7}`)
	})
	p, err := c.DLQPage(context.Background(), "web hooks", queues.DLQOptions{
		Filter:      queues.Filter{ErrorContains: "503 & timeout", OlderThanSeconds: 3600},
		ListOptions: platform.ListOptions{PageSize: 10},
	})
	if err != nil {
		t.Fatalf("DLQPage: %v", err)
	}
	want := platform.Page[queues.Message]{NextPageToken: "n", Total: 7, Items: []queues.Message{{
		MessageID: "m-1", QueueName: "web hooks", Payload: json.RawMessage(`{"url":"https://x.example","n":[1,2]}`),
		Error: "timeout", RetryCount: 2, Timestamp: time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC),
	}}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("DLQPage (-want +got):\n%s", diff)
	}
	var payload struct{ URL string }
	if err := json.Unmarshal(p.Items[0].Payload, &payload); err != nil || payload.URL != "https://x.example" {
		t.Errorf("payload decodes to %+v, %v", payload, err)
	}
}

func TestDLQIteratesFromTheGivenToken(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("GET /api/platform/queues/q/dlq", func(w http.ResponseWriter, r *http.Request) {
		switch tok := r.URL.Query().Get("page_token"); tok {
		case "start":
			sdktest.TestQuery(t, r, url.Values{"page_token": {"start"}, "error_contains": {"x"}})
			sdktest.WriteJSON(w, 200, `{"messages":[{"message_id":"m-2","payload":{}}],"next_page_token":"p3","total":3}`)
		case "p3":
			sdktest.TestQuery(t, r, url.Values{"page_token": {"p3"}, "error_contains": {"x"}})
			sdktest.WriteJSON(w, 200, `{"messages":[{"message_id":"m-3","payload":{}}],"next_page_token":"","total":3}`)
		default:
			t.Errorf("unexpected page_token %q", tok)
		}
	})
	var got []string
	opts := queues.DLQOptions{Filter: queues.Filter{ErrorContains: "x"}, ListOptions: platform.ListOptions{PageToken: "start"}}
	for m, err := range c.DLQ(context.Background(), "q", opts) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, m.MessageID)
	}
	if diff := cmp.Diff([]string{"m-2", "m-3"}, got); diff != "" {
		t.Errorf("DLQ (-want +got):\n%s", diff)
	}
}

func TestRetry(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("POST /api/platform/queues/{name}/dlq/{id}/retry", func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.EscapedPath(); got != "/api/platform/queues/agent-tasks/dlq/m%2F1%25/retry" {
			t.Errorf("escaped path = %s", got)
		}
		if r.Header.Get("Idempotency-Key") == "" {
			t.Error("no Idempotency-Key on a retry")
		}
		if ct := r.Header.Get("Content-Type"); ct != "" {
			t.Errorf("Content-Type %q on a request without a body", ct)
		}
		sdktest.TestBody(t, r, "")
		sdktest.WriteJSON(w, 200, `{"message_id":"m/1%","queue_name":"agent-tasks","payload":{"a":1},"error":"e","retry_count":4,"timestamp":"2026-01-02T09:59:00Z"}`)
	})
	m, err := c.Retry(context.Background(), "agent-tasks", "m/1%")
	if err != nil {
		t.Fatalf("Retry: %v", err)
	}
	if m.MessageID != "m/1%" || m.RetryCount != 4 || string(m.Payload) != `{"a":1}` {
		t.Errorf("Retry = %+v", m)
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("DELETE /api/platform/queues/{name}/dlq/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("name") != "webhooks" || r.PathValue("id") != "dlq-webhooks-001" {
			t.Errorf("path = %s", r.URL.EscapedPath())
		}
		if r.Header.Get("Idempotency-Key") == "" {
			t.Error("no Idempotency-Key on a delete")
		}
		sdktest.TestBody(t, r, "")
		w.WriteHeader(http.StatusNoContent)
	})
	if err := c.Delete(context.Background(), "webhooks", "dlq-webhooks-001"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
}

func TestBulkBodies(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		f      queues.Filter
		body   string
		answer string
	}{
		{"all", queues.Filter{}, `{}`, `{"matched":3,"retried":3}`},
		{"by error", queues.Filter{ErrorContains: `say "timeout"`}, `{"error_contains":"say \"timeout\""}`, `{"matched":2,"retried":1}`},
		{"by both", queues.Filter{ErrorContains: "503", OlderThanSeconds: 60}, `{"error_contains":"503","older_than_seconds":60}`, `{"matched":0,"retried":0}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux, _ := setup(t)
			for _, action := range []string{"retry", "purge"} {
				mux.HandleFunc("POST /api/platform/queues/q%201/dlq/"+action, func(w http.ResponseWriter, r *http.Request) {
					if ct := r.Header.Get("Content-Type"); ct != "application/json" {
						t.Errorf("Content-Type = %q", ct)
					}
					sdktest.TestBody(t, r, tt.body)
					answer := tt.answer
					if action == "purge" {
						answer = strings.Replace(answer, "retried", "deleted", 1)
					}
					sdktest.WriteJSON(w, 200, answer)
				})
			}
			var want queues.RetryAllResult
			json.Unmarshal([]byte(tt.answer), &want)
			r, err := c.RetryAll(context.Background(), "q 1", tt.f)
			if err != nil || *r != want {
				t.Errorf("RetryAll = %+v, %v; want %+v", r, err, want)
			}
			p, err := c.Purge(context.Background(), "q 1", tt.f)
			if err != nil || *p != (queues.PurgeResult{Matched: want.Matched, Deleted: want.Retried}) {
				t.Errorf("Purge = %+v, %v; want %+v", p, err, want)
			}
		})
	}
}

// TestRefusedBeforeSending: ids that cannot make a path and negative ages
// fail with ErrInvalidArgument and send nothing.
func TestRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	c, _, mt := setup(t)
	ctx := context.Background()
	calls := map[string]func() error{
		"get empty":   func() error { _, err := c.Get(ctx, ""); return err },
		"get dot-dot": func() error { _, err := c.Get(ctx, ".."); return err },
		"dlq dot":     func() error { _, err := c.DLQPage(ctx, ".", queues.DLQOptions{}); return err },
		"dlq negative": func() error {
			_, err := c.DLQPage(ctx, "q", queues.DLQOptions{Filter: queues.Filter{OlderThanSeconds: -1}})
			return err
		},
		"retry empty id": func() error { _, err := c.Retry(ctx, "q", ""); return err },
		"retry dot-dot":  func() error { _, err := c.Retry(ctx, "..", "m"); return err },
		"delete dot-dot": func() error { return c.Delete(ctx, "q", "..") },
		"retry all neg":  func() error { _, err := c.RetryAll(ctx, "q", queues.Filter{OlderThanSeconds: -5}); return err },
		"purge empty":    func() error { _, err := c.Purge(ctx, "", queues.Filter{}); return err },
		"dlq iter dotdot": func() error {
			for _, err := range c.DLQ(ctx, "..", queues.DLQOptions{}) {
				return err
			}
			return nil
		},
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, platform.ErrInvalidArgument) || !strings.HasPrefix(err.Error(), "queues: ") {
			t.Errorf("%s: %v, want a queues: … ErrInvalidArgument", name, err)
		}
	}
	if n := mt.GetTotalCallCount(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// TestErrors drives every method into the server's refusals: each error
// says what the call was doing and matches the platform sentinel.
func TestErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	methods := map[string]func(c *queues.Client) error{
		"ListPage": func(c *queues.Client) error { _, err := c.ListPage(ctx, queues.ListOptions{}); return err },
		"List": func(c *queues.Client) error {
			for _, err := range c.List(ctx, queues.ListOptions{}) {
				return err
			}
			return nil
		},
		"Get":     func(c *queues.Client) error { _, err := c.Get(ctx, "q"); return err },
		"DLQPage": func(c *queues.Client) error { _, err := c.DLQPage(ctx, "q", queues.DLQOptions{}); return err },
		"DLQ": func(c *queues.Client) error {
			for _, err := range c.DLQ(ctx, "q", queues.DLQOptions{}) {
				return err
			}
			return nil
		},
		"Retry":    func(c *queues.Client) error { _, err := c.Retry(ctx, "q", "m"); return err },
		"Delete":   func(c *queues.Client) error { return c.Delete(ctx, "q", "m") },
		"RetryAll": func(c *queues.Client) error { _, err := c.RetryAll(ctx, "q", queues.Filter{}); return err },
		"Purge":    func(c *queues.Client) error { _, err := c.Purge(ctx, "q", queues.Filter{}); return err },
	}
	for _, tt := range []struct {
		status   int
		code     string
		sentinel error
	}{
		{404, "not_found", platform.ErrNotFound},
		{403, "permission_denied", platform.ErrPermissionDenied},
		{400, "invalid_argument", platform.ErrInvalidArgument},
	} {
		for name, call := range methods {
			t.Run(fmt.Sprintf("%s %d", name, tt.status), func(t *testing.T) {
				t.Parallel()
				c, mux, _ := setup(t)
				mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeError(w, tt.status, tt.code) })
				err := call(c)
				var pe *platform.Error
				if !errors.Is(err, tt.sentinel) || !errors.As(err, &pe) || pe.Code != tt.code {
					t.Fatalf("%v: want a *platform.Error matching %v", err, tt.sentinel)
				}
				if !strings.HasPrefix(err.Error(), "queues: ") {
					t.Errorf("%q does not say it came from queues", err)
				}
			})
		}
	}
}

func TestMalformedAnswer(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		sdktest.WriteJSON(w, 200, `{"messages":"not a list","queue_name":7}`)
	})
	if _, err := c.DLQPage(context.Background(), "q", queues.DLQOptions{}); err == nil {
		t.Error("DLQPage accepted messages that are not a list")
	}
	if _, err := c.Get(context.Background(), "q"); err == nil {
		t.Error("Get accepted a numeric queue_name")
	}
}

// BenchmarkDLQ measures walking a dead-letter queue: pages of 500 messages
// decoded and yielded one by one.
func BenchmarkDLQ(b *testing.B) {
	c, mux, _ := setup(b)
	var sb strings.Builder
	sb.WriteString(`{"messages":[`)
	for i := range 500 {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"message_id":"dlq-%d","queue_name":"q","payload":{"task_id":"task-%d","attempt":3,"tags":["a","b"]},`+
			`"error":"Connection timeout after 30s","retry_count":3,"timestamp":"2026-01-02T09:00:00Z"}`, i, i)
	}
	sb.WriteString(`],"next_page_token":"","total":500}`)
	page := sb.String()
	mux.HandleFunc("GET /api/platform/queues/q/dlq", func(w http.ResponseWriter, r *http.Request) { sdktest.WriteJSON(w, 200, page) })
	opts := queues.DLQOptions{ListOptions: platform.ListOptions{PageSize: 500}}
	b.ReportAllocs()
	b.SetBytes(int64(len(page)))
	for b.Loop() {
		n := 0
		for _, err := range c.DLQ(context.Background(), "q", opts) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 500 {
			b.Fatalf("%d messages", n)
		}
	}
}

// A client without a platform client answers every call with an error
// that says how to build one, never a nil pointer panic.
func TestNoPlatformClient(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	calls := map[string]func(c *queues.Client) error{
		"ListPage": func(c *queues.Client) error { _, err := c.ListPage(ctx, queues.ListOptions{}); return err },
		"List": func(c *queues.Client) error {
			for _, err := range c.List(ctx, queues.ListOptions{}) {
				return err
			}
			return nil
		},
		"Get":     func(c *queues.Client) error { _, err := c.Get(ctx, "webhooks"); return err },
		"DLQPage": func(c *queues.Client) error { _, err := c.DLQPage(ctx, "webhooks", queues.DLQOptions{}); return err },
		"DLQ": func(c *queues.Client) error {
			for _, err := range c.DLQ(ctx, "webhooks", queues.DLQOptions{}) {
				return err
			}
			return nil
		},
		"Retry":    func(c *queues.Client) error { _, err := c.Retry(ctx, "webhooks", "m-1"); return err },
		"Delete":   func(c *queues.Client) error { return c.Delete(ctx, "webhooks", "m-1") },
		"RetryAll": func(c *queues.Client) error { _, err := c.RetryAll(ctx, "webhooks", queues.Filter{}); return err },
		"Purge":    func(c *queues.Client) error { _, err := c.Purge(ctx, "webhooks", queues.Filter{}); return err },
	}
	clients := map[string]*queues.Client{"nil": nil, "zero": {}, "New(nil)": queues.New(nil)}
	for cname, c := range clients {
		for name, call := range calls {
			t.Run(cname+"/"+name, func(t *testing.T) {
				t.Parallel()
				err := call(c)
				if err == nil || !strings.Contains(err.Error(), "queues.New(pc)") {
					t.Errorf("err = %v, want the no-platform-client error", err)
				}
			})
		}
	}
}
