package waooaw_test

import (
	"context"
	"errors"
	"fmt"

	waooaw "github.com/waooaw/waooaw-go"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
)

// The tour: one client, every area a field of it. Here the platform is a
// mock server served in-process; against the real one, waooaw.New() reads
// $WAOOAW_API_URL and the credentials in the environment.
func Example() {
	srv := mockserver.New()
	c, err := waooaw.New(srv.ClientOptions(mockserver.OperatorEmail)...)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	m, err := c.Platform.Metrics(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d of %d agents online\n", m.ActiveAgents, m.TotalAgents)

	for a, err := range c.Agents.List(ctx, platform.AgentListOptions{Tier: platform.TierPlatformCoE}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(a.AgentID, a.Status)
		break
	}

	q, err := c.Queues.Get(ctx, "notifications")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.QueueName, q.Status)

	res, err := c.Queues.RetryAll(ctx, "notifications", queues.Filter{ErrorContains: "timeout"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("retried %d of %d\n", res.Retried, res.Matched)
	// Output:
	// 15 of 19 agents online
	// wow-vision-prime online
	// notifications critical
	// retried 4 of 4
}

// Errors are matched with errors.Is; the request id is in the error, and
// WithResponse gives it for calls that succeed too.
func ExampleNew_errors() {
	srv := mockserver.New()
	c, err := waooaw.New(srv.ClientOptions(mockserver.ViewerEmail)...)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.Agents.Restart(context.Background(), "wow-memory")
	switch {
	case errors.Is(err, platform.ErrPermissionDenied):
		fmt.Println("restarting needs the operator role")
	case err != nil:
		fmt.Println(err)
	}

	var r platform.Response
	if _, err := c.Platform.Health(platform.WithResponse(context.Background(), &r)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.StatusCode, r.RequestID != "")
	// Output:
	// restarting needs the operator role
	// 200 true
}
