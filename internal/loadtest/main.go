// Command loadtest measures the mock server's throughput on
// GET /api/platform/agents with a valid token, against a bare net/http
// handler that encodes the same list, in the same run, over loopback.
//
//	go run ./internal/loadtest -c 64 -d 5s -rounds 3
//
// It alternates the two servers for the given number of rounds, prints
// requests per second for each and the ratio mock/bare. It sends traffic to
// 127.0.0.1 only and stops by itself.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
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
	flag.Parse()
	if *conc < 1 || *conc > 1024 || *dur <= 0 || *dur > time.Minute || *rounds < 1 || *rounds > 20 {
		fmt.Fprintln(os.Stderr, "loadtest: need 1 <= -c <= 1024, 0 < -d <= 1m, 1 <= -rounds <= 20")
		os.Exit(2)
	}
	if err := run(*conc, *dur, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(conc int, dur time.Duration, rounds int) error {
	mock := mockserver.New()
	tok, err := mock.Token(mockserver.ViewerEmail, "viewer", 24*time.Hour)
	if err != nil {
		return err
	}
	mockURL, stopMock, err := serve(mock)
	if err != nil {
		return err
	}
	defer stopMock()

	// The bare handler encodes the very list the mock server holds.
	pc, err := platform.New(platform.WithBaseURL(mockURL), platform.WithoutEnvironment(),
		platform.WithTokenSource(mock.TokenSource(mockserver.ViewerEmail)))
	if err != nil {
		return err
	}
	page, err := pc.Agents.ListPage(context.Background(), platform.AgentListOptions{})
	if err != nil {
		return err
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := json.Marshal(map[string]any{"agents": page.Items, "next_page_token": "", "total": page.Total})
		w.Header().Set("Content-Type", "application/json")
		w.Write(append(b, '\n'))
	})
	bareURL, stopBare, err := serve(bare)
	if err != nil {
		return err
	}
	defer stopBare()

	fmt.Printf("GET /api/platform/agents (%d agents), %d connections, %v per measurement, %d rounds\n",
		page.Total, conc, dur, rounds)
	var mockRPS, bareRPS []float64
	for i := range rounds {
		b, err := measure(bareURL+"/api/platform/agents", "", conc, dur)
		if err != nil {
			return fmt.Errorf("bare: %w", err)
		}
		m, err := measure(mockURL+"/api/platform/agents", tok, conc, dur)
		if err != nil {
			return fmt.Errorf("mock: %w", err)
		}
		bareRPS, mockRPS = append(bareRPS, b), append(mockRPS, m)
		fmt.Printf("round %d: bare %8.0f req/s   mock %8.0f req/s   ratio %.2f\n", i+1, b, m, m/b)
	}
	mb, mm := median(bareRPS), median(mockRPS)
	fmt.Printf("median:  bare %8.0f req/s   mock %8.0f req/s   ratio %.2f (goal >= 0.85)\n", mb, mm, mm/mb)
	return nil
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
// and returns the successful requests per second.
func measure(url, token string, conc int, dur time.Duration) (float64, error) {
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
	for range conc {
		wg.Go(func() {
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
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
					once.Do(func() { firstErr = fmt.Errorf("status %d", resp.StatusCode) })
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
