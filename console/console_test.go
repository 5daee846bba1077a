package console_test

import (
	"bufio"
	"context"
	"go/build"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/waooaw/waooaw-go/console"
	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
	"github.com/waooaw/waooaw-go/queues"
	"github.com/waooaw/waooaw-go/workflows"
)

func TestNewChecksOptions(t *testing.T) {
	t.Parallel()
	ok := []console.Option{console.WithAPI("http://127.0.0.1:8000"), console.WithPublicURL("http://127.0.0.1:3000/"), console.WithClient("c", "s")}
	if _, err := console.New(ok...); err != nil {
		t.Fatalf("valid options: %v", err)
	}
	for name, opts := range map[string][]console.Option{
		"no api":            {ok[1], ok[2]},
		"no public url":     {ok[0], ok[2]},
		"no client":         {ok[0], ok[1]},
		"relative api":      {console.WithAPI("/api"), ok[1], ok[2]},
		"ftp public url":    {ok[0], console.WithPublicURL("ftp://x/"), ok[2]},
		"public url query":  {ok[0], console.WithPublicURL("http://x/?a=1"), ok[2]},
		"no secret":         {ok[0], ok[1], console.WithClient("c", "")},
		"nil http client":   {ok[0], ok[1], ok[2], console.WithHTTPClient(nil)},
		"nil logger":        {ok[0], ok[1], ok[2], console.WithLogger(nil)},
		"short session ttl": {ok[0], ok[1], ok[2], console.WithSessionTTL(1)},
		"nil option":        {ok[0], ok[1], ok[2], nil},
	} {
		if _, err := console.New(opts...); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestSignedOutIsSentToLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	b := e.browser(t)
	for _, path := range []string{"", "queues", "queues/agent-tasks?error_contains=timeout", "workflows/wf-001", "agents/wow-memory"} {
		p := b.noFollow("GET", path, nil)
		want := "/login?why=required&next=" + url.QueryEscape("/"+path)
		if p.status != http.StatusSeeOther || p.header.Get("Location") != want {
			t.Errorf("GET /%s signed out: %d to %q, want 303 to %q", path, p.status, p.header.Get("Location"), want)
		}
	}
	if p := b.get("login"); p.status != 200 || !strings.Contains(p.body, "Sign in with Google") {
		t.Errorf("login page: %d", p.status)
	}
	// A post without a session does nothing and says so.
	p := b.noFollow("POST", "agents/wow-search/restart", url.Values{"csrf": {"x"}})
	if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "nothing was done") {
		t.Errorf("signed-out post: %d", p.status)
	}
	if a, _ := e.sdk(t, mockserver.AdminEmail).Agents.Get(context.Background(), "wow-search"); a.Status != platform.AgentError {
		t.Errorf("a signed-out post changed wow-search to %s", a.Status)
	}
	if p := b.noFollow("GET", "events?topics=agents", nil); p.status != http.StatusUnauthorized {
		t.Errorf("events signed out: %d", p.status)
	}
	if p := b.get("healthz"); p.status != 200 || strings.TrimSpace(p.body) != "ok" {
		t.Errorf("healthz signed out: %d %q", p.status, p.body)
	}
	if p := b.get("static/console.css"); p.status != 200 || !strings.Contains(p.header.Get("Content-Type"), "text/css") {
		t.Errorf("static asset signed out: %d %s", p.status, p.header.Get("Content-Type"))
	}
	// The saved theme is applied by a blocking script before the style
	// sheet, so a page never paints in the other theme first.
	login := b.get("login")
	js, css := strings.Index(login.body, `<script src="/static/theme.js"></script>`), strings.Index(login.body, "static/console.css")
	if js < 0 || css < 0 || js > css || !strings.Contains(b.get("static/theme.js").body, `localStorage.getItem("waooaw-theme")`) {
		t.Errorf("theme.js is not loaded, blocking, before the style sheet: %d %d", js, css)
	}
}

func TestSignInDashboardLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	b := e.browser(t)
	p := b.noFollow("GET", "auth/start?next=%2Fqueues&login_hint=ops%40waooaw.ai", nil)
	before := b.cookie()
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), e.mock.URL+"/auth/google?") || before == "" {
		t.Fatalf("start: %d to %s, cookie %q", p.status, p.header.Get("Location"), before)
	}
	ck := p.header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(ck, want) {
			t.Errorf("cookie %q lacks %s", ck, want)
		}
	}
	p = b.get(p.header.Get("Location"))
	if !strings.HasSuffix(p.url, "/queues") || !strings.Contains(p.body, "Oscar Ops") || !strings.Contains(p.body, ">operator<") {
		t.Fatalf("after sign-in: %d at %s", p.status, p.url)
	}
	if b.cookie() == before {
		t.Error("the session id did not change at sign-in")
	}
	// Refresh: still signed in.
	d := b.get("")
	for _, want := range []string{"Active agents", "Requests / min", "Error rate", "P95 latency", `data-agent-id="wow-memory"`, "WowMemory", "Platform CoE", "last active 2 minutes ago", `class="badge s-error"`} {
		if !strings.Contains(d.body, want) {
			t.Errorf("dashboard lacks %q", want)
		}
	}
	// Logout revokes the platform session and forgets the console's.
	old := b.cookie()
	p = b.post("logout", nil)
	if !strings.Contains(p.url, "/login?why=signed-out") || !strings.Contains(p.body, "You have signed out") {
		t.Errorf("logout: %d at %s", p.status, p.url)
	}
	b.jar.SetCookies(mustURL(e.url), []*http.Cookie{{Name: "waooaw_console", Value: old, Path: "/"}})
	if p := b.noFollow("GET", "", nil); p.status != http.StatusSeeOther {
		t.Errorf("the old cookie after logout: %d", p.status)
	}
	logs := e.logs.String()
	for _, secret := range []string{old, before, "eyJ", mockserver.ConsoleClientSecret} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds a secret %q", secret[:min(len(secret), 12)])
		}
	}
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func TestLoginNextIsRelativeOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	for next, want := range map[string]string{
		"/queues":                "/queues",
		"/workflows/wf-001?x=1":  "/workflows/wf-001?x=1",
		"//evil.example/":        "/",
		"https://evil.example/":  "/",
		"/\\evil.example":        "/",
		"evil":                   "/",
		"javascript:alert(1)":    "/",
		"/%2F%2Fevil.example":    "/%2F%2Fevil.example",
		"":                       "/",
		"/queues\r\nSet-Cookie:": "/",
	} {
		b := e.browser(t)
		p := b.get("auth/start?login_hint=ops%40waooaw.ai&next=" + url.QueryEscape(next))
		got := strings.TrimPrefix(p.url, strings.TrimSuffix(e.url, "/"))
		if got != want && !(want == "/%2F%2Fevil.example" && p.status == 404) {
			t.Errorf("next=%q: landed on %q (%d), want %q", next, got, p.status, want)
		}
		if !strings.HasPrefix(p.url, e.url) {
			t.Errorf("next=%q: left the console for %s", next, p.url)
		}
	}
}

func TestCallbackRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	b := e.browser(t)
	if p := b.get("auth/callback?code=x&state=y"); p.status != http.StatusBadRequest {
		t.Errorf("a callback with no session: %d", p.status)
	}
	// A started sign-in, then a forged callback: refused, and the pending
	// sign-in is spent.
	b.noFollow("GET", "auth/start", nil)
	if p := b.get("auth/callback?code=x&state=forged"); p.status != http.StatusForbidden || !strings.Contains(p.body, "state") {
		t.Errorf("a forged state: %d %s", p.status, p.body)
	}
	if p := b.get("auth/callback?code=x&state=forged"); p.status != http.StatusBadRequest {
		t.Errorf("the pending sign-in used again: %d", p.status)
	}
}

func TestCSRFAndRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	ctx := context.Background()
	sdk := e.sdk(t, mockserver.AdminEmail)
	ops := e.signIn(t, mockserver.OperatorEmail)
	for name, form := range map[string]url.Values{
		"no token":    {},
		"wrong token": {"csrf": {"not-the-token"}},
	} {
		if p := ops.do("POST", "agents/wow-search/restart", form, nil); p.status != http.StatusForbidden || !strings.Contains(p.body, "nothing was done") {
			t.Errorf("%s: %d", name, p.status)
		}
	}
	if a, _ := sdk.Agents.Get(ctx, "wow-search"); a.Status != platform.AgentError {
		t.Fatalf("a post without the CSRF token restarted the agent: %s", a.Status)
	}
	// The viewer is offered no action, and a forged post with its own
	// valid token is refused by the console.
	viewer := e.signIn(t, mockserver.ViewerEmail)
	for _, path := range []string{"agents/wow-search", "queues/agent-tasks", "workflows/wf-001", "workflows/wf-003"} {
		p := viewer.get(path)
		if p.status != 200 || strings.Contains(p.body, `method="post" action="/agents`) || strings.Contains(p.body, "/retry\"") ||
			strings.Contains(p.body, `id="pause"`) || strings.Contains(p.body, `id="retry-all"`) {
			t.Errorf("the viewer is offered actions on %s (%d)", path, p.status)
		}
	}
	for _, path := range []string{"agents/wow-search/restart", "queues/agent-tasks/messages/dlq-agent-tasks-001/retry",
		"queues/agent-tasks/retry-all", "workflows/wf-001/pause", "workflows/wf-003/tasks/task-101/retry"} {
		if p := viewer.post(path, nil); p.status != http.StatusForbidden || !strings.Contains(p.body, "viewer") {
			t.Errorf("viewer POST %s: %d", path, p.status)
		}
	}
	if a, _ := sdk.Agents.Get(ctx, "wow-search"); a.Status != platform.AgentError {
		t.Errorf("the viewer restarted the agent: %s", a.Status)
	}
	// The operator, with the token, restarts it.
	p := ops.post("agents/wow-search/restart", url.Values{"back": {"/agents/wow-search"}})
	if !strings.HasSuffix(p.url, "/agents/wow-search") || !strings.Contains(p.body, "restart asked") || !strings.Contains(p.body, "s-starting") {
		t.Errorf("operator restart: %d at %s", p.status, p.url)
	}
	if a, _ := sdk.Agents.Get(ctx, "wow-search"); a.Status != platform.AgentStarting {
		t.Errorf("after the restart wow-search is %s", a.Status)
	}
	// A platform refusal is shown in its words: starting an agent that is
	// starting is a conflict.
	p = ops.post("agents/wow-search/stop", url.Values{"back": {"/agents/wow-search"}})
	if !strings.Contains(p.body, "flash-error") && !strings.Contains(p.body, "flash-ok") {
		t.Errorf("stop: no message shown (%d)", p.status)
	}
}

func TestDashboardSearchAndFilter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	b := e.signIn(t, mockserver.ViewerEmail)
	p := b.get("?q=mem")
	if !strings.Contains(p.body, `data-agent-id="wow-memory"`) || strings.Contains(p.body, `data-agent-id="wow-cache"`) || !strings.Contains(p.body, `value="mem"`) {
		t.Errorf("search mem: wrong agents")
	}
	p = b.get("?status=offline")
	if strings.Count(p.body, `class="card agent"`) != 3 || strings.Contains(p.body, `s-online"`) {
		t.Errorf("status offline: %d agents", strings.Count(p.body, `class="card agent"`))
	}
	if p := b.get("?status=nonsense"); p.status != 200 || strings.Count(p.body, `class="card agent"`) < 10 {
		t.Errorf("an unknown status filter: %d", p.status)
	}
	if p := b.get("?q=zzz"); !strings.Contains(p.body, "No agent matches") {
		t.Error("no empty state for a search that matches nothing")
	}
	// A script's refresh gets the main part only, and the flash stays.
	part := b.do("GET", "", nil, http.Header{"X-Console-Partial": {"main"}})
	if part.status != 200 || strings.Contains(part.body, "<html") || !strings.Contains(part.body, "Active agents") {
		t.Errorf("partial: %d", part.status)
	}
}

