package queues_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/waooaw/waooaw-go/internal/apitest"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
)

const qPath = "/api/platform/queues"

var seededQueues = []string{"agent-tasks", "event-bus", "notifications", "webhooks"}

// qClients are queue clients signed in as the demo operator and viewer.
func qClients(ts *mockserver.TestServer) (ops, viewer *queues.Client) {
	return queues.New(ts.Client(mockserver.OperatorEmail)), queues.New(ts.Client(mockserver.ViewerEmail))
}

// qGet fetches a queue and fails the test unless its counters add up.
func qGet(t *testing.T, c *queues.Client, name string) queues.QueueDetail {
	t.Helper()
	d, err := c.Get(context.Background(), name)
	if err != nil {
		t.Fatalf("get %s: %v", name, err)
	}
	mocktest.CheckConserved(t, *d)
	return *d
}

// allLetters lists every dead letter of queue, page by page.
func allLetters(t *testing.T, c *queues.Client, queue string, f queues.Filter) []queues.Message {
	t.Helper()
	var out []queues.Message
	for m, err := range c.DLQ(context.Background(), queue, queues.DLQOptions{Filter: f}) {
		if err != nil {
			t.Fatalf("dlq %s: %v", queue, err)
		}
		out = append(out, m)
	}
	return out
}

func ids(ms []queues.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.MessageID
	}
	return out
}

// keys returns the sorted keys of a JSON object.
func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestQueueListHasTheSeedsFiguresAndStatuses(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: qPath, Token: mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")})
	if a.Status != 200 {
		t.Fatalf("GET %s: %d %s", qPath, a.Status, a.Raw)
	}
	body := a.JSON(t)
	if diff := cmp.Diff([]string{"next_page_token", "queues", "total"}, keys(body)); diff != "" {
		t.Errorf("list keys (-want +got):\n%s", diff)
	}
	list := body["queues"].([]any)
	if len(list) < 4 || body["total"].(float64) != float64(len(list)) {
		t.Fatalf("%d queues, total %v; want at least 4, all on the first page", len(list), body["total"])
	}
	wantKeys := []string{"consumer_lag", "dlq_messages", "error_rate", "messages_pending",
		"oldest_message_age_sec", "queue_name", "status", "throughput_per_sec"}
	type figures struct {
		status                 string
		pending, lag, age, dlq float64
		tput, errRate          float64
	}
	want := map[string]figures{
		"agent-tasks":   {"degraded", 1523, 234, 120, 22, 45.2, 0.008},
		"event-bus":     {"healthy", 89, 12, 5, 8, 156.7, 0.001},
		"notifications": {"critical", 2341, 890, 450, 30, 23.1, 0.023},
		"webhooks":      {"healthy", 45, 5, 15, 14, 12.5, 0.003},
	}
	dlqTotal := 0.0
	for _, raw := range list {
		q := raw.(map[string]any)
		if diff := cmp.Diff(wantKeys, keys(q)); diff != "" {
			t.Errorf("%v: keys (-want +got):\n%s", q["queue_name"], diff)
		}
		got := figures{q["status"].(string), q["messages_pending"].(float64), q["consumer_lag"].(float64),
			q["oldest_message_age_sec"].(float64), q["dlq_messages"].(float64),
			q["throughput_per_sec"].(float64), q["error_rate"].(float64)}
		if diff := cmp.Diff(want[q["queue_name"].(string)], got, cmp.AllowUnexported(figures{})); diff != "" {
			t.Errorf("%v (-want +got):\n%s", q["queue_name"], diff)
		}
		dlqTotal += got.dlq
	}
	if dlqTotal < 60 {
		t.Errorf("%v dead letters in all, want at least 60", dlqTotal)
	}
}

func TestQueueDetailAccountsForEveryMessage(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: qPath + "/notifications", Token: mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")})
	body := a.JSON(t)
	for _, k := range []string{"messages_accepted", "messages_processed", "messages_deleted", "messages_pending", "dlq_messages", "status"} {
		if _, ok := body[k]; !ok {
			t.Errorf("detail has no %s: %s", k, a.Raw)
		}
	}
	_, viewer := qClients(ts)
	for _, name := range seededQueues {
		d := qGet(t, viewer, name)
		if d.MessagesProcessed <= 0 || d.MessagesDeleted <= 0 {
			t.Errorf("%s: processed %d, deleted %d; want a history", name, d.MessagesProcessed, d.MessagesDeleted)
		}
	}
}

func TestDLQListShape(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	viewer := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	transient, permanent := 0, 0
	for _, name := range seededQueues {
		a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: qPath + "/" + name + "/dlq", Token: viewer})
		if a.Status != 200 {
			t.Fatalf("GET dlq of %s: %d %s", name, a.Status, a.Raw)
		}
		body := a.JSON(t)
		if diff := cmp.Diff([]string{"messages", "next_page_token", "total"}, keys(body)); diff != "" {
			t.Errorf("%s: keys (-want +got):\n%s", name, diff)
		}
		msgs := body["messages"].([]any)
		if len(msgs) == 0 || body["total"].(float64) != float64(len(msgs)) || body["next_page_token"] != "" {
			t.Errorf("%s: %d messages, total %v, next %q", name, len(msgs), body["total"], body["next_page_token"])
		}
		var last time.Time
		for _, raw := range msgs {
			m := raw.(map[string]any)
			if diff := cmp.Diff([]string{"error", "message_id", "payload", "queue_name", "retry_count", "timestamp"}, keys(m)); diff != "" {
				t.Errorf("%s: message keys (-want +got):\n%s", name, diff)
			}
			if _, ok := m["payload"].(map[string]any); !ok {
				t.Errorf("%v: payload %v is not an object", m["message_id"], m["payload"])
			}
			if m["queue_name"] != name {
				t.Errorf("%v: queue_name %v, want %s", m["message_id"], m["queue_name"], name)
			}
			ts, err := time.Parse(time.RFC3339, m["timestamp"].(string))
			if err != nil || ts.After(mockserver.Epoch()) || ts.Before(last) {
				t.Errorf("%v: timestamp %v: want RFC 3339, oldest first, not after the clock", m["message_id"], m["timestamp"])
			}
			last = ts
			if e := strings.ToLower(m["error"].(string)); strings.Contains(e, "timeout") || strings.Contains(e, "503") ||
				strings.Contains(e, "connection reset") {
				transient++
			} else {
				permanent++
			}
		}
	}
	if transient < 10 || permanent < 10 {
		t.Errorf("%d transient and %d permanent errors; want plenty of both", transient, permanent)
	}
}

