package console_test

// The seed plan's testing checklists of iterations 5-8 (factory, servicing,
// help desk, logs and alerts), each at 1280 px and at 390 px wide, and the
// accessibility check of every page in both themes. TestBrowser runs them
// in its one chromium.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/waooaw/waooaw-go/mockserver"
	"github.com/waooaw/waooaw-go/platform"
)

var widths = []int64{1280, 390}

// atWidth signs in as email in a new tab w px wide.
func atWidth(t *testing.T, bctx context.Context, e *env, email string, w int64) context.Context {
	ctx := tab(t, bctx)
	run(t, ctx, chromedp.EmulateViewport(w, 900))
	signInBrowser(t, ctx, e, email)
	return ctx
}

// waitLive waits for the page's relay of the platform's events.
func waitLive(t *testing.T, ctx context.Context) {
	t.Helper()
	waitFor(t, ctx, "the live indicator", `document.getElementById("live") && document.getElementById("live").dataset.state === "live"`)
}

func browserPart2(t *testing.T, bctx context.Context) {
	// Iteration 5: Factory → Memory Agent → "test-agent" → resources →
	// review → deploy → progress → success with the agent id, on the
	// dashboard; a bad name shows the platform's message at the field.
	t.Run("factory", func(t *testing.T) {
		for _, w := range widths {
			t.Run(fmt.Sprint(w), func(t *testing.T) {
				e := newEnv(t, "/")
				ctx := atWidth(t, bctx, e, mockserver.AdminEmail, w)
				run(t, ctx, chromedp.Click(css(`nav a[href="/factory"]`)), chromedp.WaitVisible(css("#templates")))
				if n := eval[int](t, ctx, `document.querySelectorAll("#templates .tpl").length`); n < 6 {
					t.Errorf("%d template cards, want the six built-ins", n)
				}
				run(t, ctx, chromedp.Click(css(`#templates button[value="tmpl-memory"]`)), chromedp.WaitVisible(css("#agent_name")))
				if n := eval[int](t, ctx, `document.querySelectorAll("[data-config-field]").length`); n != 3 {
					t.Errorf("the Memory Agent form has %d config fields, want its schema's 3", n)
				}
				run(t, ctx, chromedp.SendKeys(css("#agent_name"), "x"), chromedp.Click(css("#next")), chromedp.WaitVisible(css("#agent_name-err")))
				if s := text(t, ctx, "#agent_name-err"); !strings.Contains(s, "at least 3 characters") {
					t.Errorf("the bad name's message reads %q", s)
				}
				if inv := eval[string](t, ctx, `document.getElementById("agent_name").getAttribute("aria-invalid")`); inv != "true" {
					t.Error("the bad name is not marked invalid")
				}
				run(t, ctx, chromedp.SetValue(css("#agent_name"), "test-agent"), chromedp.Click(css("#next")), chromedp.WaitVisible(css("#cpu_cores")))
				if s := text(t, ctx, "#cost-total"); s != "$22.00" {
					t.Errorf("the Memory Agent's default estimate reads %q", s)
				}
				eval[bool](t, ctx, `(e => { e.value = "2"; e.dispatchEvent(new Event("input", {bubbles: true})); return true })(document.getElementById("cpu_cores"))`)
				waitFor(t, ctx, "the estimate to follow the slider", `document.getElementById("cost-total").textContent === "$32.00"`)
				if s := text(t, ctx, "#cpu_cores-out"); s != "2 cores" {
					t.Errorf("the slider's value reads %q", s)
				}
				run(t, ctx, chromedp.Click(css("#next")), chromedp.WaitVisible(css("#review")))
				if s := text(t, ctx, "#review-name"); s != "test-agent" {
					t.Errorf("review: name %q", s)
				}
				if s := text(t, ctx, "#review-resources"); !strings.HasPrefix(s, "2 cores") {
					t.Errorf("review: resources %q", s)
				}
				// Back keeps the slider where it was; a reload keeps the step.
				run(t, ctx, chromedp.Click(css(".wizard-nav a")), chromedp.WaitVisible(css("#cpu_cores")), chromedp.Reload(), chromedp.WaitVisible(css("#cpu_cores")))
				if v := get(t, ctx, chromedp.Value(css("#cpu_cores"))); v != "2" {
					t.Errorf("back at resources the slider is %s", v)
				}
				run(t, ctx, chromedp.Click(css("#next")), chromedp.WaitVisible(css("#deploy")), chromedp.Click(css("#deploy")), chromedp.WaitVisible(css("#dep-steps")))
				if n := eval[int](t, ctx, `document.querySelectorAll("#dep-steps li").length`); n != 6 {
					t.Errorf("%d deployment steps shown", n)
				}
				waitLive(t, ctx)
				eval[bool](t, ctx, `window.__same = true`)
				e.mock.Advance(2 * time.Minute)
				waitFor(t, ctx, "progress", `document.getElementById("dep-progress") && document.getElementById("dep-progress").value > 0`)
				e.mock.Advance(time.Hour)
				waitFor(t, ctx, "the success step", `!!document.getElementById("done")`)
				if !eval[bool](t, ctx, `window.__same === true`) {
					t.Error("the page reloaded to show the progress")
				}
				id := text(t, ctx, "#agent-id")
				a, err := e.sdk(t, mockserver.AdminEmail).Agents.Get(context.Background(), id)
				if err != nil || a.Name != "test-agent" || a.Status != platform.AgentOnline {
					t.Fatalf("agent %q: %+v, %v", id, a, err)
				}
				run(t, ctx, chromedp.Click(css("#to-dashboard")), chromedp.WaitVisible(css("#agents")))
				if n := eval[int](t, ctx, `document.querySelectorAll('#agents .agent[data-agent-id="`+id+`"]').length`); n != 1 {
					t.Errorf("agent %s is not on the dashboard", id)
				}
			})
		}
	})

	// Iteration 6: Servicing → agent → upgrade → phases → the new version;
	// the known-bad build rolls back with its reason; a config patch
	// applies and shows its new version.
	t.Run("servicing", func(t *testing.T) {
		for _, w := range widths {
			t.Run(fmt.Sprint(w), func(t *testing.T) {
				e := newEnv(t, "/")
				ctx := atWidth(t, bctx, e, mockserver.AdminEmail, w)
				run(t, ctx, chromedp.Click(css(`nav a[href="/servicing"]`)), chromedp.WaitVisible(css("#servicing")),
					chromedp.Click(css(`#servicing tr[data-agent-id="wow-memory"] a`)), chromedp.WaitVisible(css("#upgrade-form")))
				if s := text(t, ctx, "#current-version"); s != "0.4.2" {
					t.Errorf("current version %q", s)
				}
				run(t, ctx, chromedp.SetValue(css("#target_version"), "0.4.3"), chromedp.Click(css(`input[name=strategy][value=canary]`)),
					chromedp.Click(css("#upgrade")), chromedp.WaitVisible(css("#phases")))
				if got := eval[[]string](t, ctx, `[...document.querySelectorAll("#phases li")].map(l => l.dataset.phase)`); !slices.Equal(got, []string{"canary_10", "canary_50", "canary_100"}) {
					t.Errorf("phases %v", got)
				}
				waitLive(t, ctx)
				e.mock.Advance(time.Hour)
				waitFor(t, ctx, "the new version", `!!document.getElementById("new-version")`)
				if s := text(t, ctx, "#new-version"); s != "0.4.3" {
					t.Errorf("after the upgrade: %q", s)
				}
				run(t, ctx, chromedp.Navigate(e.url+"servicing/wow-memory"), chromedp.WaitVisible(css("#upgrade-form")))
				if s := text(t, ctx, "#current-version"); s != "0.4.3" {
					t.Errorf("servicing shows %q after the upgrade", s)
				}
				// The known-bad build.
				run(t, ctx, chromedp.SetValue(css("#target_version"), "0.5.0"), chromedp.Click(css("#upgrade")), chromedp.WaitVisible(css("#phases")))
				waitLive(t, ctx)
				e.mock.Advance(time.Hour)
				waitFor(t, ctx, "the rollback", `document.getElementById("upgrade").dataset.status === "rolled_back"`)
				if s := text(t, ctx, "#outcome"); !strings.Contains(s, "Rolled back") || !strings.Contains(s, "error rate") || !strings.Contains(s, "0.4.3") {
					t.Errorf("the rollback reads %q", s)
				}
				// A config patch: preview, then apply.
				run(t, ctx, chromedp.Navigate(e.url+"servicing/wow-memory"), chromedp.WaitVisible(css("#patch")))
				before := text(t, ctx, "#config-version")
				run(t, ctx, chromedp.SendKeys(css("#patch"), `{"rate_limit": 200}`), chromedp.Click(css("#preview")), chromedp.WaitVisible(css("#config-preview")))
				if s := text(t, ctx, "#config-preview"); !strings.Contains(s, `"rate_limit": 200`) {
					t.Errorf("preview %q", s)
				}
				run(t, ctx, chromedp.Click(css("#apply")), chromedp.WaitVisible(css(".flash-ok")))
				after := text(t, ctx, "#config-version")
				if after == before || !strings.Contains(text(t, ctx, ".flash-ok"), "version "+after) || !strings.Contains(text(t, ctx, "#config-current"), `"rate_limit": 200`) {
					t.Errorf("config version %s → %s; flash %q", before, after, text(t, ctx, ".flash-ok"))
				}
			})
		}
	})

	// Iteration 7: Help Desk → search "acme" → customer → agents →
	// "Restart Agent" → the agent restarts; diagnose shows a root cause.
	t.Run("helpdesk", func(t *testing.T) {
		for _, w := range widths {
			t.Run(fmt.Sprint(w), func(t *testing.T) {
				e := newEnv(t, "/")
				ctx := atWidth(t, bctx, e, mockserver.OperatorEmail, w)
				run(t, ctx, chromedp.Click(css(`nav a[href="/helpdesk"]`)), chromedp.WaitVisible(css("#q")),
					chromedp.SendKeys(css("#q"), "acme"), chromedp.Click(css("#search")), chromedp.WaitVisible(css("#customers")))
				if s := text(t, ctx, "#customers"); !strings.Contains(s, "Acme") {
					t.Errorf("search acme: %q", s)
				}
				run(t, ctx, chromedp.Click(css("#customers a")), chromedp.WaitVisible(css("#customer-agents")))
				if n := eval[int](t, ctx, `document.querySelectorAll("#customer-agents tbody tr").length`); n != 3 {
					t.Errorf("Acme has %d agents shown, want 3", n)
				}
				row := `#customer-agents tr[data-agent-id="agent-003"]`
				run(t, ctx, chromedp.Click(css(row+" button.restart")), chromedp.WaitVisible(css(".flash-ok")))
				if s := text(t, ctx, row+" .badge"); s != "starting" {
					t.Errorf("after Restart Agent: %q", s)
				}
				waitLive(t, ctx)
				e.mock.Advance(time.Minute)
				waitFor(t, ctx, "agent-003 online", `document.querySelector('`+row+` .badge').textContent.trim() === "online"`)
				run(t, ctx, chromedp.Click(css("#diagnose")), chromedp.WaitVisible(css("#diagnosis")))
				if s := text(t, ctx, "#root-cause"); len(s) < 10 {
					t.Errorf("root cause %q", s)
				}
				n := eval[int](t, ctx, `document.querySelectorAll("#recommendations button").length`)
				if n == 0 {
					t.Fatal("no quick action recommended")
				}
				run(t, ctx, chromedp.Click(css("#recommendations button")), chromedp.WaitVisible(css(".flash")))
				if cls := eval[string](t, ctx, `document.querySelector(".flash").className`); !strings.Contains(cls, "flash-ok") {
					t.Errorf("the recommended quick action: %s", text(t, ctx, ".flash"))
				}
			})
		}
	})

	// Iteration 8: logs by level, a pausable tail; alerts acknowledged then
	// resolved.
	t.Run("logs-alerts", func(t *testing.T) {
		for _, w := range widths {
			t.Run(fmt.Sprint(w), func(t *testing.T) {
				e := newEnv(t, "/")
				ctx := atWidth(t, bctx, e, mockserver.OperatorEmail, w)
				run(t, ctx, chromedp.Click(css(`nav a[href="/logs"]`)), chromedp.WaitVisible(css("#logs")))
				// The live tail: a line logged now appears at the top in place.
				pc := e.sdk(t, mockserver.OperatorEmail)
				var active []platform.Alert
				for a, err := range pc.Alerts.List(context.Background(), platform.AlertListOptions{Status: platform.AlertActive}) {
					if err != nil {
						t.Fatal(err)
					}
					active = append(active, a)
				}
				if len(active) < 3 {
					t.Fatalf("%d active alerts seeded, the test needs 3", len(active))
				}
				waitLive(t, ctx)
				first := `document.querySelector("#logs tbody tr").dataset.logId`
				top := eval[string](t, ctx, first)
				if _, err := pc.Alerts.Acknowledge(context.Background(), active[0].AlertID); err != nil {
					t.Fatal(err)
				}
				waitFor(t, ctx, "the new line at the top", first+` !== "`+top+`" && document.querySelector("#logs tbody tr").textContent.includes("`+active[0].AlertID+`")`)
				// Paused, it stays as it is.
				run(t, ctx, chromedp.Click(css("#tail")), chromedp.WaitVisible(css(`#tail.primary`)))
				top = eval[string](t, ctx, first)
				if _, err := pc.Alerts.Acknowledge(context.Background(), active[1].AlertID); err != nil {
					t.Fatal(err)
				}
				run(t, ctx, chromedp.Sleep(time.Second))
				if now := eval[string](t, ctx, first); now != top {
					t.Errorf("the paused tail moved: %s → %s", top, now)
				}
				run(t, ctx, chromedp.Click(css("#tail")), chromedp.WaitVisible(css(`#tail.ghost`)))
				if now := eval[string](t, ctx, first); now == top {
					t.Error("after resuming the tail the paused line is still the newest")
				}
				run(t, ctx, chromedp.SetValue(css("#level"), "ERROR"), chromedp.Click(css("#filter")))
				waitFor(t, ctx, "the level filter", `location.search.includes("level=ERROR") && document.readyState === "complete"`)
				if loc := location(t, ctx); !strings.Contains(loc, "level=ERROR") {
					t.Errorf("the filter is not in the URL: %s", loc)
				}
				levels := eval[[]string](t, ctx, `[...document.querySelectorAll("#logs tbody tr")].map(r => r.dataset.level)`)
				if len(levels) == 0 || slices.ContainsFunc(levels, func(l string) bool { return l != "ERROR" }) {
					t.Errorf("levels after the filter: %v", levels)
				}
				run(t, ctx, chromedp.Click(css("#tail")), chromedp.WaitVisible(css(`#tail.primary`)))
				if loc := location(t, ctx); !strings.Contains(loc, "paused=1") || !strings.Contains(loc, "level=ERROR") {
					t.Errorf("paused: at %s", loc)
				}
				if n := eval[int](t, ctx, `document.querySelectorAll("#live").length`); n != 0 {
					t.Error("the paused tail still follows the events")
				}
				run(t, ctx, chromedp.Click(css(`nav a[href="/alerts"]`)), chromedp.WaitVisible(css("#alerts")))
				id := active[2].AlertID
				li := `#alerts li[data-alert-id="` + id + `"]`
				if n := eval[int](t, ctx, `document.querySelectorAll("#alerts .badge[class*=sev-]").length`); n == 0 {
					t.Error("no severity badges")
				}
				run(t, ctx, chromedp.Click(css(li+" button.ack")), chromedp.WaitVisible(css(".flash-ok")))
				if st := eval[string](t, ctx, `document.querySelector('`+li+`').dataset.status`); st != "acknowledged" {
					t.Errorf("after acknowledge: %s", st)
				}
				run(t, ctx, chromedp.Click(css(li+" button.resolve")))
				waitFor(t, ctx, "the alert resolved", `!!document.querySelector('`+li+`[data-status="resolved"]') && !document.querySelector('`+li+` button')`)
				run(t, ctx, chromedp.SetValue(css("#astatus"), "resolved"), chromedp.Click(css("#filter")))
				waitFor(t, ctx, "the status filter", `location.search.includes("status=resolved") && document.readyState === "complete" && !!document.getElementById("alerts")`)
				if n := eval[int](t, ctx, `document.querySelectorAll('#alerts li:not([data-status="resolved"])').length`); n != 0 {
					t.Errorf("%d unresolved alerts under the resolved filter", n)
				}
			})
		}
	})

	// The keyboard: g f opens the factory, ? the help.
	t.Run("keyboard", func(t *testing.T) {
		e := newEnv(t, "/")
		ctx := atWidth(t, bctx, e, mockserver.OperatorEmail, 1280)
		run(t, ctx, chromedp.KeyEvent("g"), chromedp.KeyEvent("f"), chromedp.WaitVisible(css("#templates")))
		run(t, ctx, chromedp.KeyEvent("?"), chromedp.WaitVisible(css("#keys[open]")))
		if s := text(t, ctx, "#keys"); !strings.Contains(s, "Help desk") || !strings.Contains(s, "Switch the theme") {
			t.Errorf("the help reads %q", s)
		}
	})

	t.Run("accessibility", func(t *testing.T) { accessibility(t, bctx) })
}

