/* Overview page: sort the cluster table by any column, filter it by text and kind. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var table = document.getElementById("clusters");
  if (!table) return;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var filter = document.getElementById("filter");
  var kind = document.getElementById("kind");
  var shown = document.getElementById("shown");
  var header = document.getElementById("top");
  function measure() { root.style.setProperty("--top", header.offsetHeight + "px"); }
  window.addEventListener("resize", measure);
  measure();

  function sortBy(th) {
    var key = th.getAttribute("data-key");
    var numeric = th.getAttribute("data-type") === "number";
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
    var sorted = rows.slice().sort(function (x, y) {
      var a = x.getAttribute("data-" + key), b = y.getAttribute("data-" + key);
      var c = numeric ? Number(a) - Number(b) : (a < b ? -1 : a > b ? 1 : 0);
      return dir * c || rows.indexOf(x) - rows.indexOf(y);
    });
    sorted.forEach(function (r) { tbody.appendChild(r); });
  }

  function matchesKind(row, want) {
    if (!want) return true;
    var kinds = row.getAttribute("data-kinds").split(" ");
    if (want === "minor-only") return Number(row.getAttribute("data-changes")) === 0;
    return want.split(" ").some(function (k) { return kinds.indexOf(k) >= 0; });
  }

  function apply() {
    var text = filter.value.trim().toLowerCase();
    var want = kind.value, count = 0;
    rows.forEach(function (r) {
      var ok = matchesKind(r, want) && (!text || r.textContent.toLowerCase().indexOf(text) >= 0);
      r.hidden = !ok;
      if (ok) count += 1;
    });
    shown.textContent = count + " of " + rows.length + " clusters";
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    var button = th.querySelector("button");
    if (button) button.addEventListener("click", function () { sortBy(th); });
  });
  filter.addEventListener("input", apply);
  kind.addEventListener("change", apply);
  apply();
})();