func TestRetryMovesTheMessageBackOnce(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ops, _ := qClients(ts)
	ctx := context.Background()
	before := qGet(t, ops, "agent-tasks")
	first := allLetters(t, ops, "agent-tasks", queues.Filter{})[0]

	m, err := ops.Retry(ctx, "agent-tasks", first.MessageID)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if m.MessageID != first.MessageID || m.RetryCount != first.RetryCount+1 {
		t.Errorf("retried %s with retry_count %d, want %s with %d", m.MessageID, m.RetryCount, first.MessageID, first.RetryCount+1)
	}
	after := qGet(t, ops, "agent-tasks")
	if after.DLQMessages != before.DLQMessages-1 || after.MessagesPending != before.MessagesPending+1 ||
		after.MessagesAccepted != before.MessagesAccepted || after.MessagesProcessed != before.MessagesProcessed {
		t.Errorf("after a retry: %+v\nbefore: %+v\nwant dlq −1, pending +1, the rest as it was", after, before)
	}
	if slices.Contains(ids(allLetters(t, ops, "agent-tasks", queues.Filter{})), first.MessageID) {
		t.Errorf("%s is still listed in the DLQ", first.MessageID)
	}
	if _, err := ops.Retry(ctx, "agent-tasks", first.MessageID); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("second retry: %v, want ErrNotFound", err)
	}
	if err := ops.Delete(ctx, "agent-tasks", first.MessageID); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("delete after retry: %v, want ErrNotFound", err)
	}
	if got := qGet(t, ops, "agent-tasks"); got != after {
		t.Errorf("refused calls changed the queue:\n%+v\nwas\n%+v", got, after)
	}
}

func TestDeleteRemovesTheMessageOnce(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ops, _ := qClients(ts)
	operator := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	before := qGet(t, ops, "webhooks")
	id := allLetters(t, ops, "webhooks", queues.Filter{})[3].MessageID

	a := mocktest.Do(t, ts, mocktest.Call{Method: "DELETE", Path: qPath + "/webhooks/dlq/" + id, Token: operator})
	if a.Status != 204 || len(a.Raw) != 0 {
		t.Fatalf("delete: %d %q, want 204 and no body", a.Status, a.Raw)
	}
	after := qGet(t, ops, "webhooks")
	if after.DLQMessages != before.DLQMessages-1 || after.MessagesDeleted != before.MessagesDeleted+1 ||
		after.MessagesPending != before.MessagesPending || after.MessagesAccepted != before.MessagesAccepted {
		t.Errorf("after a delete: %+v\nbefore: %+v\nwant dlq −1, deleted +1, the rest as it was", after, before)
	}
	for _, c := range []mocktest.Call{
		{Method: "DELETE", Path: qPath + "/webhooks/dlq/" + id, Token: operator},
		{Method: "POST", Path: qPath + "/webhooks/dlq/" + id + "/retry", Token: operator},
	} {
		if a := mocktest.Do(t, ts, c); a.Status != 404 || a.ErrCode(t) != "not_found" {
			t.Errorf("%s %s after delete: %d %s, want 404", c.Method, c.Path, a.Status, a.Raw)
		}
	}
	if got := qGet(t, ops, "webhooks"); got != after {
		t.Errorf("refused calls changed the queue:\n%+v\nwas\n%+v", got, after)
	}
}

