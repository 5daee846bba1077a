package server_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
	"github.com/waooaw/waooaw-go/workflows"
)

var soakFor = flag.Duration("soak", 3*time.Second, "how long TestSoak runs (the README's figures: -soak 60s)")

// TestSoak runs 32 workers over loopback against one server for -soak
// (3 s by default, 60 s for the README's figures): every area read and
// written, factory creates racing for the same names, DLQ retries and
// deletes, a fault answering 10% of the queue list with 503, and the clock
// advancing. At the end: no 5xx but the faults', every queue's counters
// account for every message, no name was created twice, every status is a
// legal one, and no goroutine is left behind.
func TestSoak(t *testing.T) {
	if *soakFor <= 0 || *soakFor > 10*time.Minute {
		t.Fatalf("-soak %v: want 0 < d <= 10m", *soakFor)
	}
	leaks := goleak.IgnoreCurrent()
	s := mockserver.New()
	hs := httptest.NewServer(s.Handler())
	if _, err := s.AddFault(mockserver.Fault{Method: "GET", Path: "/api/platform/queues", Status: 503, Percent: 10}); err != nil {
		t.Fatal(err)
	}
	// The clock runs ~4 h of its time a minute: the token outlives the soak.
	tok, err := s.Token(mockserver.AdminEmail, "admin", 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	client := hs.Client()
	call := func(method, path, body string) (int, []byte, time.Duration, error) {
		req, _ := http.NewRequest(method, hs.URL+path, nil)
		if body != "" {
			req, _ = http.NewRequest(method, hs.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, 0, err
		}
		defer resp.Body.Close()
		buf, err := io.ReadAll(resp.Body)
		return resp.StatusCode, buf, time.Since(start), err
	}

	var (
		mu        sync.Mutex
		statuses  = map[int]int{}
		latencies []time.Duration
		created   = map[string]int{} // agent name → 202 answers
		failures  []string
		served    atomic.Int64
		nameSeq   atomic.Int64
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		if len(failures) < 10 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
		mu.Unlock()
	}
	deadline := time.Now().Add(*soakFor)
	var wg sync.WaitGroup
	for w := range 32 {
		wg.Go(func() {
			var lat []time.Duration
			for i := w; time.Now().Before(deadline); i++ {
				method, path, body := "", "", ""
				switch i % 8 {
				case 0: // two workers race for each name
					name := fmt.Sprintf("soak-agent-%d", nameSeq.Add(1)/2)
					method, path = "POST", "/api/platform/factory/agents"
					body = `{"template_id":"tmpl-memory","agent_name":"` + name + `"}`
				case 1:
					method, path, body = "POST", "/api/platform/queues/notifications/dlq/retry", `{}`
				case 2:
					// Delete the first dead letter of a queue, racing the others.
					_, b, _, err := call("GET", "/api/platform/queues/agent-tasks/dlq?page_size=1", "")
					var page struct {
						Messages []queues.Message `json:"messages"`
					}
					if err == nil && json.Unmarshal(b, &page) == nil && len(page.Messages) > 0 {
						method, path = "DELETE", "/api/platform/queues/agent-tasks/dlq/"+page.Messages[0].MessageID
					} else {
						method, path = "GET", "/api/platform/queues/agent-tasks"
					}
				default:
					c := areaCalls[(i/8+w)%len(areaCalls)]
					method, path, body = c[0], c[1], c[2]
				}
				status, b, d, err := call(method, path, body)
				if err != nil {
					fail("%s %s: %v", method, path, err)
					continue
				}
				served.Add(1)
				lat = append(lat, d)
				mu.Lock()
				statuses[status]++
				if status == 404 && method != "DELETE" { // deletes race each other: 404 is their answer
					fail("%s %s: 404 %s", method, path, b)
				}
				if method == "POST" && path == "/api/platform/factory/agents" && status == http.StatusAccepted {
					created[strings.Split(strings.Split(body, `"agent_name":"`)[1], `"`)[0]]++
				}
				mu.Unlock()
				faulted := status == 503 && method == "GET" && path == "/api/platform/queues"
				if status >= 500 && !faulted || status == 401 || status == 400 {
					fail("%s %s: %d %s", method, path, status, b)
				}
			}
			mu.Lock()
			latencies = append(latencies, lat...)
			mu.Unlock()
		})
	}
	wg.Add(1)
	go func() { // the clock moves while the workers work
		defer wg.Done()
		for time.Now().Before(deadline) {
			s.Advance(5 * time.Second)
			time.Sleep(20 * time.Millisecond)
		}
	}()
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}

	// Invariants.
	s.ClearFaults()
	get := func(path string, v any) {
		t.Helper()
		status, b, _, err := call("GET", path, "")
		if err != nil || status != http.StatusOK {
			t.Fatalf("GET %s: %d %v %s", path, status, err, b)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	var qs struct{ Queues []queues.Queue }
	get("/api/platform/queues?page_size=500", &qs)
	for _, q := range qs.Queues {
		var d queues.QueueDetail
		get("/api/platform/queues/"+q.QueueName, &d)
		if sum := int64(d.MessagesPending) + int64(d.DLQMessages) + d.MessagesProcessed + d.MessagesDeleted; sum != d.MessagesAccepted {
			t.Errorf("queue %s: accepted %d, but pending %d + dlq %d + processed %d + deleted %d = %d",
				q.QueueName, d.MessagesAccepted, d.MessagesPending, d.DLQMessages, d.MessagesProcessed, d.MessagesDeleted, sum)
		}
		if !slices.Contains([]queues.Status{queues.StatusHealthy, queues.StatusDegraded, queues.StatusCritical}, d.Status) {
			t.Errorf("queue %s: status %q", q.QueueName, d.Status)
		}
	}
	var agents []platform.Agent
	for tok := ""; ; {
		var as struct {
			Agents        []platform.Agent
			NextPageToken string `json:"next_page_token"`
		}
		get("/api/platform/agents?page_size=500&page_token="+tok, &as)
		agents = append(agents, as.Agents...)
		if tok = as.NextPageToken; tok == "" {
			break
		}
	}
	names := map[string]int{}
	for _, a := range agents {
		names[strings.ToLower(a.Name)]++
		if !slices.Contains([]platform.AgentStatus{platform.AgentOnline, platform.AgentOffline, platform.AgentStarting,
			platform.AgentStopping, platform.AgentError, platform.AgentProvisioning}, a.Status) {
			t.Errorf("agent %s: status %q", a.AgentID, a.Status)
		}
	}
	for name, n := range created {
		if n != 1 || names[name] != 1 {
			t.Errorf("agent %q: created %d times, listed %d times", name, n, names[name])
		}
	}
	var ws struct{ Workflows []workflows.Workflow }
	get("/api/platform/orchestration/workflows?page_size=500", &ws)
	for _, w := range ws.Workflows {
		if !w.Status.Valid() {
			t.Errorf("workflow %s: status %q", w.WorkflowID, w.Status)
		}
	}
	var al struct{ Alerts []platform.Alert }
	get("/api/platform/alerts?page_size=500", &al)
	for _, a := range al.Alerts {
		if !a.Status.Valid() || !a.Severity.Valid() {
			t.Errorf("alert %s: status %q severity %q", a.AlertID, a.Status, a.Severity)
		}
	}

	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	n := served.Load()
	if n == 0 {
		t.Fatal("no request was served")
	}
	pct := func(p float64) time.Duration { return latencies[int(float64(len(latencies)-1)*p)] }
	t.Logf("soak %v, 32 workers: %d requests (%.0f/s), %d agents created, statuses %v, latency p50 %v p99 %v max %v",
		*soakFor, n, float64(n)/soakFor.Seconds(), len(created), statuses, pct(0.5), pct(0.99), latencies[len(latencies)-1])

	hs.Close()
	goleak.VerifyNone(t, leaks)
}
