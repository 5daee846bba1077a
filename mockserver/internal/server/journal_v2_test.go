package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"github.com/waooaw/waooaw-go/factory"
	"github.com/waooaw/waooaw-go/factory/template"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/mockserver/internal/mocktest"
)

// recordTB is a testing.TB whose Errorf is recorded instead of failing.
type recordTB struct {
	testing.TB
	errs []string
}

func (r *recordTB) Helper() {}
func (r *recordTB) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestJournalKeepsWhatWasSent: an entry holds the body, the selected
// headers (never the token), the caller, the answer's code and the fault
// that fired; the Go filter and GET /_mock/journal select by each.
func TestJournalKeepsWhatWasSent(t *testing.T) {
	t.Parallel()
	ts := mockserver.Start(t)
	ctx := context.Background()
	fc := factory.New(ts.Client(mockserver.AdminEmail))
	if _, err := fc.Create(ctx, template.Request{TemplateID: "tmpl-memory", AgentName: "journal-agent"}); err != nil {
		t.Fatal(err)
	}
	fid, err := ts.AddFault(mockserver.Fault{Method: "GET", Path: "/api/platform/agents/*", Status: 404, Count: 1})
	if err != nil {
		t.Fatal(err)
	}
	tok := mocktest.Token(t, ts, mockserver.ViewerEmail, "viewer")
	mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents/agent-001", Token: tok})

	creates := ts.AssertCalls(mockserver.JournalFilter{Method: "POST", Path: "/api/platform/factory/agents",
		Body: map[string]any{"template_id": "tmpl-memory", "agent_name": "journal-agent"}}, 1)
	if len(creates) == 1 {
		e := creates[0]
		if e.Caller == nil || e.Caller.Email != mockserver.AdminEmail || e.Caller.Role != "admin" {
			t.Errorf("caller %+v", e.Caller)
		}
		if e.Headers["Content-Type"] != "application/json" || e.Headers["Idempotency-Key"] == "" || e.Headers["User-Agent"] == "" {
			t.Errorf("headers %v", e.Headers)
		}
		if _, ok := e.Headers["Authorization"]; ok || strings.Contains(fmt.Sprint(e), "Bearer") {
			t.Errorf("the token is in the journal: %+v", e)
		}
		if e.Status != 202 || e.Code != "" || e.Fault != "" {
			t.Errorf("status %d code %q fault %q", e.Status, e.Code, e.Fault)
		}
	}
	faulted := ts.AssertCalls(mockserver.JournalFilter{Fault: fid}, 1)
	if len(faulted) == 1 && (faulted[0].Code != "not_found" || faulted[0].Status != 404 || faulted[0].Caller != nil) {
		t.Errorf("faulted entry %+v", faulted[0]) // the fault answered before the token was looked at
	}
	ts.AssertCalls(mockserver.JournalFilter{Caller: mockserver.AdminEmail, Fault: "any"}, 0)
	ts.AssertCalls(mockserver.JournalFilter{Code: "not_found"}, 1)

	// The same over HTTP.
	q := url.Values{"method": {"post"}, "path": {"/api/platform/factory/*"}, "body": {`{"agent_name":"journal-agent"}`}, "caller": {"ADMIN@waooaw.ai"}}
	a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/_mock/journal?" + q.Encode()})
	var page struct {
		Requests []mockserver.JournalEntry
		Count    int
	}
	if err := json.Unmarshal(a.Raw, &page); err != nil || page.Count != 1 || len(page.Requests) != 1 || page.Requests[0].Caller == nil {
		t.Errorf("GET /_mock/journal?%s: %v %s", q.Encode(), err, a.Raw)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/_mock/journal?fault=" + fid}); !strings.Contains(string(a.Raw), `"count":1`) {
		t.Errorf("by fault: %s", a.Raw)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/_mock/journal?body=%7Bnot"}); a.Status != 400 || !strings.Contains(string(a.Raw), `"field":"body"`) {
		t.Errorf("a body filter that is not JSON: %d %s", a.Status, a.Raw)
	}
	if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/_mock/journal?status=abc"}); a.Status != 400 {
		t.Errorf("status=abc: %d", a.Status)
	}
}

