package platform_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

// mockClient is a client of an in-process mock server (no listener),
// signed in as the operator.
func mockClient(srv *mockserver.Server, opts ...platform.Option) *platform.Client {
	pc, err := platform.New(append([]platform.Option{platform.WithBaseURL("http://mock.invalid"), platform.WithoutEnvironment(),
		platform.WithHTTPClient(&http.Client{Transport: srv.Transport()}),
		platform.WithTokenSource(srv.TokenSource(mockserver.OperatorEmail))}, opts...)...)
	if err != nil {
		log.Fatal(err)
	}
	return pc
}

// Follow the agents as they change: a restart is published at once, and
// the agent's coming online when it happens (here, when the mock server's
// clock is moved on).
func ExampleClient_Events() {
	srv := mockserver.New()
	pc := mockClient(srv)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	stream, err := pc.Events(ctx, platform.EventFilter{Topics: []platform.EventTopic{platform.TopicAgents}})
	if err != nil {
		log.Fatal(err)
	}
	defer stream.Close()

	if _, err := pc.Agents.Restart(ctx, "wow-memory"); err != nil {
		log.Fatal(err)
	}
	srv.Advance(30 * time.Second)
	for range 2 {
		ev, err := stream.Next()
		if err != nil {
			log.Fatal(err)
		}
		var a platform.Agent
		if err := ev.Decode(&a); err != nil {
			log.Fatal(err)
		}
		fmt.Println(ev.Time.Format(time.TimeOnly), ev.Type, a.AgentID, a.Status)
	}
	// Output:
	// 10:00:00 agents.status_changed wow-memory starting
	// 10:00:30 agents.status_changed wow-memory online
}

// Read the errors an agent logged, newest first.
func ExampleLogService_List() {
	pc := mockClient(mockserver.New())
	opts := platform.LogListOptions{AgentID: "wow-search", Level: platform.LogError}
	for l, err := range pc.Logs.List(context.Background(), opts) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(l.Timestamp.Format(time.TimeOnly), l.Level, l.Message)
	}
	// Output:
	// 09:13:00 ERROR Health check failed 3 times: agent WowSearch is now in error
}

// Take the critical alerts: acknowledge each active one.
func ExampleAlertService_Acknowledge() {
	pc := mockClient(mockserver.New())
	ctx := context.Background()
	opts := platform.AlertListOptions{Severity: platform.AlertCritical, Status: platform.AlertActive}
	for a, err := range pc.Alerts.List(ctx, opts) {
		if err != nil {
			log.Fatal(err)
		}
		acked, err := pc.Alerts.Acknowledge(ctx, a.AlertID)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(acked.AlertID, acked.Title, "→", acked.Status, "by", acked.AcknowledgedBy)
	}
	// Output:
	// alert-4 WowSearch is in error → acknowledged by ops@waooaw.ai
}

// Follow one agent by polling, where an event stream is not wanted.
func ExampleAgentService_Watch() {
	srv := mockserver.New()
	pc := mockClient(srv, platform.WithPollInterval(10*time.Millisecond))
	ctx := context.Background()
	if _, err := pc.Agents.Restart(ctx, "wow-search"); err != nil {
		log.Fatal(err)
	}
	for a, err := range pc.Agents.Watch(ctx, "wow-search") {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(a.AgentID, a.Status, a.Health)
		if a.Status == platform.AgentOnline {
			break
		}
		srv.Advance(30 * time.Second) // the mock's clock; a real agent takes its time
	}
	// Output:
	// wow-search starting unhealthy
	// wow-search online healthy
}
