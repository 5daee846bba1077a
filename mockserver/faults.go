package mockserver

import "github.com/waooaw/waooaw-go/mockserver/internal/server"

// Fault makes matching requests misbehave: answer an error status (with
// the platform error body and an optional Retry-After), wait, drop the
// connection, or answer a malformed body. Faults never apply to the test
// controls under /_mock/ or to /healthz.
type Fault struct {
	// Method matches the request method; "" matches any.
	Method string `json:"method,omitempty"`
	// Path matches the request path; "*" matches one path segment, e.g.
	// "/api/platform/queues/*/dlq/*/retry".
	Path string `json:"path"`
	// Status answers this status (400-599) with the platform error body.
	Status int `json:"status,omitempty"`
	// RetryAfter adds Retry-After: seconds.
	RetryAfter int `json:"retry_after,omitempty"`
	// LatencyMS waits this long (real time) before answering; alone, the
	// request is then served normally.
	LatencyMS int `json:"latency_ms,omitempty"`
	// Drop closes the connection without an answer.
	Drop bool `json:"drop,omitempty"`
	// Malformed answers 200 with a truncated JSON body.
	Malformed bool `json:"malformed,omitempty"`
	// Count fires the fault for the next Count matching requests; 0 until
	// cleared.
	Count int `json:"count,omitempty"`
	// Percent fires the fault on this share of matching requests (1-100);
	// 0 means always.
	Percent int `json:"percent,omitempty"`
}

// FaultInfo is a registered fault and how often it fired (GET
// /_mock/faults, Server.Faults).
type FaultInfo struct {
	ID    string `json:"id"`
	Fault Fault  `json:"fault"`
	// Hits counts the requests the fault fired on.
	Hits int `json:"hits"`
	// Active is false once a fault with a Count has fired that often; it
	// stays listed until removed.
	Active bool `json:"active"`
}

// ParseFault reads the compact fault syntax of the -fault flag:
//
//	[METHOD ]PATH=ACTION[,KEY=VALUE...]
//
// ACTION is STATUS[xCOUNT] (e.g. 503x2), drop[xCOUNT], malformed[xCOUNT] or
// latency (with latency_ms); KEYs are retry_after, latency_ms, percent and
// count. Example: "POST /api/platform/queues/*/dlq/*/retry=503x2,retry_after=1".
func ParseFault(spec string) (Fault, error) {
	f, err := server.ParseFault(spec)
	return Fault(f), err
}

func outerFaultInfo(fi server.FaultInfo) FaultInfo {
	return FaultInfo{ID: fi.ID, Fault: Fault(fi.Fault), Hits: fi.Hits, Active: fi.Active}
}