// TestAssertCallsShowsTheDiff: a failed AssertCalls names the filter and
// shows, for requests that match but for the body, a diff of the keys the
// filter names.
func TestAssertCallsShowsTheDiff(t *testing.T) {
	t.Parallel()
	rec := &recordTB{TB: t}
	ts := mockserver.Start(rec)
	fc := factory.New(ts.Client(mockserver.AdminEmail))
	if _, err := fc.Create(context.Background(), template.Request{TemplateID: "tmpl-memory", AgentName: "diff-agent"}); err != nil {
		t.Fatal(err)
	}
	got := ts.AssertCalls(mockserver.JournalFilter{Method: "POST", Path: "/api/platform/factory/agents",
		Body: map[string]any{"template_id": "tmpl-api", "agent_name": "diff-agent"}}, 1)
	if len(got) != 0 || len(rec.errs) != 1 {
		t.Fatalf("matched %d, errors %q", len(got), rec.errs)
	}
	// go-cmp spaces its output unpredictably on purpose: compare without.
	msg := strings.Join(strings.FieldsFunc(rec.errs[0], unicode.IsSpace), "")
	for _, want := range []string{"0requestsmatch{method=POSTpath=/api/platform/factory/agentsbody=", "want1",
		"1matchbutforthebody", `-"template_id":string("tmpl-api")`, `+"template_id":string("tmpl-memory")`, `"agent_name":string("diff-agent")`} {
		if !strings.Contains(msg, want) {
			t.Errorf("the failure lacks %q:\n%s", want, rec.errs[0])
		}
	}
	if strings.Contains(msg, `-"agent_name"`) {
		t.Errorf("the diff shows a key that matched as different:\n%s", rec.errs[0])
	}
	rec.errs = nil
	ts.AssertCalls(mockserver.JournalFilter{Method: "DELETE"}, 2)
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "the last requests were:\n  POST /api/platform/factory/agents → 202") {
		t.Errorf("no near match: %q", rec.errs)
	}
}

// TestRequestValidation: with WithRequestValidation a request that breaks
// api/openapi.yaml is answered 400 naming the field and journaled with its
// violation; a valid one is served; the controls are not checked; without
// the option the same request is served.
func TestRequestValidation(t *testing.T) {
	t.Parallel()
	strict := mockserver.Start(t, mockserver.WithRequestValidation())
	lax := mockserver.Start(t)
	body := `{"template_id":"tmpl-memory","agent_name":"typed-agent","resources":{"cpu_cores":"two"}}`
	for _, ts := range []*mockserver.TestServer{strict, lax} {
		tok := mocktest.Token(t, ts, mockserver.AdminEmail, "admin")
		a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/factory/estimate-cost", Token: tok, Body: body})
		if ts == strict {
			if a.Status != 400 || !strings.Contains(string(a.Raw), `"field":"body.resources.cpu_cores"`) ||
				!strings.Contains(string(a.Raw), "does not match api/openapi.yaml") {
				t.Errorf("strict: %d %s", a.Status, a.Raw)
			}
			es := ts.AssertCalls(mockserver.JournalFilter{Path: "/api/platform/factory/estimate-cost", Code: "invalid_argument"}, 1)
			if len(es) == 1 && !strings.HasPrefix(es[0].Violation, "body.resources.cpu_cores: ") {
				t.Errorf("journaled violation %q", es[0].Violation)
			}
			ok := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/api/platform/factory/estimate-cost", Token: tok,
				Body: `{"template_id":"tmpl-memory","agent_name":"typed-agent","resources":{"cpu_cores":2,"memory_gb":4,"storage_gb":20}}`})
			if ok.Status != 200 {
				t.Errorf("a valid request: %d %s", ok.Status, ok.Raw)
			}
			if a := mocktest.Do(t, ts, mocktest.Call{Method: "GET", Path: "/api/platform/agents?page_size=abc", Token: tok}); a.Status != 400 || !strings.Contains(string(a.Raw), "page_size") {
				t.Errorf("page_size=abc: %d %s", a.Status, a.Raw)
			}
			if a := mocktest.Do(t, ts, mocktest.Call{Method: "POST", Path: "/_mock/clock/advance", Body: `{"seconds":1}`}); a.Status != 200 {
				t.Errorf("a control: %d %s", a.Status, a.Raw)
			}
			continue
		}
		if a.Status != 400 || strings.Contains(string(a.Raw), "api/openapi.yaml") {
			t.Errorf("lax: the server's own answer is expected: %d %s", a.Status, a.Raw)
		}
		if es := ts.Journal(mockserver.JournalFilter{}); len(es) != 1 || es[0].Violation != "" {
			t.Errorf("lax journal: %+v", es)
		}
	}
}
