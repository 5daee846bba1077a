package mockserver_test

import (
	"context"
	"fmt"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
)

func ExampleServer_NewClient() {
	// In a test: ts := mockserver.Start(t); pc := ts.Client(...). Here, a
	// server without a listener and a client it serves in-process.
	srv := mockserver.New()
	pc, err := srv.NewClient(mockserver.OperatorEmail)
	if err != nil {
		fmt.Println(err)
		return
	}
	a, err := pc.Agents.Restart(context.Background(), "wow-memory")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Name, a.Status)
	srv.Advance(30 * time.Second)
	a, _ = pc.Agents.Get(context.Background(), "wow-memory")
	fmt.Println(a.Name, a.Status)
	// Output:
	// WowMemory starting
	// WowMemory online
}