func TestQueuesAndDeadLetters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	ctx := context.Background()
	qc := queues.New(e.sdk(t, mockserver.AdminEmail))
	b := e.signIn(t, mockserver.OperatorEmail)
	p := b.get("queues")
	if n := strings.Count(p.body, "data-queue="); n < 4 {
		t.Errorf("%d queues listed, want 4 or more", n)
	}
	before, _ := qc.Get(ctx, "agent-tasks")
	p = b.get("queues/agent-tasks")
	if !strings.Contains(p.body, `data-message-id="dlq-agent-tasks-001"`) || !strings.Contains(p.body, "Connection timeout after 30s") {
		t.Fatalf("the DLQ panel lacks its first message")
	}
	p = b.post("queues/agent-tasks/messages/dlq-agent-tasks-001/retry", url.Values{"back": {"/queues/agent-tasks"}})
	if strings.Contains(p.body, `data-message-id="dlq-agent-tasks-001"`) || !strings.Contains(p.body, "is back on agent-tasks") {
		t.Errorf("after retry the message is still listed, or no message: %d", p.status)
	}
	after, _ := qc.Get(ctx, "agent-tasks")
	if after.DLQMessages != before.DLQMessages-1 || !strings.Contains(p.body, `id="dlq-count">`+strconv.Itoa(after.DLQMessages)+"<") {
		t.Errorf("counts: DLQ %d → %d; page %q", before.DLQMessages, after.DLQMessages, between(p.body, `id="dlq-count">`, "<"))
	}
	// Delete asks first without script; with confirm=yes it deletes.
	p = b.post("queues/agent-tasks/messages/dlq-agent-tasks-002/delete", nil)
	if !strings.Contains(p.body, "Delete it") {
		t.Errorf("delete without confirm: no confirmation page")
	}
	p = b.post("queues/agent-tasks/messages/dlq-agent-tasks-002/delete", url.Values{"confirm": {"yes"}, "back": {"/queues/agent-tasks"}})
	if strings.Contains(p.body, `data-message-id="dlq-agent-tasks-002"`) || !strings.Contains(p.body, "is deleted") {
		t.Errorf("after delete the message is still listed")
	}
	// A filter in the URL, bulk retry with it, and purge.
	p = b.get("queues/agent-tasks?error_contains=timeout")
	if strings.Contains(p.body, "schema validation failed") || !strings.Contains(p.body, "imeout") {
		t.Errorf("the error filter does not filter")
	}
	p = b.post("queues/agent-tasks/retry-all", url.Values{"error_contains": {"timeout"}, "back": {"/queues/agent-tasks"}})
	if !strings.Contains(p.body, "Retried ") {
		t.Errorf("retry all: no result shown")
	}
	if p := b.post("queues/agent-tasks/purge", url.Values{"older_than": {"-5"}, "back": {"/queues/agent-tasks"}}); !strings.Contains(p.body, "whole number of minutes") {
		t.Errorf("a bad older_than: no error shown")
	}
	if p := b.get("queues/agent-tasks?older_than=abc"); p.status != 200 || !strings.Contains(p.body, "whole number of minutes") {
		t.Errorf("a bad filter in the URL: %d", p.status)
	}
	p = b.post("queues/agent-tasks/purge", url.Values{"confirm": {"yes"}, "back": {"/queues/agent-tasks"}})
	if !strings.Contains(p.body, "Deleted ") || !strings.Contains(p.body, "No dead letters") {
		t.Errorf("purge: %d", p.status)
	}
	if q, _ := qc.Get(ctx, "agent-tasks"); q.DLQMessages != 0 {
		t.Errorf("after purge %d dead letters", q.DLQMessages)
	}
	if p := b.post("queues/agent-tasks/messages/dlq-agent-tasks-001/retry", url.Values{"back": {"/queues/agent-tasks"}}); !strings.Contains(p.body, "flash-error") {
		t.Errorf("retrying a message that is gone: no refusal shown")
	}
}