// a11yCheck is the in-page accessibility check: every visible interactive
// element has an accessible name; the page has one main landmark; no
// visible text is under 4.5:1 contrast (3:1 when large) against what is
// behind it.
const a11yCheck = `(() => {
  const out = [];
  const visible = el => { const cs = getComputedStyle(el); const r = el.getBoundingClientRect(); return el.getClientRects().length > 0 && cs.visibility !== "hidden" && r.width > 1 && r.height > 1; };
  const byIds = ids => ids.split(/\s+/).map(id => (document.getElementById(id) || {}).textContent || "").join(" ").trim();
  const name = el => {
    const l = (el.getAttribute("aria-label") || "").trim(); if (l) return l;
    const lb = el.getAttribute("aria-labelledby"); if (lb && byIds(lb)) return byIds(lb);
    if (el.labels && el.labels.length) { const t = [...el.labels].map(x => x.textContent).join(" ").trim(); if (t) return t; }
    if (/^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) return (el.type === "submit" || el.type === "button") ? el.value : (el.title || "");
    return (el.textContent || "").trim() || el.title || "";
  };
  document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1']), [role=button]").forEach(el => {
    if (el.type === "hidden" || !visible(el)) return;
    if (!name(el)) out.push("no accessible name: " + el.outerHTML.slice(0, 140));
  });
  const mains = document.querySelectorAll("main, [role=main]").length;
  if (mains !== 1) out.push(mains + " main landmarks");
  const rgba = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const behind = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const seen = new Set();
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || seen.has(el) || el.closest("svg, dialog:not([open]), .sr, [hidden], script, style, option") || !visible(el)) continue;
    seen.add(el);
    if (el.closest(":disabled") || el.closest("[aria-busy=true]")) continue;
    const cs = getComputedStyle(el);
    const bg = behind(el);
    const fg = over(rgba(cs.color), bg);
    const [a, b] = [lum(fg), lum(bg)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(cs.fontSize), bold = parseInt(cs.fontWeight, 10) >= 700;
    const need = (size >= 24 || (size >= 18.66 && bold)) ? 3 : 4.5;
    if (ratio < need) out.push("contrast " + ratio.toFixed(2) + " < " + need + ": " + cs.color + " on rgb(" + bg.slice(0, 3).map(Math.round).join(",") + ") «" + n.textContent.trim().slice(0, 40) + "» in " + el.tagName.toLowerCase() + "." + el.className);
  }
  return out.slice(0, 25);
})()`

