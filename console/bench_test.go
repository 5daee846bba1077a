package console_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/waooaw/waooaw-go/mockserver"
)

// BenchmarkPages times each page's server side: the console's request,
// its platform calls to the embedded mock (over loopback) and rendering,
// measured from the browser's side of the connection. It reports the p95
// of each page (goal: 50 ms).
//
//	go test ./console -run '^$' -bench Pages -benchtime 200x
func BenchmarkPages(b *testing.B) {
	e := newEnv(b, "/")
	br := e.signIn(b, mockserver.OperatorEmail)
	for _, pg := range []struct{ name, path string }{
		{"dashboard", ""},
		{"dashboard-filtered", "?q=wow&status=online"},
		{"agent", "agents/wow-memory"},
		{"queues", "queues"},
		{"queue-dlq", "queues/agent-tasks"},
		{"workflows", "workflows"},
		{"workflow-gantt", "workflows/wf-001"},
		{"factory", "factory"},
		{"servicing", "servicing"},
		{"servicing-agent", "servicing/wow-memory"},
		{"helpdesk-search", "helpdesk?q=acme"},
		{"customer-diagnose", "helpdesk/customers/cust-001?diagnose=1"},
		{"logs", "logs"},
		{"alerts", "alerts"},
	} {
		b.Run(pg.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				p := br.get(pg.path)
				took = append(took, time.Since(start))
				if p.status != http.StatusOK {
					b.Fatalf("%s: %d", pg.path, p.status)
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
		})
	}
}