func TestQueueRefusals(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	viewer := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	operator := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	ops, _ := qClients(ts)
	before := map[string]queues.QueueDetail{}
	for _, n := range seededQueues {
		before[n] = qGet(t, ops, n)
	}
	msg := "dlq-agent-tasks-002"
	dlq := qPath + "/agent-tasks/dlq"
	tests := []struct {
		name   string
		c      mocktest.Call
		status int
		code   string
	}{
		{"list without a token", mocktest.Call{Method: "GET", Path: qPath}, 401, "unauthenticated"},
		{"viewer retries", mocktest.Call{Method: "POST", Path: dlq + "/" + msg + "/retry", Token: viewer}, 403, "permission_denied"},
		{"viewer deletes", mocktest.Call{Method: "DELETE", Path: dlq + "/" + msg, Token: viewer}, 403, "permission_denied"},
		{"viewer retries all", mocktest.Call{Method: "POST", Path: dlq + "/retry", Token: viewer, Body: `{}`}, 403, "permission_denied"},
		{"viewer purges", mocktest.Call{Method: "POST", Path: dlq + "/purge", Token: viewer, Body: `{}`}, 403, "permission_denied"},
		{"unknown queue", mocktest.Call{Method: "GET", Path: qPath + "/no-such-queue", Token: viewer}, 404, "not_found"},
		{"unknown queue's dlq", mocktest.Call{Method: "GET", Path: qPath + "/no-such-queue/dlq", Token: viewer}, 404, "not_found"},
		{"retry in an unknown queue", mocktest.Call{Method: "POST", Path: qPath + "/no-such-queue/dlq/" + msg + "/retry", Token: operator}, 404, "not_found"},
		{"delete in an unknown queue", mocktest.Call{Method: "DELETE", Path: qPath + "/no-such-queue/dlq/" + msg, Token: operator}, 404, "not_found"},
		{"purge an unknown queue", mocktest.Call{Method: "POST", Path: qPath + "/no-such-queue/dlq/purge", Token: operator, Body: `{}`}, 404, "not_found"},
		{"unknown message", mocktest.Call{Method: "POST", Path: dlq + "/dlq-agent-tasks-999/retry", Token: operator}, 404, "not_found"},
		{"another queue's message", mocktest.Call{Method: "POST", Path: dlq + "/dlq-webhooks-001/retry", Token: operator}, 404, "not_found"},
		{"delete another queue's message", mocktest.Call{Method: "DELETE", Path: dlq + "/dlq-webhooks-001", Token: operator}, 404, "not_found"},
		{"unknown message with a bad body", mocktest.Call{Method: "POST", Path: dlq + "/nope/retry", Token: operator, Body: `{"x":1}`}, 404, "not_found"},
		{"retry with a body", mocktest.Call{Method: "POST", Path: dlq + "/" + msg + "/retry", Token: operator, Body: `{"force":true}`}, 400, "invalid_argument"},
		{"bulk without a body", mocktest.Call{Method: "POST", Path: dlq + "/retry", Token: operator}, 400, "invalid_argument"},
		{"purge without a body", mocktest.Call{Method: "POST", Path: dlq + "/purge", Token: operator}, 400, "invalid_argument"},
		{"bulk unknown field", mocktest.Call{Method: "POST", Path: dlq + "/retry", Token: operator, Body: `{"error":"timeout"}`}, 400, "invalid_argument"},
		{"bulk wrong type", mocktest.Call{Method: "POST", Path: dlq + "/purge", Token: operator, Body: `{"older_than_seconds":"1h"}`}, 400, "invalid_argument"},
		{"bulk negative age", mocktest.Call{Method: "POST", Path: dlq + "/purge", Token: operator, Body: `{"older_than_seconds":-1}`}, 400, "invalid_argument"},
		{"bulk huge age", mocktest.Call{Method: "POST", Path: dlq + "/purge", Token: operator, Body: `{"older_than_seconds":1e12}`}, 400, "invalid_argument"},
		{"bulk long text", mocktest.Call{Method: "POST", Path: dlq + "/purge", Token: operator,
			Body: `{"error_contains":"` + strings.Repeat("x", 1025) + `"}`}, 400, "invalid_argument"},
		{"bulk two values", mocktest.Call{Method: "POST", Path: dlq + "/purge", Token: operator, Body: `{} {}`}, 400, "invalid_argument"},
		{"bulk not an object", mocktest.Call{Method: "POST", Path: dlq + "/purge", Token: operator, Body: `[]`}, 400, "invalid_argument"},
		{"list bad status", mocktest.Call{Method: "GET", Path: qPath + "?status=fine", Token: viewer}, 400, "invalid_argument"},
		{"dlq bad age", mocktest.Call{Method: "GET", Path: dlq + "?older_than_seconds=old", Token: viewer}, 400, "invalid_argument"},
		{"dlq negative age", mocktest.Call{Method: "GET", Path: dlq + "?older_than_seconds=-5", Token: viewer}, 400, "invalid_argument"},
		{"dlq bad page size", mocktest.Call{Method: "GET", Path: dlq + "?page_size=501", Token: viewer}, 400, "invalid_argument"},
		{"dlq bad page token", mocktest.Call{Method: "GET", Path: dlq + "?page_token=xyz", Token: viewer}, 400, "invalid_argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mocktest.Do(t, ts, tt.c)
			if a.Status != tt.status || a.ErrCode(t) != tt.code {
				t.Errorf("%s %s: %d %s, want %d %s", tt.c.Method, tt.c.Path, a.Status, a.Raw, tt.status, tt.code)
			}
		})
	}
	for _, n := range seededQueues {
		if got := qGet(t, ops, n); got != before[n] {
			t.Errorf("%s changed under refused calls:\n%+v\nwas\n%+v", n, got, before[n])
		}
	}
}

func TestOddMessageIDsNeverFailTheServer(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	operator := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	odd := []string{
		"..", ".", "%2e%2e", "a%2Fb", "a%20b", "%00", "%ff", "%25", "ü", "%E2%80%AE", "a;b", "dlq-agent-tasks-001%3F",
		strings.Repeat("x", 129), strings.Repeat("%41", 200), "'%20OR%201=1", "<script>", "dlq-agent-tasks-001%0A",
	}
	for _, id := range odd {
		for _, c := range []mocktest.Call{
			{Method: "POST", Path: qPath + "/agent-tasks/dlq/" + id + "/retry", Token: operator},
			{Method: "DELETE", Path: qPath + "/agent-tasks/dlq/" + id, Token: operator},
			{Method: "GET", Path: qPath + "/" + id + "/dlq", Token: operator},
		} {
			a := mocktest.Do(t, ts, c)
			if a.Status != 400 && a.Status != 404 {
				t.Errorf("%s %s: %d %s, want 400 or 404", c.Method, c.Path, a.Status, a.Raw)
			}
		}
	}
	ops, _ := qClients(ts)
	if d := qGet(t, ops, "agent-tasks"); d.DLQMessages != 22 {
		t.Errorf("odd ids changed the DLQ: %d messages, want 22", d.DLQMessages)
	}
}