func TestWorkflows(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	ctx := context.Background()
	wc := workflows.New(e.sdk(t, mockserver.AdminEmail))
	b := e.signIn(t, mockserver.OperatorEmail)
	p := b.get("workflows")
	if !strings.Contains(p.body, `data-workflow-id="wf-001"`) || !strings.Contains(p.body, `<progress max="100" value="60"`) {
		t.Errorf("workflow list lacks wf-001 at 60%%")
	}
	p = b.get("workflows/wf-001")
	for _, want := range []string{"<svg", `class="bar status-`, "critical", `id="pause"`, `data-task-id=`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("workflow page lacks %q", want)
		}
	}
	p = b.post("workflows/wf-001/pause", url.Values{"back": {"/workflows/wf-001"}})
	if w, _ := wc.Get(ctx, "wf-001"); w.Status != workflows.StatusPaused || !strings.Contains(p.body, `id="resume"`) {
		t.Errorf("after pause: %s", w.Status)
	}
	p = b.post("workflows/wf-001/resume", url.Values{"back": {"/workflows/wf-001"}})
	if w, _ := wc.Get(ctx, "wf-001"); w.Status != workflows.StatusRunning || !strings.Contains(p.body, `id="pause"`) {
		t.Errorf("after resume: %s", w.Status)
	}
	if p := b.post("workflows/wf-001/cancel", nil); !strings.Contains(p.body, "Cancel the workflow") {
		t.Error("cancel without confirm: no confirmation page")
	}
	if w, _ := wc.Get(ctx, "wf-001"); w.Status != workflows.StatusRunning {
		t.Errorf("an unconfirmed cancel changed it to %s", w.Status)
	}
	b.post("workflows/wf-001/cancel", url.Values{"confirm": {"yes"}, "back": {"/workflows/wf-001"}})
	if w, _ := wc.Get(ctx, "wf-001"); w.Status != workflows.StatusCancelled {
		t.Errorf("after a confirmed cancel: %s", w.Status)
	}
	p = b.post("workflows/wf-003/tasks/task-101/retry", url.Values{"back": {"/workflows/wf-003"}})
	if w, _ := wc.Get(ctx, "wf-003"); w.Status != workflows.StatusRunning || !strings.Contains(p.body, "is retried") {
		t.Errorf("after retrying the failed task: %s", w.Status)
	}
	if p := b.post("workflows/wf-004/resume", url.Values{"back": {"/workflows/wf-004"}}); !strings.Contains(p.body, "flash-error") {
		t.Error("resuming a workflow that is not paused: no refusal shown")
	}
}

func TestNotFoundAndPlatformDown(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	b := e.signIn(t, mockserver.OperatorEmail)
	for _, path := range []string{"nope", "agents/nope", "queues/nope", "workflows/nope", "static/nope.js", "agents/wow-memory/explode"} {
		if p := b.get(path); p.status != http.StatusNotFound {
			t.Errorf("GET /%s: %d, want 404", path, p.status)
		}
	}
	if p := b.post("agents/wow-memory/explode", nil); p.status != http.StatusNotFound {
		t.Errorf("an unknown action: %d", p.status)
	}
	if _, err := e.mock.AddFault(mockserver.Fault{Method: "GET", Path: "/api/platform/metrics", Status: 500}); err != nil {
		t.Fatal(err)
	}
	p := b.get("")
	if p.status != http.StatusBadGateway || !strings.Contains(p.body, "not answering") || !strings.Contains(p.body, `http-equiv="refresh"`) {
		t.Errorf("platform down: %d\n%s", p.status, p.body)
	}
}

