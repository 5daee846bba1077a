// The console's progressive enhancement: every page works without this
// script; with it, pages update in place from the platform's live events
// (relayed by the console as Server-Sent Events), poll when the stream is
// down, open agents in a dialog, confirm before destructive posts, and
// remember the theme.
(function () {
  "use strict";
  var base = document.body.dataset.base || "/";
  var main = document.getElementById("main");
  var dialog = document.getElementById("dialog");
  var live = document.getElementById("live");
  var dialogURL = null;

  // Theme: the system's unless the toggle chose one.
  var root = document.documentElement; // its saved theme is set by theme.js, in the head
  var themeBtn = document.getElementById("theme");
  if (themeBtn) {
    themeBtn.hidden = false;
    themeBtn.addEventListener("click", function () {
      var dark = root.dataset.theme ? root.dataset.theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
      root.dataset.theme = dark ? "light" : "dark";
      try { localStorage.setItem("waooaw-theme", root.dataset.theme); } catch (e) {}
    });
  }

  // Confirm before posts that cannot be undone.
  document.addEventListener("submit", function (ev) {
    var f = ev.target;
    if (!f.dataset || !f.dataset.confirm) return;
    if (!window.confirm(f.dataset.confirm)) { ev.preventDefault(); return; }
    if (!f.querySelector("input[name=confirm]")) {
      var i = document.createElement("input");
      i.type = "hidden"; i.name = "confirm"; i.value = "yes";
      f.appendChild(i);
    }
  }, true);

  function partial(url) {
    return fetch(url, { headers: { "X-Console-Partial": "main" }, credentials: "same-origin" }).then(function (r) {
      if (r.status === 401) { location.reload(); throw new Error("signed out"); }
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.text();
    });
  }

  // Agents open in a dialog; the link still works as a page.
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("a[data-dialog]");
    if (!a || !dialog || !dialog.showModal || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.button !== 0) return;
    ev.preventDefault();
    dialogURL = a.href;
    partial(a.href).then(function (html) {
      var body = dialog.querySelector(".dialog-body");
      body.innerHTML = html;
      stayHere(body);
      if (!dialog.open) dialog.showModal();
    }).catch(function () { location.href = a.href; });
  });
  // An action taken in the dialog comes back to this page, not the agent's.
  function stayHere(el) {
    var here = location.pathname.slice(base.length - 1) + location.search;
    el.querySelectorAll("input[name=back]").forEach(function (i) { i.value = here; });
  }
  if (dialog) dialog.addEventListener("close", function () { dialogURL = null; });

  // Keyboard shortcuts: g then a page's key, / to search, t for the theme,
  // ? for their help.
  var keys = document.getElementById("keys");
  var keysBtn = document.getElementById("keys-open");
  if (keys && keys.showModal && keysBtn) {
    keysBtn.hidden = false;
    keysBtn.addEventListener("click", function () { keys.showModal(); });
  }
  var gPressed = 0;
  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
    var t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName))) return;
    if (document.querySelector("dialog[open]") && ev.key !== "Escape") return;
    if (gPressed && Date.now() - gPressed < 1500) {
      gPressed = 0;
      var link = document.querySelector('nav a[data-key="' + ev.key + '"]');
      if (link) { ev.preventDefault(); location.href = link.href; }
      return;
    }
    switch (ev.key) {
    case "g": gPressed = Date.now(); break;
    case "?": if (keys && keys.showModal) { ev.preventDefault(); keys.showModal(); } break;
    case "/":
      var search = document.querySelector("main input[type=search], main .filters input, main .filters select");
      if (search) { ev.preventDefault(); search.focus(); }
      break;
    case "t": if (themeBtn) themeBtn.click(); break;
    }
  });

  // Forms say they are working while the console asks the platform.
  document.addEventListener("submit", function (ev) {
    if (ev.defaultPrevented) return;
    var f = ev.target;
    if (f.method === "dialog") return;
    setTimeout(function () { f.setAttribute("aria-busy", "true"); }, 0);
  });

  // The factory's sliders: their values and the cost estimate follow them.
  var est = document.querySelector("form[data-estimate]");
  if (est) {
    var estTimer = null;
    var update = function () {
      est.querySelectorAll("input[type=range]").forEach(function (i) {
        var out = document.getElementById(i.id + "-out");
        if (out) out.textContent = i.value + " " + out.textContent.replace(/^[^ ]* /, "");
      });
      clearTimeout(estTimer);
      estTimer = setTimeout(function () {
        var q = new URLSearchParams();
        ["cpu_cores", "memory_gb", "storage_gb", "plan"].forEach(function (n) { if (est.elements[n]) q.set(n, est.elements[n].value); });
        fetch(est.dataset.estimate + "?" + q, { credentials: "same-origin" }).then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        }).then(function (c) {
          ["total", "cpu", "memory", "storage", "network"].forEach(function (k) {
            var o = document.getElementById("cost-" + k);
            if (o) o.textContent = c[k];
          });
          est.dataset.estimated = c.total;
        }).catch(function () {});
      }, 120);
    };
    est.addEventListener("input", update);
    est.addEventListener("change", update);
    var estBtn = document.getElementById("estimate");
    if (estBtn) estBtn.hidden = true; // the estimate follows by itself
  }

  if (!main) return;

  // A form being filled in is not redrawn under the typing.
  main.addEventListener("input", function (ev) {
    if (ev.target.closest && ev.target.closest("form[method=post]")) main.dataset.dirty = "1";
  });

  // Refresh the page's main part (and the open dialog) in place.
  var pending = null;
  function busy() {
    var el = document.activeElement;
    return el && main.contains(el) && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA");
  }
  function refresh() {
    if (pending) return;
    pending = setTimeout(function () {
      pending = null;
      if (busy()) { refreshSoon(2000); return; }
      if (main.dataset.dirty) return;
      main.setAttribute("aria-busy", "true");
      partial(location.href).then(function (html) {
        main.innerHTML = html;
        main.dataset.refreshed = String(Date.now());
      }).catch(function () {}).then(function () { main.removeAttribute("aria-busy"); });
      if (dialogURL && dialog.open) {
        partial(dialogURL).then(function (html) {
          var body = dialog.querySelector(".dialog-body");
          body.innerHTML = html;
          stayHere(body);
        }).catch(function () {});
      }
    }, 250);
  }
  function refreshSoon(ms) { setTimeout(refresh, ms); }
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest && ev.target.closest("[data-refresh]");
    if (!a) return;
    ev.preventDefault();
    refresh();
  });

  var topics = main.dataset.live;
  if (!topics || !live) return;
  var poll = Math.max(parseInt(main.dataset.poll, 10) || 30, 1) * 1000;
  var pollTimer = null, retryTimer = null, es = null;

  function setState(state, text) { live.dataset.state = state; live.textContent = text; }
  function startPolling() {
    setState("polling", "polling every " + poll / 1000 + " s");
    if (!pollTimer) pollTimer = setInterval(refresh, poll);
    if (!retryTimer) retryTimer = setTimeout(function () { retryTimer = null; connect(); }, 30000);
  }
  function connect() {
    if (!window.EventSource) { startPolling(); return; }
    es = new EventSource(base + "events?topics=" + encodeURIComponent(topics));
    es.addEventListener("ready", function () {
      setState("live", "live");
      if (pollTimer) { clearInterval(pollTimer); pollTimer = null; }
      // The dashboard's cards move without events: read it every poll.
      if (poll >= 30000 && !pollTimer) pollTimer = setInterval(refresh, poll);
    });
    es.addEventListener("change", refresh);
    es.onerror = function () {
      if (es.readyState === EventSource.CLOSED || live.dataset.state !== "live") {
        es.close();
        startPolling();
      } else {
        setState("polling", "reconnecting…");
      }
    };
  }
  connect();
})();
