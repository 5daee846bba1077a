// Command loadtest measures the mock server's throughput against a bare
// net/http handler that serves the same answers, byte for byte, encoding
// them on every request, in the same run, over loopback:
//
//	go run ./internal/loadtest -c 64 -d 5s -rounds 3
//
// Two mixes, each alternating the two servers for the given rounds:
//
//	read   GET /api/platform/agents with a valid token (the mock: JWT
//	       auth, routing, journal, paging, its answer cache)
//	rw     nine such reads to one POST /api/platform/agents/{id}/restart,
//	       which changes the state (so the mock's cache starts over), the
//	       bare handler keeping the same agents in a map under a mutex
//
// -clock real runs the mock on a real clock, as cmd/waooaw-mock does by
// default: the time moves on every request, so its answer cache serves
// nothing. It prints requests per second for each and the ratio
// mock/bare (goals: read >= 1.0, rw >= 0.6). It sends traffic to 127.0.0.1 only and stops by
// itself.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

func main() {
	conc := flag.Int("c", 64, "concurrent connections")
	dur := flag.Duration("d", 5*time.Second, "duration of each measurement")
	rounds := flag.Int("rounds", 3, "rounds (each measures both servers)")
	mix := flag.String("mix", "read,rw", "mixes to run: read, rw")
	clock := flag.String("clock", "frozen", "the mock's clock: frozen (as in Go tests: reads are cached while it stands) or real (as cmd/waooaw-mock runs by default: the time moves on every request)")
	flag.Parse()
	if *conc < 1 || *conc > 1024 || *dur <= 0 || *dur > time.Minute || *rounds < 1 || *rounds > 20 {
		fmt.Fprintln(os.Stderr, "loadtest: need 1 <= -c <= 1024, 0 < -d <= 1m, 1 <= -rounds <= 20")
		os.Exit(2)
	}
	if *clock != "frozen" && *clock != "real" {
		fmt.Fprintf(os.Stderr, "loadtest: -clock %q: want frozen or real\n", *clock)
		os.Exit(2)
	}
	for _, m := range strings.Split(*mix, ",") {
		if m != "read" && m != "rw" {
			fmt.Fprintf(os.Stderr, "loadtest: unknown mix %q: use read, rw\n", m)
			os.Exit(2)
		}
		if err := run(m, *clock == "real", *conc, *dur, *rounds); err != nil {
			fmt.Fprintln(os.Stderr, "loadtest:", err)
			os.Exit(1)
		}
	}
}

// bare is a hand-written server of the two routes: the agents in a map
// under a mutex, every answer encoded on every request.
type bare struct {
	mu     sync.Mutex
	agents []platform.Agent
	byID   map[string]int
}

func (b *bare) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var v any
	b.mu.Lock()
	if r.Method == http.MethodPost {
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/api/platform/agents/"), "/restart")
		i, ok := b.byID[id]
		if !ok {
			b.mu.Unlock()
			http.Error(w, "no agent", http.StatusNotFound)
			return
		}
		b.agents[i].Status = platform.AgentStarting
		v = b.agents[i]
	} else {
		v = struct {
			Agents        []platform.Agent `json:"agents"`
			NextPageToken string           `json:"next_page_token"`
			Total         int              `json:"total"`
		}{b.agents, "", len(b.agents)}
	}
	out, err := json.Marshal(v)
	b.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(out, '\n'))
}

func run(mix string, realClock bool, conc int, dur time.Duration, rounds int) error {
	var opts []mockserver.Option
	if realClock {
		opts = append(opts, mockserver.WithRealClock())
	}
	mock := mockserver.New(opts...)
	tok, err := mock.Token(mockserver.OperatorEmail, "operator", 24*time.Hour)
	if err != nil {
		return err
	}
	mockURL, stopMock, err := serve(mock)
	if err != nil {
		return err
	}
	defer stopMock()

	// The bare handler holds the very agents the mock server holds, and
	// must answer the same bytes.
	pc, err := platform.New(platform.WithBaseURL(mockURL), platform.WithoutEnvironment(),
		platform.WithTokenSource(mock.TokenSource(mockserver.OperatorEmail)))
	if err != nil {
		return err
	}
	page, err := pc.Agents.ListPage(context.Background(), platform.AgentListOptions{})
	if err != nil {
		return err
	}
	b := &bare{agents: page.Items, byID: map[string]int{}}
	for i, a := range page.Items {
		b.byID[a.AgentID] = i
	}
	bareURL, stopBare, err := serve(b)
	if err != nil {
		return err
	}
	defer stopBare()
	mockBody, err := fetch(mockURL+"/api/platform/agents", tok)
	if err != nil {
		return err
	}
	bareBody, err := fetch(bareURL+"/api/platform/agents", "")
	if err != nil {
		return err
	}
	if !bytes.Equal(mockBody, bareBody) {
		return fmt.Errorf("the bare handler's answer differs from the mock's:\n mock %.200s\n bare %.200s", mockBody, bareBody)
	}

	var ids []string
	if mix == "rw" {
		for _, a := range page.Items {
			ids = append(ids, a.AgentID)
		}
	}
	fmt.Printf("mix %s, %s clock: GET /api/platform/agents (%d agents, %d bytes, the same from both)%s, %d connections, %v per measurement, %d rounds\n",
		mix, map[bool]string{true: "real", false: "frozen"}[realClock], page.Total, len(mockBody), map[bool]string{true: " + 1 restart in 10", false: ""}[mix == "rw"], conc, dur, rounds)
	var mockRPS, bareRPS []float64
	for i := range rounds {
		b, err := measure(bareURL, "", ids, conc, dur)
		if err != nil {
			return fmt.Errorf("bare: %w", err)
		}
		m, err := measure(mockURL, tok, ids, conc, dur)
		if err != nil {
			return fmt.Errorf("mock: %w", err)
		}
		bareRPS, mockRPS = append(bareRPS, b), append(mockRPS, m)
		fmt.Printf("round %d: bare %8.0f req/s   mock %8.0f req/s   ratio %.2f\n", i+1, b, m, m/b)
	}
	mb, mm := median(bareRPS), median(mockRPS)
	goal := map[string]string{"read": "1.0", "rw": "0.6"}[mix]
	fmt.Printf("median:  bare %8.0f req/s   mock %8.0f req/s   ratio %.2f (goal >= %s)\n", mb, mm, mm/mb, goal)
	return nil
}

func fetch(url, token string) ([]byte, error) {
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: status %d", url, resp.StatusCode)
	}
	return io.ReadAll(resp.Body)
}

func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	return "http://" + ln.Addr().String(), func() { hs.Close() }, nil
}

// measure runs conc workers, each on its own keep-alive connection, for dur
// and returns the successful requests per second. With ids, every tenth
// request of a worker restarts the next agent of ids.
func measure(base, token string, ids []string, conc int, dur time.Duration) (float64, error) {
	tr := &http.Transport{MaxIdleConns: conc, MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var ok atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for w := range conc {
		wg.Go(func() {
			for n := w; ctx.Err() == nil; n++ {
				method, url := "GET", base+"/api/platform/agents"
				if len(ids) > 0 && n%10 == 9 {
					method, url = "POST", base+"/api/platform/agents/"+ids[(n/10)%len(ids)]+"/restart"
				}
				req, _ := http.NewRequestWithContext(ctx, method, url, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						once.Do(func() { firstErr = err })
					}
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					once.Do(func() { firstErr = fmt.Errorf("%s %s: status %d", method, url, resp.StatusCode) })
					return
				}
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return float64(ok.Load()) / time.Since(start).Seconds(), nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