func TestMountedUnderAPrefix(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/ops/")
	b := e.browser(t)
	if p := b.noFollow("GET", e.hs.URL+"/ops", nil); p.status/100 != 3 || p.header.Get("Location") != "/ops/" {
		t.Errorf("GET /ops: %d %s", p.status, p.header.Get("Location"))
	}
	if p := b.noFollow("GET", "", nil); p.header.Get("Location") != "/ops/login?why=required&next=%2F" {
		t.Errorf("signed out under /ops/: %s", p.header.Get("Location"))
	}
	b = e.signIn(t, mockserver.OperatorEmail)
	p := b.get("")
	if !strings.Contains(p.body, `href="/ops/queues"`) || !strings.Contains(p.body, `/ops/static/console.css`) || strings.Contains(p.body, `href="/queues"`) {
		t.Error("links under the prefix do not carry it")
	}
	if p := b.get(e.hs.URL + "/other"); p.status != 418 {
		t.Errorf("the host program's own page: %d", p.status)
	}
}

func TestEventsRelay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	b := e.signIn(t, mockserver.OperatorEmail)
	if p := b.noFollow("GET", "events?topics=nonsense", nil); p.status != http.StatusBadRequest {
		t.Errorf("an unknown topic: %d", p.status)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.url+"events?topics=agents", nil)
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	next := func(prefix string) string { // the next line starting with prefix
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), prefix) {
				return sc.Text()
			}
		}
		t.Fatalf("the stream ended before %q: %v", prefix, sc.Err())
		return ""
	}
	next("event: ready")
	if _, err := e.sdk(t, mockserver.AdminEmail).Agents.Restart(ctx, "wow-search"); err != nil {
		t.Fatal(err)
	}
	next("event: change")
	if data := next("data: "); !strings.Contains(data, `"topic":"agents"`) || !strings.Contains(data, "wow-search") {
		t.Errorf("the relayed change: %s", data)
	}
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	if j := strings.Index(s, b); j >= 0 {
		return s[:j]
	}
	return s
}

// The console stands on the public SDK only: no mockserver, no internal
// package, in what it imports (its tests may use the mock server).
func TestImportsOnlyThePublicSDK(t *testing.T) {
	t.Parallel()
	const module = "github.com/waooaw/waooaw-go"
	seen := map[string]bool{}
	var walk func(dir, path string)
	walk = func(dir, path string) {
		if seen[path] {
			return
		}
		seen[path] = true
		pkg, err := build.ImportDir(dir, 0)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		for _, imp := range pkg.Imports {
			rel, ok := strings.CutPrefix(imp, module)
			if !ok {
				continue
			}
			if strings.Contains(imp, "/mockserver") || strings.Contains(imp, "/internal/") {
				t.Errorf("%s imports %s", path, imp)
			}
			walk(filepath.Join("..", filepath.FromSlash(strings.TrimPrefix(rel, "/"))), imp)
		}
	}
	walk(".", module+"/console")
	if !seen[module] || !seen[module+"/auth"] {
		t.Errorf("the walk missed the root package or auth: %v", seen)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "/")
	b := e.signIn(t, mockserver.OperatorEmail)
	p := b.get("")
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Cache-Control":          "no-store",
	} {
		if got := p.header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	csp := p.header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("the dashboard's CSP %q lacks %s", csp, want)
		}
	}
	if strings.Contains(p.body, "<script>") || strings.Contains(p.body, " onclick=") {
		t.Error("inline script on the dashboard: the CSP would block it")
	}
	// The sign-in form's answer redirects to the platform: its page does
	// not limit form-action.
	login := e.browser(t).get("login")
	if csp := login.header.Get("Content-Security-Policy"); strings.Contains(csp, "form-action") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("the login page's CSP: %q", csp)
	}
}