// accessibility runs a11yCheck on every page in both themes, and checks
// that the pages' titles differ.
func accessibility(t *testing.T, bctx context.Context) {
	e := newEnv(t, "/")
	ctx := atWidth(t, bctx, e, mockserver.AdminEmail, 1280)
	// A deployment and an upgrade to look at.
	run(t, ctx, chromedp.Navigate(e.url+"factory"), chromedp.WaitVisible(css("#templates")),
		chromedp.Click(css(`#templates button[value="tmpl-api"]`)), chromedp.WaitVisible(css("#agent_name")))
	pages := []string{"", "agents/wow-memory", "queues", "queues/agent-tasks", "workflows", "workflows/wf-001",
		"factory", "factory/configure", "servicing", "servicing/wow-memory", "helpdesk?q=acme", "helpdesk/customers/cust-001?diagnose=1",
		"helpdesk/playbooks/pb-agent-error", "logs", "alerts", "nope"}
	titles := map[string]string{}
	for _, path := range pages {
		run(t, ctx, chromedp.Navigate(e.url+path), chromedp.WaitVisible(css("main h1")))
		title := eval[string](t, ctx, `document.title`)
		if other, dup := titles[title]; dup {
			t.Errorf("/%s and /%s share the title %q", path, other, title)
		}
		titles[title] = path
		for _, theme := range []string{"light", "dark"} {
			eval[bool](t, ctx, `(document.documentElement.dataset.theme = "`+theme+`", true)`)
			for _, p := range eval[[]string](t, ctx, a11yCheck) {
				t.Errorf("/%s (%s): %s", path, theme, p)
			}
		}
	}
	// The check finds what it looks for: a button with no name, grey on
	// white, a second main.
	eval[bool](t, ctx, `(document.getElementById("main").insertAdjacentHTML("beforeend",
		'<div id="bad"><button></button><p style="color:#aaa;background:#fff">faint</p><main></main></div>'), true)`)
	if got := eval[[]string](t, ctx, a11yCheck); len(got) != 3 {
		t.Errorf("the check of a page with three faults found %d: %q", len(got), got)
	}
	eval[bool](t, ctx, `(document.getElementById("bad").remove(), true)`)
	// The login page, signed out.
	run(t, ctx, chromedp.Navigate(e.url), chromedp.WaitVisible(css("#agents")),
		chromedp.Click(css(`form[action="/logout"] button`)), chromedp.WaitVisible(css("#google")))
	for _, theme := range []string{"light", "dark"} {
		eval[bool](t, ctx, `(document.documentElement.dataset.theme = "`+theme+`", true)`)
		for _, p := range eval[[]string](t, ctx, a11yCheck) {
			t.Errorf("/login (%s): %s", theme, p)
		}
	}
}