func TestConcurrentRetries(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ops, _ := qClients(ts)
	ctx := context.Background()
	before := map[string]queues.QueueDetail{}
	var letters []queues.Message
	for _, n := range seededQueues {
		before[n] = qGet(t, ops, n)
		letters = append(letters, allLetters(t, ops, n, queues.Filter{})...)
	}
	if len(letters) < 51 {
		t.Fatalf("only %d dead letters", len(letters))
	}
	single, distinct := letters[0], letters[1:51]

	var mu sync.Mutex
	okByID := map[string]int{}
	var failures []error
	var wg sync.WaitGroup
	try := func(m queues.Message) {
		defer wg.Done()
		_, err := ops.Retry(ctx, m.QueueName, m.MessageID)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			okByID[m.MessageID]++
		case !errors.Is(err, platform.ErrNotFound):
			failures = append(failures, err)
		}
	}
	for i := range 50 {
		wg.Add(2)
		go try(distinct[i])
		go try(single)
	}
	wg.Wait()
	for _, err := range failures {
		t.Errorf("retry failed with something other than not found: %v", err)
	}
	if okByID[single.MessageID] != 1 {
		t.Errorf("the single message was retried %d times, want once", okByID[single.MessageID])
	}
	retriedIn := map[string]int{single.QueueName: 1}
	for _, m := range distinct {
		if okByID[m.MessageID] != 1 {
			t.Errorf("%s was retried %d times, want once", m.MessageID, okByID[m.MessageID])
		}
		retriedIn[m.QueueName]++
	}
	for _, n := range seededQueues {
		after, was := qGet(t, ops, n), before[n]
		k := retriedIn[n]
		if after.DLQMessages != was.DLQMessages-k || after.MessagesPending != was.MessagesPending+k ||
			after.MessagesAccepted != was.MessagesAccepted {
			t.Errorf("%s after %d retries: pending %d dlq %d accepted %d; was %d %d %d",
				n, k, after.MessagesPending, after.DLQMessages, after.MessagesAccepted,
				was.MessagesPending, was.DLQMessages, was.MessagesAccepted)
		}
	}
}

func TestBulkRetryRetriesExactlyTheMatches(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ops, _ := qClients(ts)
	ctx := context.Background()
	for _, n := range seededQueues {
		before := qGet(t, ops, n)
		all := allLetters(t, ops, n, queues.Filter{})
		var match, rest []string
		for _, m := range all {
			if strings.Contains(strings.ToLower(m.Error), "timeout") {
				match = append(match, m.MessageID)
			} else {
				rest = append(rest, m.MessageID)
			}
		}
		if listed := ids(allLetters(t, ops, n, queues.Filter{ErrorContains: "TimeOut"})); !slices.Equal(listed, match) {
			t.Errorf("%s: listing with error_contains gave %v, want %v", n, listed, match)
		}
		res, err := ops.RetryAll(ctx, n, queues.Filter{ErrorContains: "timeout"})
		if err != nil {
			t.Fatalf("retry all in %s: %v", n, err)
		}
		if *res != (queues.RetryAllResult{Matched: len(match), Retried: len(match)}) {
			t.Errorf("%s: %+v, want %d matched and retried", n, *res, len(match))
		}
		if left := ids(allLetters(t, ops, n, queues.Filter{})); !slices.Equal(left, rest) {
			t.Errorf("%s: left in the DLQ %v, want %v", n, left, rest)
		}
		after := qGet(t, ops, n)
		if after.MessagesPending != before.MessagesPending+len(match) || after.DLQMessages != len(rest) {
			t.Errorf("%s: pending %d dlq %d, want %d and %d", n, after.MessagesPending, after.DLQMessages,
				before.MessagesPending+len(match), len(rest))
		}
		again, err := ops.RetryAll(ctx, n, queues.Filter{ErrorContains: "timeout"})
		if err != nil || *again != (queues.RetryAllResult{}) {
			t.Errorf("%s: second bulk retry = %+v, %v; want nothing matched", n, again, err)
		}
	}
}

func TestPurge(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ops, _ := qClients(ts)
	ctx := context.Background()

	// By age first: exactly the messages older than a day.
	before := qGet(t, ops, "notifications")
	old := allLetters(t, ops, "notifications", queues.Filter{OlderThanSeconds: 86400})
	for _, m := range old {
		if age := mockserver.Epoch().Sub(m.Timestamp); age < 24*time.Hour {
			t.Errorf("%s listed as older than a day, but is %v old", m.MessageID, age)
		}
	}
	if len(old) == 0 || len(old) == before.DLQMessages {
		t.Fatalf("%d of %d messages older than a day; the seed should have some of both", len(old), before.DLQMessages)
	}
	res, err := ops.Purge(ctx, "notifications", queues.Filter{OlderThanSeconds: 86400})
	if err != nil || *res != (queues.PurgeResult{Matched: len(old), Deleted: len(old)}) {
		t.Fatalf("purge older than a day = %+v, %v; want %d", res, err, len(old))
	}
	mid := qGet(t, ops, "notifications")
	if mid.DLQMessages != before.DLQMessages-len(old) || mid.MessagesDeleted != before.MessagesDeleted+int64(len(old)) {
		t.Errorf("after purging %d: dlq %d deleted %d; was %d %d", len(old), mid.DLQMessages, mid.MessagesDeleted,
			before.DLQMessages, before.MessagesDeleted)
	}

	// Then everything.
	res, err = ops.Purge(ctx, "notifications", queues.Filter{})
	if err != nil || res.Matched != mid.DLQMessages || res.Deleted != mid.DLQMessages {
		t.Fatalf("purge all = %+v, %v; want %d", res, err, mid.DLQMessages)
	}
	after := qGet(t, ops, "notifications")
	if after.DLQMessages != 0 || len(allLetters(t, ops, "notifications", queues.Filter{})) != 0 {
		t.Errorf("the DLQ is not empty after a purge: %d", after.DLQMessages)
	}
	if after.MessagesDeleted != before.MessagesDeleted+int64(before.DLQMessages) {
		t.Errorf("deleted %d, want %d", after.MessagesDeleted, before.MessagesDeleted+int64(before.DLQMessages))
	}
	if res, err := ops.Purge(ctx, "notifications", queues.Filter{}); err != nil || *res != (queues.PurgeResult{}) {
		t.Errorf("purging an empty DLQ = %+v, %v; want nothing matched", res, err)
	}
	if other := qGet(t, ops, "agent-tasks"); other.DLQMessages != 22 {
		t.Errorf("purging notifications changed agent-tasks: %d dead letters", other.DLQMessages)
	}
}

