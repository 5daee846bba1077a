package mockserver_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
)

// Seed exactly what a test needs and use the ids it returns with the SDK.
func ExampleServer_Seed() {
	srv := mockserver.New(mockserver.WithEmptyStart())
	res, err := srv.Seed(mockserver.Seed{
		Customers:   []mockserver.Customer{{CustomerID: "cust-hooli", CompanyName: "Hooli"}},
		Agents:      []platform.Agent{{Name: "Hooli Helper", CustomerID: "cust-hooli"}},
		Queues:      []mockserver.SeedQueue{{QueueName: "tickets", MessagesPending: 12, ThroughputPerSec: 2}},
		DeadLetters: []queues.Message{{QueueName: "tickets", Error: "search index unavailable"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Agents, res.DeadLetters)

	pc, _ := platform.New(platform.WithBaseURL("http://mock.test"), platform.WithoutEnvironment(),
		platform.WithHTTPClient(&http.Client{Transport: srv.Transport()}),
		platform.WithTokenSource(srv.TokenSource(mockserver.OperatorEmail)))
	a, _ := pc.Agents.Get(context.Background(), res.Agents[0])
	d, _ := queues.New(pc).Get(context.Background(), "tickets")
	fmt.Println(a.Name, a.Status, a.Tier)
	fmt.Println(d.MessagesPending, d.DLQMessages, d.MessagesAccepted)

	// A seed with a problem adds nothing and says where the problem is.
	_, err = srv.Seed(mockserver.Seed{Agents: []platform.Agent{{Name: "Fine"}, {Name: "hooli helper"}}})
	var se *mockserver.SeedError
	if errors.As(err, &se) {
		fmt.Println(se.Problems[0].Path+":", se.Problems[0].Issue)
	}
	// Output:
	// [agent-101] [dlq-tickets-001]
	// Hooli Helper online Business
	// 12 1 13
	// agents[1].name: agent agent-101 is named "hooli helper" already
}

// A fixture's errors name the file, the JSON path and what was expected.
func ExampleLoadSeedFile() {
	dir, _ := os.MkdirTemp("", "fixtures")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "acme.json")
	os.WriteFile(path, []byte(`{"agents": [{"name": "A"}, {"name": "B"}, {"name": "C", "capabilities": 3}]}`), 0o600)

	_, err := mockserver.LoadSeedFile(path)
	fmt.Println(strings.TrimPrefix(err.Error(), dir+string(filepath.Separator)))
	// Output:
	// acme.json: agents[2].capabilities: want an array of strings, got a number
}
