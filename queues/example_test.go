package queues_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
)

// mockClient is a queues client for an in-process mock server, signed in
// as its demo operator. In a test, use mockserver.Start(t) and ts.Client.
func mockClient() (*queues.Client, *mockserver.Server) {
	srv := mockserver.New()
	pc, err := platform.New(
		platform.WithBaseURL("http://mock.invalid"),
		platform.WithHTTPClient(&http.Client{Transport: srv.Transport()}),
		platform.WithTokenSource(srv.TokenSource(mockserver.OperatorEmail)),
		platform.WithoutEnvironment(),
	)
	if err != nil {
		panic(err)
	}
	return queues.New(pc), srv
}

func Example() {
	qc, _ := mockClient()
	ctx := context.Background()
	for q, err := range qc.List(ctx, queues.ListOptions{}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-13s %-8s pending %4d  lag %3d  errors %.1f%%  dlq %d\n",
			q.QueueName, q.Status, q.MessagesPending, q.ConsumerLag, q.ErrorRate*100, q.DLQMessages)
	}
	// Output:
	// agent-tasks   degraded pending 1523  lag 234  errors 0.8%  dlq 22
	// event-bus     healthy  pending   89  lag  12  errors 0.1%  dlq 8
	// notifications critical pending 2341  lag 890  errors 2.3%  dlq 30
	// webhooks      healthy  pending   45  lag   5  errors 0.3%  dlq 14
}

func ExampleClient_DLQ() {
	qc, _ := mockClient()
	ctx := context.Background()
	opts := queues.DLQOptions{Filter: queues.Filter{ErrorContains: "503"}}
	for m, err := range qc.DLQ(ctx, "webhooks", opts) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(m.MessageID, m.RetryCount, m.Error)
	}
	// Output:
	// dlq-webhooks-001 4 target answered 503 Service Unavailable
	// dlq-webhooks-006 5 target answered 503 Service Unavailable
}

func ExampleClient_Retry() {
	qc, srv := mockClient()
	ctx := context.Background()
	m, err := qc.Retry(ctx, "agent-tasks", "dlq-agent-tasks-001")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s back on its queue, retry %d (%s)\n", m.MessageID, m.RetryCount, m.Error)

	// Someone else got there first: the message is no longer in the DLQ.
	_, err = qc.Retry(ctx, "agent-tasks", "dlq-agent-tasks-001")
	fmt.Println("again:", errors.Is(err, platform.ErrNotFound))

	// The consumers reach it as the clock moves; it passes this time.
	srv.Advance(10 * time.Minute)
	q, _ := qc.Get(ctx, "agent-tasks")
	fmt.Println("dead letters:", q.DLQMessages)
	// Output:
	// dlq-agent-tasks-001 back on its queue, retry 4 (Connection timeout after 30s)
	// again: true
	// dead letters: 21
}

func ExampleClient_RetryAll() {
	qc, _ := mockClient()
	ctx := context.Background()
	res, err := qc.RetryAll(ctx, "notifications", queues.Filter{ErrorContains: "timeout"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("retried %d of %d\n", res.Retried, res.Matched)

	// Dead letters older than a day will not be missed.
	purged, err := qc.Purge(ctx, "notifications", queues.Filter{OlderThanSeconds: 24 * 3600})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("deleted %d of %d\n", purged.Deleted, purged.Matched)

	q, _ := qc.Get(ctx, "notifications")
	fmt.Println(q.MessagesAccepted == int64(q.MessagesPending)+int64(q.DLQMessages)+q.MessagesProcessed+q.MessagesDeleted)
	// Output:
	// retried 4 of 4
	// deleted 13 of 13
	// true
}