func TestBulkRetryRacesSingleCalls(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ops, _ := qClients(ts)
	ctx := context.Background()
	before := qGet(t, ops, "notifications")
	all := allLetters(t, ops, "notifications", queues.Filter{})

	var wg sync.WaitGroup
	var mu sync.Mutex
	single := 0
	var bulk *queues.RetryAllResult
	var purged *queues.PurgeResult
	wg.Add(len(all) + 2)
	go func() {
		defer wg.Done()
		r, err := ops.RetryAll(ctx, "notifications", queues.Filter{})
		if err != nil {
			t.Errorf("retry all: %v", err)
		}
		bulk = r
	}()
	go func() {
		defer wg.Done()
		r, err := ops.Purge(ctx, "notifications", queues.Filter{})
		if err != nil {
			t.Errorf("purge: %v", err)
		}
		purged = r
	}()
	for _, m := range all {
		go func() {
			defer wg.Done()
			if _, err := ops.Retry(ctx, "notifications", m.MessageID); err == nil {
				mu.Lock()
				single++
				mu.Unlock()
			} else if !errors.Is(err, platform.ErrNotFound) {
				t.Errorf("retry %s: %v", m.MessageID, err)
			}
		}()
	}
	wg.Wait()
	if bulk == nil || purged == nil {
		t.FailNow()
	}
	if got := single + bulk.Retried + purged.Deleted; got != len(all) {
		t.Errorf("%d single retries + %d bulk retries + %d purged = %d, want every one of the %d messages once",
			single, bulk.Retried, purged.Deleted, got, len(all))
	}
	after := qGet(t, ops, "notifications")
	if after.DLQMessages != 0 || after.MessagesPending != before.MessagesPending+single+bulk.Retried ||
		after.MessagesDeleted != before.MessagesDeleted+int64(purged.Deleted) {
		t.Errorf("after the race: %+v\nbefore: %+v", after, before)
	}
}

func TestConsumersDrainAsTheClockMoves(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	_, viewer := qClients(ts)
	prev := map[string]queues.QueueDetail{}
	for _, n := range seededQueues {
		prev[n] = qGet(t, viewer, n)
	}
	for step := range 30 { // 30 × 1 min
		ts.Advance(time.Minute)
		for _, n := range seededQueues {
			d, was := qGet(t, viewer, n), prev[n]
			if d.ConsumerLag > was.ConsumerLag || d.MessagesProcessed < was.MessagesProcessed ||
				d.MessagesAccepted < was.MessagesAccepted || d.DLQMessages != was.DLQMessages {
				t.Errorf("minute %d, %s: lag %d→%d processed %d→%d accepted %d→%d dlq %d→%d",
					step+1, n, was.ConsumerLag, d.ConsumerLag, was.MessagesProcessed, d.MessagesProcessed,
					was.MessagesAccepted, d.MessagesAccepted, was.DLQMessages, d.DLQMessages)
			}
			if was.ConsumerLag > 0 && d.MessagesPending >= was.MessagesPending {
				t.Errorf("minute %d, %s: pending %d→%d while the consumers were behind", step+1, n, was.MessagesPending, d.MessagesPending)
			}
			prev[n] = d
		}
	}
	want := map[string]queues.Status{
		// Caught up; what is left is the DLQ (≥ 20 dead letters).
		"agent-tasks": queues.StatusDegraded, "notifications": queues.StatusDegraded,
		"event-bus": queues.StatusHealthy, "webhooks": queues.StatusHealthy,
	}
	for _, n := range seededQueues {
		d := prev[n]
		if d.ConsumerLag != 0 || d.Status != want[n] {
			t.Errorf("%s after 30 min: lag %d status %s; want 0 and %s", n, d.ConsumerLag, d.Status, want[n])
		}
		if d.ErrorRate >= 0.005 {
			t.Errorf("%s after catching up: error rate %v, want the idle rate", n, d.ErrorRate)
		}
	}
	if got := prev["agent-tasks"].ThroughputPerSec; got != 44 {
		t.Errorf("agent-tasks throughput after catching up = %v, want the producers' 44/s", got)
	}
}

func TestRetriedMessagesAreProcessedOrFailAgain(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ops, _ := qClients(ts)
	ctx := context.Background()
	letters := allLetters(t, ops, "agent-tasks", queues.Filter{})
	// dlq-agent-tasks-001 is the first backend's "Connection timeout after
	// 30s", a passing error; find one that will not pass.
	var permanent queues.Message
	for _, m := range letters {
		if strings.Contains(m.Error, "schema validation") || strings.Contains(m.Error, "not found in the registry") ||
			strings.Contains(m.Error, "max_context_size") {
			permanent = m
			break
		}
	}
	if permanent.MessageID == "" {
		t.Fatal("no permanent error in agent-tasks")
	}
	for _, id := range []string{"dlq-agent-tasks-001", permanent.MessageID} {
		if _, err := ops.Retry(ctx, "agent-tasks", id); err != nil {
			t.Fatalf("retry %s: %v", id, err)
		}
	}
	before := qGet(t, ops, "agent-tasks")
	ts.Advance(time.Hour) // the consumers have long reached both
	after := qGet(t, ops, "agent-tasks")
	if after.DLQMessages != before.DLQMessages+1 {
		t.Errorf("dlq %d → %d, want the permanent failure back", before.DLQMessages, after.DLQMessages)
	}
	back := allLetters(t, ops, "agent-tasks", queues.Filter{ErrorContains: permanent.Error})
	i := slices.IndexFunc(back, func(m queues.Message) bool { return m.MessageID == permanent.MessageID })
	if i < 0 {
		t.Fatalf("%s is not back in the DLQ", permanent.MessageID)
	}
	if m := back[i]; m.RetryCount != permanent.RetryCount+1 || !m.Timestamp.After(mockserver.Epoch()) ||
		m.Timestamp.After(ts.Now()) {
		t.Errorf("back in the DLQ: %+v; want retry_count %d and a timestamp after the retry", m, permanent.RetryCount+1)
	}
	if last := allLetters(t, ops, "agent-tasks", queues.Filter{}); last[len(last)-1].MessageID != permanent.MessageID {
		t.Errorf("the message dead-lettered again is not last in the DLQ")
	}
	if _, err := ops.Retry(ctx, "agent-tasks", "dlq-agent-tasks-001"); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("the transient one should have been processed: retrying it again gave %v", err)
	}
}