// screenshots writes the screenshots of every page, in both themes,
// at 1280 and 390 px, into dir.
func screenshots(t *testing.T, bctx context.Context, dir string) {
	e := newEnv(t, "/")
	ctx := atWidth(t, bctx, e, mockserver.AdminEmail, 1280)
	// Something to show: a rolled-back upgrade, a template chosen in the wizard.
	run(t, ctx, chromedp.Navigate(e.url+"servicing/wow-memory"), chromedp.WaitVisible(css("#upgrade-form")),
		chromedp.SetValue(css("#target_version"), "0.5.0"), chromedp.Click(css("#upgrade")), chromedp.WaitVisible(css("#phases")))
	upgrade := strings.TrimPrefix(location(t, ctx), e.url)
	e.mock.Advance(time.Hour)
	shots := []struct{ name, path, ready string }{
		{"dashboard", "", "#agents"},
		{"queues", "queues/agent-tasks", "#dlq"},
		{"workflow", "workflows/wf-001", ".gantt svg"},
		{"factory", "factory", "#templates"},
		{"factory-configure", "factory/configure", "#agent_name"},
		{"servicing", "servicing/wow-memory", "#versions"},
		{"upgrade", upgrade, "#phases"},
		{"helpdesk", "helpdesk/customers/cust-001?diagnose=1", "#diagnosis"},
		{"logs", "logs?level=WARN", "#logs"},
		{"alerts", "alerts", "#alerts"},
	}
	run(t, ctx, chromedp.Navigate(e.url+"factory"), chromedp.WaitVisible(css("#templates")),
		chromedp.Click(css(`#templates button[value="tmpl-memory"]`)), chromedp.WaitVisible(css("#agent_name")))
	for _, width := range widths {
		for _, theme := range []string{"light", "dark"} {
			for _, shot := range shots {
				run(t, ctx,
					chromedp.EmulateViewport(width, 900),
					chromedp.Navigate(e.url+shot.path),
					chromedp.WaitVisible(css(shot.ready)),
				)
				if shot.name == "factory-configure" { // with the platform's problem at the name
					run(t, ctx, chromedp.SetValue(css("#agent_name"), "x"), chromedp.Click(css("#next")), chromedp.WaitVisible(css("#agent_name-err")))
				}
				eval[bool](t, ctx, `(document.documentElement.dataset.theme = "`+theme+`", true)`)
				run(t, ctx, chromedp.Sleep(150*time.Millisecond))
				png := get(t, ctx, chromedp.FullScreenshot(100))
				name := filepath.Join(dir, fmt.Sprintf("console-%s-%d-%s.png", shot.name, width, theme))
				if err := os.WriteFile(name, png, 0o644); err != nil {
					t.Fatal(err)
				}
				if len(png) < 5000 {
					t.Errorf("%s: a %d-byte screenshot", name, len(png))
				}
			}
		}
	}
}
