package console_test

// The seed plan's testing checklists (iterations 1-4), walked in a real
// browser: Debian's chromium, driven by chromedp, against the console on an
// embedded mock server. Outside CI the tests skip when no browser is found;
// in CI ($CI set) a missing browser fails them.
//
// WAOOAW_SCREENSHOTS=docs go test ./console -run TestBrowser/screenshots
// rewrites the screenshots in docs/.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/workflows"
)

func chromiumPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on PATH: .ci/run installs Debian's chromium (apt-get install -y chromium)")
	}
	t.Skip("no chromium on PATH: install Debian's chromium (apt-get install -y chromium) to run the browser tests")
	return ""
}

// newBrowser starts one headless chromium for a test and its subtests.
func newBrowser(t *testing.T) context.Context {
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("proxy-server", "direct://"), // loopback only
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	bctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return bctx
}

// tab opens a new tab (its own cookies are the browser's: one tab a test).
func tab(t *testing.T, bctx context.Context) context.Context {
	ctx, cancel := chromedp.NewContext(bctx)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 120*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// css is the first element a CSS selector matches.
type css = chromedp.CSS

func run(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func get[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	return get(t, ctx, chromedp.Location())
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return strings.TrimSpace(get(t, ctx, chromedp.TextContent(css(sel))))
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	return get(t, ctx, chromedp.Evaluate[T](js))
}

// waitFor polls a script until it is true (the page's own pace: events,
// refreshes), failing after ten seconds.
func waitFor(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if eval[bool](t, ctx, js) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s (%s)", what, js)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// signInBrowser signs in through the login page as email.
func signInBrowser(t *testing.T, ctx context.Context, e *env, email string) {
	t.Helper()
	run(t, ctx,
		chromedp.Navigate(e.url+"login"),
		chromedp.WaitVisible(css("#google")),
		chromedp.SendKeys(css("#hint"), email),
		chromedp.Click(css("#google")),
		chromedp.WaitVisible(css(`nav[aria-label="Pages"]`)),
	)
}

func TestBrowser(t *testing.T) {
	bctx := newBrowser(t)

	// Iteration 1: sign in, refresh, logout, blocked without a session.
	t.Run("sign-in", func(t *testing.T) {
		e := newEnv(t, "/")
		ctx := tab(t, bctx)
		run(t, ctx, chromedp.Navigate(e.url), chromedp.WaitVisible(css("#google")))
		if loc := location(t, ctx); !strings.Contains(loc, "/login?why=required") {
			t.Fatalf("/ without a session: at %s, want the login page", loc)
		}
		run(t, ctx,
			chromedp.SendKeys(css("#hint"), mockserver.OperatorEmail),
			chromedp.Click(css("#google")),
			chromedp.WaitVisible(css(".cards")),
		)
		if loc := location(t, ctx); loc != e.url {
			t.Errorf("after the sign-in: at %s, want the dashboard %s", loc, e.url)
		}
		if who := text(t, ctx, ".who"); !strings.Contains(who, "Oscar Ops") || !strings.Contains(who, "operator") {
			t.Errorf("signed in as %q", who)
		}
		run(t, ctx, chromedp.Reload(), chromedp.WaitVisible(css(".cards")))
		if loc := location(t, ctx); loc != e.url {
			t.Errorf("after a reload: at %s", loc)
		}
		run(t, ctx, chromedp.Click(css(`form[action="/logout"] button`)), chromedp.WaitVisible(css("#google")))
		if msg := text(t, ctx, ".note"); !strings.Contains(msg, "signed out") {
			t.Errorf("after logout: %q", msg)
		}
		run(t, ctx, chromedp.Navigate(e.url+"queues"), chromedp.WaitVisible(css("#google")))
		if loc := location(t, ctx); !strings.Contains(loc, "next=%2Fqueues") {
			t.Errorf("/queues after logout: at %s", loc)
		}
	})

	// Iteration 2: cards, grid, badges, search, filter, detail, restart live.
	t.Run("dashboard", func(t *testing.T) {
		e := newEnv(t, "/")
		ctx := tab(t, bctx)
		signInBrowser(t, ctx, e, mockserver.OperatorEmail)
		if n := eval[int](t, ctx, `document.querySelectorAll(".cards .metric").length`); n != 4 {
			t.Errorf("%d metric cards, want 4", n)
		}
		agents := eval[int](t, ctx, `document.querySelectorAll("#agents .agent").length`)
		if agents < 10 {
			t.Errorf("%d agents in the grid", agents)
		}
		card := `#agents .agent[data-agent-id="wow-memory"]`
		if s := text(t, ctx, card); !strings.Contains(s, "WowMemory") || !strings.Contains(s, "Platform CoE") || !strings.Contains(s, "online") || !strings.Contains(s, "2 minutes ago") {
			t.Errorf("the WowMemory card reads %q", s)
		}
		green := eval[string](t, ctx, `getComputedStyle(document.querySelector(".badge.s-online")).color`)
		red := eval[string](t, ctx, `getComputedStyle(document.querySelector(".badge.s-error")).color`)
		if green == red || green == "" {
			t.Errorf("online and error badges share a colour: %s", green)
		}
		// Search and filter, in the URL.
		run(t, ctx, chromedp.SendKeys(css("#q"), "mem"), chromedp.Submit(css("#q")), chromedp.WaitVisible(css(`#q[value="mem"]`)))
		if loc := location(t, ctx); !strings.Contains(loc, "q=mem") {
			t.Errorf("search: at %s", loc)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("#agents .agent").length`); n != 1 {
			t.Errorf("search mem: %d agents", n)
		}
		run(t, ctx, chromedp.Navigate(e.url+"?status=offline"), chromedp.WaitVisible(css("#agents")))
		if n := eval[int](t, ctx, `document.querySelectorAll("#agents .agent").length`); n != 3 {
			t.Errorf("status offline: %d agents", n)
		}
		// The detail dialog, then restart from it.
		run(t, ctx, chromedp.Navigate(e.url), chromedp.WaitVisible(css("#agents")),
			chromedp.Click(css(`#agents .agent[data-agent-id="wow-search"]`)),
			chromedp.WaitVisible(css(`#dialog[open] .detail`)))
		if s := text(t, ctx, "#dialog .detail"); !strings.Contains(s, "search") || !strings.Contains(s, "indexing") || !strings.Contains(s, "Health") {
			t.Errorf("the dialog reads %q", s)
		}
		run(t, ctx, chromedp.Click(css(`#dialog button[value="restart"]`)), chromedp.WaitVisible(css(".flash")))
		if loc := location(t, ctx); loc != e.url {
			t.Errorf("after restart from the dialog: at %s, want the dashboard", loc)
		}
		badge := `#agents .agent[data-agent-id="wow-search"] .badge`
		if s := text(t, ctx, badge); s != "starting" {
			t.Errorf("after restart the badge reads %q", s)
		}
		waitFor(t, ctx, "the live indicator", `document.getElementById("live").dataset.state === "live"`)
		eval[bool](t, ctx, `window.__sameDocument = true`)
		e.mock.Advance(time.Minute)
		waitFor(t, ctx, "the badge to turn online", `document.querySelector('`+badge+`').textContent.trim() === "online"`)
		if !eval[bool](t, ctx, `window.__sameDocument === true`) {
			t.Error("the page reloaded to show the change")
		}
		// The theme toggle persists across loads.
		run(t, ctx, chromedp.Click(css("#theme")))
		theme := eval[string](t, ctx, `document.documentElement.dataset.theme || ""`)
		run(t, ctx, chromedp.Reload(), chromedp.WaitVisible(css(".cards")))
		if again := eval[string](t, ctx, `document.documentElement.dataset.theme || ""`); theme == "" || again != theme {
			t.Errorf("theme %q after the toggle, %q after a reload", theme, again)
		}
		// Refresh button: updates in place.
		eval[string](t, ctx, `document.getElementById("main").dataset.refreshed = ""`)
		run(t, ctx, chromedp.Click(css("#refresh")))
		waitFor(t, ctx, "the refresh", `document.getElementById("main").dataset.refreshed !== ""`)
	})

	// Iteration 3: queues, DLQ, retry.
	t.Run("queues", func(t *testing.T) {
		e := newEnv(t, "/")
		ctx := tab(t, bctx)
		signInBrowser(t, ctx, e, mockserver.OperatorEmail)
		run(t, ctx, chromedp.Click(css(`nav a[href="/queues"]`)), chromedp.WaitVisible(css("#queues")))
		if n := eval[int](t, ctx, `document.querySelectorAll("#queues tbody tr[data-queue]").length`); n < 4 {
			t.Errorf("%d queues, want 4 or more", n)
		}
		if cur := text(t, ctx, `nav a[aria-current="page"]`); cur != "Queues" {
			t.Errorf("current page in the navigation: %q", cur)
		}
		run(t, ctx, chromedp.Click(css(`#queues tr[data-queue="agent-tasks"] th a`)), chromedp.WaitVisible(css("#dlq")))
		before := text(t, ctx, "#dlq-count")
		first := eval[string](t, ctx, `document.querySelector("#dlq tbody tr[data-message-id]").dataset.messageId`)
		run(t, ctx, chromedp.Click(css(`#dlq tr[data-message-id="`+first+`"] button[aria-label^="Retry"]`)),
			chromedp.WaitVisible(css(".flash-ok")))
		if n := eval[int](t, ctx, `document.querySelectorAll('#dlq tr[data-message-id="`+first+`"]').length`); n != 0 {
			t.Errorf("%s is still in the DLQ after retry", first)
		}
		if after := text(t, ctx, "#dlq-count"); after == before {
			t.Errorf("the DLQ count stayed %s", after)
		}
		if poll := eval[string](t, ctx, `document.getElementById("main").dataset.poll`); poll != "5" {
			t.Errorf("queues poll every %s s, want 5", poll)
		}
	})

	// Iteration 4: workflows, detail, pause, resume.
	t.Run("workflows", func(t *testing.T) {
		e := newEnv(t, "/")
		ctx := tab(t, bctx)
		signInBrowser(t, ctx, e, mockserver.OperatorEmail)
		run(t, ctx, chromedp.Navigate(e.url+"workflows"), chromedp.WaitVisible(css("#workflows")))
		if n := eval[int](t, ctx, `document.querySelectorAll("#workflows .wf").length`); n < 4 {
			t.Errorf("%d workflows", n)
		}
		if v := eval[int](t, ctx, `document.querySelector('.wf[data-workflow-id="wf-001"] progress').value`); v != 60 {
			t.Errorf("wf-001 progress %d, want 60", v)
		}
		run(t, ctx, chromedp.Click(css(`.wf[data-workflow-id="wf-001"] a`)), chromedp.WaitVisible(css("#tasks")))
		if n := eval[int](t, ctx, `document.querySelectorAll(".gantt svg rect.bar.critical").length`); n == 0 {
			t.Error("the Gantt marks no critical path")
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("#tasks tr[data-task-id]").length`); n != 5 {
			t.Errorf("%d tasks shown, want 5", n)
		}
		run(t, ctx, chromedp.Click(css("#pause")), chromedp.WaitVisible(css("#resume")))
		if s := text(t, ctx, "h1 .badge"); s != "paused" {
			t.Errorf("after pause: %q", s)
		}
		run(t, ctx, chromedp.Click(css("#resume")), chromedp.WaitVisible(css("#pause")))
		if s := text(t, ctx, "h1 .badge"); s != "running" {
			t.Errorf("after resume: %q", s)
		}
		// Cancel asks first; saying no leaves it running.
		eval[bool](t, ctx, `(window.confirm = () => false, true)`)
		run(t, ctx, chromedp.Click(css("#cancel")), chromedp.Sleep(300*time.Millisecond))
		if w, err := workflows.New(e.sdk(t, mockserver.AdminEmail)).Get(context.Background(), "wf-001"); err != nil || w.Status != workflows.StatusRunning {
			t.Errorf("after a declined cancel wf-001 is %v (%v)", w.Status, err)
		}
	})

	// The platform's event stream is down: the page says it polls.
	t.Run("polling", func(t *testing.T) {
		e := newEnv(t, "/")
		if _, err := e.mock.AddFault(mockserver.Fault{Method: "GET", Path: "/api/platform/events", Status: 500}); err != nil {
			t.Fatal(err)
		}
		ctx := tab(t, bctx)
		signInBrowser(t, ctx, e, mockserver.OperatorEmail)
		waitFor(t, ctx, "the polling indicator", `document.getElementById("live").dataset.state === "polling"`)
		if s := text(t, ctx, "#live"); !strings.Contains(s, "polling every 30 s") {
			t.Errorf("the indicator reads %q", s)
		}
	})

	// The viewer sees no mutation buttons.
	t.Run("viewer", func(t *testing.T) {
		e := newEnv(t, "/")
		ctx := tab(t, bctx)
		signInBrowser(t, ctx, e, mockserver.ViewerEmail)
		for _, path := range []string{"agents/wow-search", "queues/agent-tasks", "workflows/wf-001", "workflows/wf-003",
			"servicing/wow-memory", "helpdesk/customers/cust-001", "alerts"} {
			run(t, ctx, chromedp.Navigate(e.url+path), chromedp.WaitVisible(css("main h1")))
			if n := eval[int](t, ctx, `document.querySelectorAll('main form[method="post"]').length`); n != 0 {
				t.Errorf("the viewer sees %d action forms on %s", n, path)
			}
		}
	})

	t.Run("performance", func(t *testing.T) {
		e := newEnv(t, "/")
		ctx := tab(t, bctx)
		signInBrowser(t, ctx, e, mockserver.OperatorEmail)
		var worst float64
		for range 5 {
			run(t, ctx, chromedp.Navigate(e.url), chromedp.WaitVisible(css(".cards")))
			dcl := eval[float64](t, ctx, `performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd`)
			worst = max(worst, dcl)
		}
		t.Logf("dashboard DOMContentLoaded: worst of 5 loads %.0f ms (goal 500 ms; the seed asks under 2 s)", worst)
		if worst > 2000 {
			t.Errorf("the dashboard took %.0f ms to DOMContentLoaded, over the seed's 2 s", worst)
		}
	})

	browserPart2(t, bctx)

	t.Run("screenshots", func(t *testing.T) {
		dir := t.TempDir()
		if os.Getenv("WAOOAW_SCREENSHOTS") != "" {
			dir = filepath.Join("..", os.Getenv("WAOOAW_SCREENSHOTS"))
		}
		screenshots(t, bctx, dir)
		e := newEnv(t, "/")
		ctx := tab(t, bctx)
		signInBrowser(t, ctx, e, mockserver.AdminEmail)
		// From 360 px up, no page scrolls sideways.
		for _, path := range []string{"", "agents/wow-memory", "queues", "queues/agent-tasks", "workflows", "workflows/wf-001", "login", "nope",
			"factory", "servicing", "servicing/wow-memory", "helpdesk?q=acme", "helpdesk/customers/cust-001?diagnose=1", "helpdesk/playbooks/pb-agent-error", "logs", "alerts"} {
			run(t, ctx, chromedp.EmulateViewport(360, 800), chromedp.Navigate(e.url+path), chromedp.WaitVisible(css("main h1")))
			if over := eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth + 1`); over {
				t.Errorf("at 360 px /%s scrolls sideways", path)
			}
		}
	})
}