func TestDLQPagesDoNotSkipWhileDeleting(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	ops, _ := qClients(ts)
	ctx := context.Background()
	want := ids(allLetters(t, ops, "notifications", queues.Filter{}))

	var seen []string
	opts := queues.DLQOptions{ListOptions: platform.ListOptions{PageSize: 4}}
	for pages := 0; ; pages++ {
		if pages > len(want) {
			t.Fatal("paging does not end")
		}
		p, err := ops.DLQPage(ctx, "notifications", opts)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		for _, m := range p.Items {
			seen = append(seen, m.MessageID)
			if err := ops.Delete(ctx, "notifications", m.MessageID); err != nil {
				t.Fatalf("delete %s: %v", m.MessageID, err)
			}
		}
		if p.NextPageToken == "" {
			break
		}
		opts.PageToken = p.NextPageToken
	}
	if !slices.Equal(seen, want) {
		t.Errorf("deleting while paging saw\n  %v\nwant\n  %v", seen, want)
	}

	// A token is bound to its queue and filters.
	p, err := ops.DLQPage(ctx, "agent-tasks", queues.DLQOptions{ListOptions: platform.ListOptions{PageSize: 2}})
	if err != nil || p.NextPageToken == "" {
		t.Fatalf("first page of agent-tasks: %v, next %q", err, p.NextPageToken)
	}
	for name, o := range map[string]struct {
		queue string
		f     queues.Filter
	}{"other queue": {"webhooks", queues.Filter{}}, "other filter": {"agent-tasks", queues.Filter{ErrorContains: "x"}}} {
		_, err := ops.DLQPage(ctx, o.queue, queues.DLQOptions{Filter: o.f, ListOptions: platform.ListOptions{PageToken: p.NextPageToken}})
		if !errors.Is(err, platform.ErrInvalidArgument) {
			t.Errorf("%s: %v, want ErrInvalidArgument", name, err)
		}
	}
}

func TestQueuesFeedTheDashboard(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	pc := ts.Client(mockserver.ViewerEmail)
	qc := queues.New(pc)
	ctx := context.Background()
	for range 2 {
		sum := 0
		for q, err := range qc.List(ctx, queues.ListOptions{}) {
			if err != nil {
				t.Fatal(err)
			}
			sum += q.MessagesPending
		}
		m, err := pc.Metrics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.MessagesPending != sum {
			t.Errorf("metrics messages_pending = %d, want the queues' %d", m.MessagesPending, sum)
		}
		h, err := pc.Health(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if h.Components["queues"] != platform.HealthDegraded {
			t.Errorf("health component queues = %q, want degraded", h.Components["queues"])
		}
		ts.Advance(time.Hour)
	}
}

func TestQueueListFilters(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	_, viewer := qClients(ts)
	ctx := context.Background()
	for _, tt := range []struct {
		opts queues.ListOptions
		want []string
	}{
		{queues.ListOptions{Status: queues.StatusHealthy}, []string{"event-bus", "webhooks"}},
		{queues.ListOptions{Status: queues.StatusCritical}, []string{"notifications"}},
		{queues.ListOptions{Q: "TASK"}, []string{"agent-tasks"}},
		{queues.ListOptions{ListOptions: platform.ListOptions{PageSize: 1}}, seededQueues},
		{queues.ListOptions{Status: queues.StatusDegraded, Q: "web"}, nil},
	} {
		var got []string
		for q, err := range viewer.List(ctx, tt.opts) {
			if err != nil {
				t.Fatalf("%+v: %v", tt.opts, err)
			}
			got = append(got, q.QueueName)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%+v: %v, want %v", tt.opts, got, tt.want)
		}
	}
}

func TestQueuesAreDeterministic(t *testing.T) {
	t.Parallel()
	snapshot := func() string {
		ts := mockserver.Start(t)
		ops, _ := qClients(ts)
		ctx := context.Background()
		var b strings.Builder
		ts.Advance(90 * time.Second)
		if _, err := ops.RetryAll(ctx, "agent-tasks", queues.Filter{}); err != nil {
			t.Fatal(err)
		}
		for _, step := range []time.Duration{7 * time.Second, 3 * time.Minute, 2 * time.Hour} {
			ts.Advance(step)
			for _, n := range seededQueues {
				d := qGet(t, ops, n)
				msgs := allLetters(t, ops, n, queues.Filter{})
				j, _ := json.Marshal(struct {
					D queues.QueueDetail
					M []queues.Message
				}{d, msgs})
				b.Write(j)
			}
		}
		return b.String()
	}
	if a, b := snapshot(), snapshot(); a != b {
		t.Errorf("two servers with the same calls on the same clock disagree:\n%s\n%s", a, b)
	}
}

func TestRetryReplaysWithTheSameIdempotencyKey(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	operator := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	c := mocktest.Call{Method: "POST", Path: qPath + "/event-bus/dlq/dlq-event-bus-001/retry", Token: operator,
		Header: map[string]string{"Idempotency-Key": "retry-once"}}
	first, again := mocktest.Do(t, ts, c), mocktest.Do(t, ts, c)
	if first.Status != 200 || again.Status != 200 || string(first.Raw) != string(again.Raw) ||
		again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("first %d %s, again %d %s (replayed %q); want the same answer replayed",
			first.Status, first.Raw, again.Status, again.Raw, again.Header.Get("Idempotent-Replayed"))
	}
	ops, _ := qClients(ts)
	if d := qGet(t, ops, "event-bus"); d.DLQMessages != 7 {
		t.Errorf("event-bus dlq = %d after one retry replayed, want 7", d.DLQMessages)
	}
}

