package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
	"github.com/waooaw/waooaw-go/platform"
)

// inproc sends one request to s in-process (no socket) and returns the
// status and body; it is safe from any goroutine.
func inproc(s *mockserver.Server, method, path, tok, body string, hdr ...string) (int, []byte, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, "http://mock"+path, r)
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := s.Transport().RoundTrip(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// areaCalls are reads and writes of every area, as (method, path, body).
var areaCalls = [][3]string{
	{"GET", "/api/platform/agents?limit=5", ""},
	{"GET", "/api/platform/agents/agent-001", ""},
	{"POST", "/api/platform/agents/agent-002/restart", ""},
	{"POST", "/api/platform/agents/agent-003/stop", ""},
	{"POST", "/api/platform/agents/agent-003/start", ""},
	{"GET", "/api/platform/metrics", ""},
	{"GET", "/api/platform/queues", ""},
	{"GET", "/api/platform/queues/webhooks/dlq", ""},
	{"POST", "/api/platform/queues/webhooks/dlq/retry", `{}`},
	{"GET", "/api/platform/orchestration/workflows", ""},
	{"POST", "/api/platform/orchestration/workflows/wf-001/pause", ""},
	{"POST", "/api/platform/orchestration/workflows/wf-001/resume", ""},
	{"GET", "/api/platform/factory/templates", ""},
	{"POST", "/api/platform/factory/estimate-cost", `{"template_id":"tmpl-memory","agent_name":"cost-check","resources":{"cpu_cores":1,"memory_gb":2,"storage_gb":10}}`},
	{"GET", "/api/platform/agents/agent-001/versions", ""},
	{"GET", "/api/platform/agents/agent-001/config", ""},
	{"PATCH", "/api/platform/agents/agent-001/config", `{"config":{"rate_limit":200}}`},
	{"GET", "/api/platform/servicing/history", ""},
	{"GET", "/api/platform/helpdesk/customers/search?q=acme", ""},
	{"POST", "/api/platform/helpdesk/customers/cust-001/diagnose", `{}`},
	{"GET", "/api/platform/logs?level=ERROR", ""},
	{"GET", "/api/platform/alerts", ""},
	{"POST", "/api/platform/alerts/alert-1/acknowledge", ""},
}

// TestResetAndSeedUnderTraffic: 16 goroutines read and write every area
// while the state is reset, reseeded and moved on the clock. No request
// fails with a 5xx or a broken answer (each sees one generation of the
// state), -race finds nothing, and once the traffic stops a Reset gives
// exactly a fresh server's state.
func TestResetAndSeedUnderTraffic(t *testing.T) {
	t.Parallel()
	s := mockserver.New()
	var tok atomic.Pointer[string]
	mint := func() {
		v, err := s.Token(mockserver.AdminEmail, "admin", time.Hour)
		if err != nil {
			t.Error(err)
		}
		tok.Store(&v)
	}
	mint()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var served, bad atomic.Int64
	var firstBad atomic.Pointer[string]
	for w := range 16 {
		wg.Go(func() {
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				c := areaCalls[i%len(areaCalls)]
				status, body, err := inproc(s, c[0], c[1], *tok.Load(), c[2])
				if status == http.StatusUnauthorized { // a Reset ended the session
					mint()
					continue
				}
				served.Add(1)
				if err != nil || status >= 500 || len(body) > 0 && !json.Valid(body) {
					if bad.Add(1) == 1 {
						msg := fmt.Sprintf("%s %s: %d %v %s", c[0], c[1], status, err, body)
						firstBad.Store(&msg)
					}
				}
			}
		})
	}
	for i := range 200 {
		switch i % 4 {
		case 0:
			s.Reset()
		case 1:
			if _, err := s.Seed(mockserver.Seed{Agents: []platform.Agent{{Name: fmt.Sprintf("Seeded %d", i)}}}); err != nil {
				t.Errorf("seed %d: %v", i, err)
			}
		case 2:
			s.Advance(time.Minute)
		case 3:
			if status, body, _ := inproc(s, "POST", "/_mock/reset", "", ""); status != http.StatusNoContent {
				t.Errorf("POST /_mock/reset: %d %s", status, body)
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if n := bad.Load(); n > 0 {
		t.Errorf("%d of %d answers were 5xx or broken; first: %s", n, served.Load(), *firstBad.Load())
	}
	if served.Load() < 100 {
		t.Errorf("only %d requests served: the traffic did not run alongside the resets", served.Load())
	}

	s.Reset()
	fresh := mockserver.New()
	for _, path := range []string{"/api/platform/agents", "/api/platform/queues", "/api/platform/alerts", "/api/platform/orchestration/workflows"} {
		_, got, _ := inproc(s, "GET", path, mintFor(t, s), "")
		_, want, _ := inproc(fresh, "GET", path, mintFor(t, fresh), "")
		if !bytes.Equal(got, want) {
			t.Errorf("GET %s after Reset differs from a fresh server:\n got %.300s\nwant %.300s", path, got, want)
		}
	}
}

func mintFor(t *testing.T, s *mockserver.Server) string {
	t.Helper()
	tok, err := s.Token(mockserver.AdminEmail, "admin", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// heapMB is the live heap after a collection, in MiB.
func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// TestHostileStreamsStayBounded sends what used to grow the server without
// end: 50k unique Idempotency-Keys, 512 KiB keys, 512 KiB queries, 100k
// log-producing actions and 30k minted tokens. Each is refused or kept within its bound, and the
// heap grows by less than hostileHeapBoundMB.
func TestHostileStreamsStayBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("sends ~150k requests")
	}
	const hostileHeapBoundMB = 48
	s := mockserver.New()
	tok := mintFor(t, s)
	before := heapMB()

	// 512 KiB keys: refused, and the journal keeps only the start of each.
	huge := strings.Repeat("k", 512<<10)
	for range 200 {
		status, body, err := inproc(s, "POST", "/api/platform/factory/estimate-cost", tok,
			`{"template_id":"tmpl-memory","agent_name":"cost-check","resources":{"cpu_cores":1,"memory_gb":2,"storage_gb":10}}`, "Idempotency-Key", huge)
		if err != nil || status != http.StatusBadRequest || !bytes.Contains(body, []byte("Idempotency-Key")) {
			t.Fatalf("a 512 KiB key: %d %v %.200s", status, err, body)
		}
	}
	// 512 KiB queries, refused for want of a token (still journaled).
	for range 200 {
		if status, _, err := inproc(s, "GET", "/api/platform/logs?q="+huge, "", ""); err != nil || status != http.StatusUnauthorized {
			t.Fatalf("a 512 KiB query: %d %v", status, err)
		}
	}
	// 50k unique keys: each answered once, the oldest forgotten past the bound.
	for i := range 50_000 {
		status, body, err := inproc(s, "POST", "/api/platform/factory/estimate-cost", tok,
			`{"template_id":"tmpl-memory","agent_name":"cost-check","resources":{"cpu_cores":1,"memory_gb":2,"storage_gb":10}}`, "Idempotency-Key", fmt.Sprintf("key-%06d", i))
		if err != nil || status != http.StatusOK {
			t.Fatalf("key %d: %d %v %s", i, status, err, body)
		}
	}
	// 100k log-producing actions.
	for i := range 100_000 {
		if status, body, err := inproc(s, "POST", fmt.Sprintf("/api/platform/agents/agent-00%d/restart", 1+i%3), tok, ""); err != nil || status != http.StatusOK {
			t.Fatalf("restart %d: %d %v %.200s", i, status, err, body)
		}
	}
	// 30k minted tokens, each used once: sessions and the verified-token
	// cache stay within their bounds.
	for i := range 30_000 {
		tk, err := s.Token(fmt.Sprintf("hostile-%d@example.com", i%50), "viewer", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if status, _, err := inproc(s, "GET", "/api/platform/health", tk, ""); err != nil || status != http.StatusOK {
			t.Fatalf("token %d: %d %v", i, status, err)
		}
	}
	after := heapMB()
	t.Logf("heap %.1f MiB before, %.1f MiB after (bound: +%d MiB)", before, after, hostileHeapBoundMB)
	if after-before > hostileHeapBoundMB {
		t.Errorf("the heap grew by %.1f MiB, over the %d MiB bound", after-before, hostileHeapBoundMB)
	}
	l := s.Limits()
	if n := len(s.Journal(mockserver.JournalFilter{})); n > l.JournalEntries {
		t.Errorf("journal holds %d entries, over its bound %d", n, l.JournalEntries)
	}
	for _, e := range s.Journal(mockserver.JournalFilter{Path: "/api/platform/logs"}) {
		if len(e.Query) > l.JournalFieldBytes+len("…") {
			t.Fatalf("a journaled query of %d bytes, over the %d bound", len(e.Query), l.JournalFieldBytes)
		}
	}
	// The log is a ring: a full-text query reads at most LogLines lines.
	status, body, _ := inproc(s, "GET", "/api/platform/logs?q=restart&limit=1", tok, "")
	if status != http.StatusOK || !bytes.Contains(body, []byte("Restart")) {
		t.Errorf("log query: %d %.300s", status, body)
	}
}

// TestIdempotencyBounds: a key over 255 bytes is refused with 400 naming
// the header, and past Limits.IdempotencyKeys the oldest key is forgotten
// (reusing it with another body runs again instead of a 422).
func TestIdempotencyBounds(t *testing.T) {
	t.Parallel()
	s := mockserver.New(mockserver.WithLimits(mockserver.Limits{IdempotencyKeys: 3}))
	tok := mintFor(t, s)
	est := func(key, name string) (int, []byte) {
		status, body, err := inproc(s, "POST", "/api/platform/factory/estimate-cost", tok,
			`{"template_id":"tmpl-memory","agent_name":"`+name+`","resources":{"cpu_cores":1,"memory_gb":2,"storage_gb":10}}`, "Idempotency-Key", key)
		if err != nil {
			t.Fatal(err)
		}
		return status, body
	}
	if status, body := est(strings.Repeat("k", 256), "first"); status != http.StatusBadRequest || !bytes.Contains(body, []byte("header.Idempotency-Key")) {
		t.Errorf("a 256-byte key: %d %s", status, body)
	}
	if status, _ := est(strings.Repeat("k", 255), "first"); status != http.StatusOK {
		t.Errorf("a 255-byte key: %d", status)
	}
	if status, _ := est("key-0", "first"); status != http.StatusOK {
		t.Fatalf("key-0: %d", status)
	}
	if status, _ := est("key-0", "other"); status != http.StatusUnprocessableEntity {
		t.Errorf("key-0 reused with another body while remembered: %d, want 422", status)
	}
	for _, k := range []string{"key-1", "key-2", "key-3"} {
		est(k, "first")
	}
	if status, body := est("key-0", "other"); status != http.StatusOK {
		t.Errorf("key-0 reused after 3 newer keys (bound 3): %d %s, want 200 (forgotten)", status, body)
	}
	if status, _ := est("key-3", "other"); status != http.StatusUnprocessableEntity {
		t.Errorf("key-3, the newest, reused with another body: %d, want 422", status)
	}
}

// TestSeededStoppingAgentStops: a seeded stopping agent refuses actions
// saying when it will be offline, is offline 10 s later on the clock, and
// then starts.
func TestSeededStoppingAgentStops(t *testing.T) {
	t.Parallel()
	s := mockserver.New(mockserver.WithEmptyStart())
	res, err := s.Seed(mockserver.Seed{Agents: []platform.Agent{{Name: "Halting Agent", Status: platform.AgentStopping}}})
	if err != nil {
		t.Fatal(err)
	}
	id, tok := res.Agents[0], mintFor(t, s)
	status, body, _ := inproc(s, "POST", "/api/platform/agents/"+id+"/start", tok, "")
	if status != http.StatusConflict || !bytes.Contains(body, []byte("offline at 2026-01-02T10:00:10Z")) {
		t.Errorf("start while stopping: %d %s", status, body)
	}
	s.Advance(10 * time.Second)
	if _, body, _ := inproc(s, "GET", "/api/platform/agents/"+id, tok, ""); !bytes.Contains(body, []byte(`"status":"offline"`)) {
		t.Errorf("10 s later: %s", body)
	}
	if status, body, _ := inproc(s, "POST", "/api/platform/agents/"+id+"/start", tok, ""); status != http.StatusOK {
		t.Errorf("start once offline: %d %s", status, body)
	}
}

// TestConfigChangeLogCarriesConfigVersion: the log line (and its
// logs.appended event) of a config patch names the new config version.
func TestConfigChangeLogCarriesConfigVersion(t *testing.T) {
	t.Parallel()
	s := mockserver.New()
	tok := mintFor(t, s)
	status, body, _ := inproc(s, "PATCH", "/api/platform/agents/agent-001/config", tok, `{"config":{"rate_limit":200}}`)
	if status != http.StatusOK {
		t.Fatalf("patch: %d %s", status, body)
	}
	var ans struct {
		ConfigVersion int `json:"config_version"`
	}
	json.Unmarshal(body, &ans)
	_, logs, _ := inproc(s, "GET", "/api/platform/logs?agent=agent-001&q=config&limit=1", tok, "")
	var page struct {
		Logs []platform.LogEntry `json:"logs"`
	}
	if err := json.Unmarshal(logs, &page); err != nil || len(page.Logs) != 1 {
		t.Fatalf("logs: %v %s", err, logs)
	}
	l := page.Logs[0]
	if v, _ := l.Metadata["config_version"].(float64); ans.ConfigVersion < 2 || int(v) != ans.ConfigVersion ||
		!strings.Contains(l.Message, fmt.Sprintf("config version %d", ans.ConfigVersion)) {
		t.Errorf("answer config_version %d; log line %q metadata %v", ans.ConfigVersion, l.Message, l.Metadata)
	}
}

// TestCachedReadsFollowEveryChange: a read served from the answer cache is
// never older than the last change: a mutation, an Advance, a Reset or a
// Seed, each seen by the very next read.
func TestCachedReadsFollowEveryChange(t *testing.T) {
	t.Parallel()
	s := mockserver.New()
	tok := mintFor(t, s)
	get := func() string {
		status, body, err := inproc(s, "GET", "/api/platform/agents/agent-002", tok, "")
		if err != nil || status != http.StatusOK {
			t.Fatalf("get: %d %v %s", status, err, body)
		}
		var a platform.Agent
		json.Unmarshal(body, &a)
		return string(a.Status)
	}
	if get() != "online" || get() != "online" {
		t.Fatal("agent-002 is not online at the start")
	}
	inproc(s, "POST", "/api/platform/agents/agent-002/stop", tok, "")
	if st := get(); st != "offline" {
		t.Errorf("after stop: %s", st)
	}
	inproc(s, "POST", "/api/platform/agents/agent-002/start", tok, "")
	if st := get(); st != "starting" {
		t.Errorf("after start: %s", st)
	}
	s.Advance(time.Minute)
	if st := get(); st != "online" {
		t.Errorf("a minute later: %s", st)
	}
	inproc(s, "POST", "/api/platform/agents/agent-002/stop", tok, "")
	get()
	s.Reset()
	tok = mintFor(t, s)
	if st := get(); st != "online" {
		t.Errorf("after Reset: %s", st)
	}
	_, before, _ := inproc(s, "GET", "/api/platform/agents?q=cached", tok, "")
	if _, err := s.Seed(mockserver.Seed{Agents: []platform.Agent{{Name: "Cached Agent"}}}); err != nil {
		t.Fatal(err)
	}
	if _, after, _ := inproc(s, "GET", "/api/platform/agents?q=cached", tok, ""); bytes.Equal(before, after) || !bytes.Contains(after, []byte("Cached Agent")) {
		t.Errorf("after Seed the list is still %s", after)
	}
}

// TestServerFixesForTestTeams: POST /_mock/seed answers the ids it made;
// ts.Advance with a negative duration fails the test; the first SDK call
// after ts.Reset is not a 401 in the journal; a seed error blames the
// field set wrong, not another derived from it.
func TestServerFixesForTestTeams(t *testing.T) {
	t.Parallel()
	rec := &recordTB{TB: t}
	ts := mockserver.Start(rec)
	a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/seed", Body: `{"agents":[{"name":"Seeded Over HTTP"}],"customers":[{"company_name":"Seeded Co"}]}`})
	var res mockserver.SeedResult
	if err := json.Unmarshal(a.Raw, &res); err != nil || a.Status != 200 || len(res.Agents) != 1 || len(res.Customers) != 1 || res.Queues == nil {
		t.Errorf("POST /_mock/seed: %d %s", a.Status, a.Raw)
	}

	before := ts.Now()
	ts.Advance(-time.Second)
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "never moves back") || !ts.Now().Equal(before) {
		t.Errorf("Advance(-1s): errors %q, clock %v", rec.errs, ts.Now())
	}

	pc := ts.Client(mockserver.ViewerEmail)
	if _, err := pc.Agents.Get(context.Background(), "agent-001"); err != nil {
		t.Fatal(err)
	}
	ts.Reset()
	if _, err := pc.Agents.Get(context.Background(), "agent-001"); err != nil {
		t.Fatal(err)
	}
	if n := len(ts.Journal(mockserver.JournalFilter{Status: 401})); n != 0 {
		t.Errorf("%d 401s in the journal after Reset: %+v", n, ts.Journal(mockserver.JournalFilter{Status: 401}))
	}

	a = mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/seed", Body: `{"queues":[{"queue_name":"q","messages_pending":-1}]}`})
	if a.Status != 400 || !strings.Contains(string(a.Raw), "queues[0].messages_pending") || strings.Contains(string(a.Raw), "consumer_lag") {
		t.Errorf("a bad messages_pending: %s", a.Raw)
	}
}

// TestSessionsBounded: past Limits.Sessions the oldest session goes and
// its token is refused, the newest still work.
func TestSessionsBounded(t *testing.T) {
	t.Parallel()
	s := mockserver.New(mockserver.WithLimits(mockserver.Limits{Sessions: 10}))
	var toks []string
	for range 11 {
		toks = append(toks, mintFor(t, s))
	}
	if status, body, _ := inproc(s, "GET", "/api/platform/metrics", toks[0], ""); status != 401 || !bytes.Contains(body, []byte("unknown session")) {
		t.Errorf("the oldest of 11 sessions (bound 10): %d %s", status, body)
	}
	for _, tok := range toks[1:] {
		if status, body, _ := inproc(s, "GET", "/api/platform/metrics", tok, ""); status != 200 {
			t.Fatalf("a newer session: %d %s", status, body)
		}
	}
}

// TestPagingWhileTheListMoves: the log is newest first; lines written
// between two pages would shift a page by position, so the next page
// would repeat the end of the last one. The keyed pager starts after the
// last line the client saw instead.
func TestPagingWhileTheListMoves(t *testing.T) {
	t.Parallel()
	s := mockserver.New()
	tok := mintFor(t, s)
	type logPage struct {
		Logs          []platform.LogEntry `json:"logs"`
		NextPageToken string              `json:"next_page_token"`
	}
	get := func(query string) logPage {
		t.Helper()
		status, body, err := inproc(s, "GET", "/api/platform/logs?"+query, tok, "")
		var p logPage
		if err != nil || status != 200 || json.Unmarshal(body, &p) != nil {
			t.Fatalf("GET logs?%s: %d %v %s", query, status, err, body)
		}
		return p
	}
	first := get("page_size=5")
	for range 3 { // three new lines, at the head of the list
		inproc(s, "POST", "/api/platform/agents/agent-001/restart", tok, "")
	}
	second := get("page_size=5&page_token=" + first.NextPageToken)
	seen := map[string]bool{}
	for _, l := range first.Logs {
		seen[l.LogID] = true
	}
	for _, l := range second.Logs {
		if seen[l.LogID] {
			t.Errorf("line %s is on both pages", l.LogID)
		}
	}
	// The second page goes on right after the first: as the whole list,
	// read now, has them.
	all := get("page_size=500").Logs
	at := -1
	for i, l := range all {
		if l.LogID == first.Logs[len(first.Logs)-1].LogID {
			at = i
		}
	}
	if at < 0 || len(second.Logs) == 0 || all[at+1].LogID != second.Logs[0].LogID {
		t.Errorf("the second page starts at %v, want the line after %s", second.Logs, first.Logs[len(first.Logs)-1].LogID)
	}
}
