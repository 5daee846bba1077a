// The saved theme, set before the page is painted (console.js, deferred,
// runs after the first paint): a page never flashes the other theme.
(function () {
  try {
    var t = localStorage.getItem("waooaw-theme");
    if (t === "dark" || t === "light") document.documentElement.dataset.theme = t;
  } catch (e) {}
})();