// queueRoutes are the routes TestQueueContractWalk must see answer every
// documented status (but 429 and 5XX, which need injected faults).
var queueRoutes = []string{
	"GET /api/platform/queues",
	"GET /api/platform/queues/{name}",
	"GET /api/platform/queues/{name}/dlq",
	"POST /api/platform/queues/{name}/dlq/{message_id}/retry",
	"DELETE /api/platform/queues/{name}/dlq/{message_id}",
	"POST /api/platform/queues/{name}/dlq/retry",
	"POST /api/platform/queues/{name}/dlq/purge",
}

// TestQueueContractWalk provokes every documented answer of the queue
// routes on a server whose traffic is validated against the contract.
func TestQueueContractWalk(t *testing.T) {
	t.Parallel()
	cov := apitest.NewCoverage()
	ts := apitest.Start(t, cov.Option())
	viewer := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	operator := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	textPlain := map[string]string{"Content-Type": "text/plain"}
	big := "{" + strings.Repeat(" ", 1<<20) + "}"
	// Each route acts on messages of its own (webhooks has 14), and the
	// bulk routes come last.
	msgs := map[string][2]string{
		"POST /api/platform/queues/{name}/dlq/{message_id}/retry": {"dlq-webhooks-001", "dlq-webhooks-002"},
		"DELETE /api/platform/queues/{name}/dlq/{message_id}":     {"dlq-webhooks-003", "dlq-webhooks-004"},
	}
	for _, r := range queueRoutes {
		method, pattern, _ := strings.Cut(r, " ")
		at := func(queue, msg string) string {
			return strings.NewReplacer("{name}", queue, "{message_id}", msg).Replace(pattern)
		}
		m := msgs[r]
		if m[0] == "" {
			m = [2]string{"dlq-webhooks-005", "dlq-webhooks-006"}
		}
		body := ""
		if method == "POST" {
			body = "{}"
		}
		mocktest.Do(t, ts, mocktest.Call{Method: method, Path: at("webhooks", m[0]), Token: operator, Body: body})
		mocktest.Do(t, ts, mocktest.Call{Method: method, Path: at("webhooks", m[0])})
		mocktest.Do(t, ts, mocktest.Call{Method: method, Path: at("webhooks", m[0]), Token: viewer, Body: body})
		mocktest.Do(t, ts, mocktest.Call{Method: method, Path: at("nope", m[0]), Token: operator, Body: body})
		mocktest.Do(t, ts, mocktest.Call{Method: method, Path: at("a%20b", m[0]), Token: operator, Body: body})
		if method == "GET" {
			mocktest.Do(t, ts, mocktest.Call{Method: method, Path: at("webhooks", m[0]) + "?page_size=9999", Token: operator})
			continue
		}
		mocktest.Do(t, ts, mocktest.Call{Method: method, Path: at("webhooks", m[1]), Token: operator, Body: "x", Header: textPlain})
		mocktest.Do(t, ts, mocktest.Call{Method: method, Path: at("webhooks", m[1]), Token: operator, Body: big})
		key := map[string]string{"Idempotency-Key": "walk " + r}
		mocktest.Do(t, ts, mocktest.Call{Method: method, Path: at("webhooks", m[1]), Token: operator, Body: body, Header: key})
		mocktest.Do(t, ts, mocktest.Call{Method: method, Path: at("webhooks", m[1]), Token: operator, Body: `{"x":1}`, Header: key})
	}
	var missing []string
	for _, m := range cov.Missing(t, queueRoutes...) {
		// 409 is a request whose Idempotency-Key is still in flight: the
		// walk cannot hold one open. 429 and 5XX need injected faults.
		if strings.HasSuffix(m, " 409") || strings.HasSuffix(m, " 429") || strings.HasSuffix(m, " 5XX") {
			continue
		}
		missing = append(missing, m)
	}
	if len(missing) > 0 {
		t.Errorf("documented answers the walk never saw:\n  %s", strings.Join(missing, "\n  "))
	}
}

