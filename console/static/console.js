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
  var root = document.documentElement;
  var saved = null;
  try { saved = localStorage.getItem("waooaw-theme"); } catch (e) {}
  if (saved === "dark" || saved === "light") root.dataset.theme = saved;
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

  if (!main) return;

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
      partial(location.href).then(function (html) {
        main.innerHTML = html;
        main.dataset.refreshed = String(Date.now());
      }).catch(function () {});
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