// BenchmarkQueueReads measures the reads a dashboard polls: the queue list
// and a page of dead letters, with the consumers moving between reads.
func BenchmarkQueueReads(b *testing.B) {
	s := mockserver.New()
	tok, err := s.Token(mockserver.ViewerEmail, "", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	rt := s.Transport()
	get := func(path string) {
		req, err := http.NewRequest("GET", "http://mock"+path, nil)
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := rt.RoundTrip(req)
		if err != nil {
			b.Fatalf("GET %s: %v", path, err)
		}
		if resp.StatusCode != 200 {
			b.Fatalf("GET %s: %s", path, resp.Status)
		}
		resp.Body.Close()
	}
	b.ReportAllocs()
	for b.Loop() {
		s.Advance(time.Second)
		get(qPath)
		get(qPath + "/notifications/dlq?page_size=50&error_contains=smtp")
	}
}

// FuzzDLQFilters sends arbitrary filters to the DLQ list and the bulk
// routes: the answer is 200 or 400, never a failure of the server, and
// every message stays accounted for.
func FuzzDLQFilters(f *testing.F) {
	f.Add(`{}`, "error_contains=timeout", true)
	f.Add(`{"error_contains":"503","older_than_seconds":3600}`, "older_than_seconds=86400&page_size=3", false)
	f.Add(`{"older_than_seconds":-1}`, "page_token=AAAAAQAAAAAAAAAA", true)
	f.Add(`{"error_contains":null,"older_than_seconds":1e3}`, "older_than_seconds=1e3&error_contains=%00", false)
	f.Add(`{"older_than_seconds":9223372036854775807}`, "older_than_seconds=-9223372036854775808", true)
	s := mockserver.New()
	rt := s.Transport()
	var tok string // minted after each reset, which revokes sessions
	send := func(t *testing.T, method, target, body string) (int, []byte) {
		var r *http.Request
		var err error
		if body == "" {
			r, err = http.NewRequest(method, "http://mock"+target, nil)
		} else {
			r, err = http.NewRequest(method, "http://mock"+target, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
		}
		if err != nil {
			t.Skip() // not a request a client could send
		}
		r.Header.Set("Authorization", "Bearer "+tok)
		resp, err := rt.RoundTrip(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		if _, err := io.Copy(&b, resp.Body); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, []byte(b.String())
	}
	f.Fuzz(func(t *testing.T, body, query string, purge bool) {
		s.Reset()
		var err error
		if tok, err = s.Token(mockserver.OperatorEmail, "", time.Hour); err != nil {
			t.Fatal(err)
		}
		if st, raw := send(t, "GET", qPath+"/agent-tasks/dlq?"+query, ""); st != 200 && st != 400 {
			t.Fatalf("GET dlq?%s: %d %s", query, st, raw)
		}
		action := "retry"
		if purge {
			action = "purge"
		}
		st, raw := send(t, "POST", qPath+"/agent-tasks/dlq/"+action, body)
		if st != 200 && st != 400 {
			t.Fatalf("POST %s %q: %d %s", action, body, st, raw)
		}
		_, raw = send(t, "GET", qPath+"/agent-tasks", "")
		var d queues.QueueDetail
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatal(err)
		}
		mocktest.CheckConserved(t, d)
		if st == 400 && d.DLQMessages != 22 {
			t.Errorf("a refused %s changed the DLQ: %d messages", action, d.DLQMessages)
		}
	})
}

// An unknown queue or dead letter is 404 before the body is read: a
// text/plain, oversized or malformed body does not turn it into a 415, 413
// or 400.
func TestQueueUnknownPathBeforeBody(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	operator := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	mocktest.CheckUnknownBeforeBody(t, ts, operator, []mocktest.UnknownPath{
		{Name: "bulk retry, unknown queue", Method: "POST", Path: qPath + "/nope/dlq/retry"},
		{Name: "purge, unknown queue", Method: "POST", Path: qPath + "/nope/dlq/purge"},
		{Name: "retry, unknown queue", Method: "POST", Path: qPath + "/nope/dlq/dlq-webhooks-001/retry"},
		{Name: "retry, unknown message", Method: "POST", Path: qPath + "/webhooks/dlq/dlq-nope/retry"},
		{Name: "delete, unknown queue", Method: "DELETE", Path: qPath + "/nope/dlq/dlq-webhooks-001"},
		{Name: "delete, unknown message", Method: "DELETE", Path: qPath + "/webhooks/dlq/dlq-nope"},
	}, []string{`queue "nope"`, `queue "nope"`, `queue "nope"`, `"dlq-nope"`, `queue "nope"`, `"dlq-nope"`})
	ops, _ := qClients(ts)
	if d := qGet(t, ops, "webhooks"); d.DLQMessages != 14 {
		t.Errorf("webhooks dlq = %d after refused calls, want the seeded 14", d.DLQMessages)
	}
}

// A retried or deleted dead letter has left the DLQ, yet the same call
// with the same Idempotency-Key is replayed (or refused with 422 for
// another body) rather than answered 404; without a known key it is 404,
// after the body checks (the message did exist).
func TestDeadLetterGoneButItsKeyReplays(t *testing.T) {
	t.Parallel()
	ts := apitest.Start(t)
	operator := mocktest.Token(t, ts, mockserver.OperatorEmail, "operator")
	for _, tc := range []struct {
		method, path, body string
		status             int
	}{
		{"DELETE", qPath + "/webhooks/dlq/dlq-webhooks-001", "", 204},
		{"POST", qPath + "/webhooks/dlq/dlq-webhooks-002/retry", "{}", 200},
	} {
		key := map[string]string{"Idempotency-Key": "gone-" + tc.method}
		c := mocktest.Call{Method: tc.method, Path: tc.path, Token: operator, Body: tc.body, Header: key}
		first, again := mocktest.Do(t, ts, c), mocktest.Do(t, ts, c)
		if first.Status != tc.status || again.Status != tc.status || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("%s %s: first %d, again %d (replayed %q), want %d replayed", tc.method, tc.path,
				first.Status, again.Status, again.Header.Get("Idempotent-Replayed"), tc.status)
		}
		c.Body = `{"x":1}`
		if a := mocktest.Do(t, ts, c); a.Status != 422 {
			t.Errorf("%s %s, same key, other body: %d %s, want 422", tc.method, tc.path, a.Status, a.Raw)
		}
		c.Body, c.Header = tc.body, map[string]string{"Idempotency-Key": "other-" + tc.method}
		if a := mocktest.Do(t, ts, c); a.Status != 404 {
			t.Errorf("%s %s, new key, message gone: %d %s, want 404", tc.method, tc.path, a.Status, a.Raw)
		}
		c.Header = nil
		if a := mocktest.Do(t, ts, c); a.Status != 404 {
			t.Errorf("%s %s, no key, message gone: %d %s, want 404", tc.method, tc.path, a.Status, a.Raw)
		}
		// The message existed, so the body is checked before its absence.
		c.Body, c.Header = "x", map[string]string{"Content-Type": "text/plain"}
		if a := mocktest.Do(t, ts, c); a.Status != 415 {
			t.Errorf("%s %s, text/plain, message gone: %d %s, want 415", tc.method, tc.path, a.Status, a.Raw)
		}
	}
}
