/* Cluster page: switch members, fold unchanged runs, hide minor variants, step through changes.
   The page reads fine without this script; rowHtml/statsHtml build the same markup as the
   templates (_macros.html), from the compact data in #page-data. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var data = JSON.parse(document.getElementById("page-data").textContent);
  var SYMBOLS = data.symbols;
  var MINOR = {};
  data.minor.forEach(function (k) { MINOR[k] = true; });
  var CONTEXT = 1;   /* unchanged rows kept visible next to a change */
  var MIN_FOLD = 2;  /* fold only runs at least this long */
  var ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" };

  var header = document.getElementById("top");
  var tbody = document.getElementById("rows");
  var toggle = document.getElementById("hide-minor");
  var counterEl = document.getElementById("counter");
  var memberSelect = document.getElementById("member");
  var current = null;
  var activeTab = "compare";

  function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return ESC[c]; }); }
  function pct(x) { return (x * 100).toFixed(1) + "%"; }
  function hunkClass(kind) { return MINOR[kind] ? "k-" + kind + " minor" : "k-" + kind; }

  /* --- building rows ------------------------------------------------------------------- */

  function rowClass(op) {
    if (op.k === "equal") return "r-same";
    var text = (op.h || []).some(function (h) { return h[4] === "text"; });
    if (op.k === "variant" || ((op.k === "split" || op.k === "merge") && !text)) return "r-minor";
    return "r-change";
  }

  function marks(op, side) {
    var out = [];
    (op.h || []).forEach(function (h) {
      var s = h[2 * side], e = h[2 * side + 1];
      if (s === e && h[4] !== "text") return;
      out.push([s, e, hunkClass(h[4])]);
    });
    out.sort(function (x, y) {
      return x[0] - y[0] || x[1] - y[1] || (x[2] < y[2] ? -1 : x[2] > y[2] ? 1 : 0);
    });
    return out;
  }

  /* The paragraph [start, text] cut at the marks, as html.py's _pieces does. Offsets count
     code points, so astral characters are handled through Array.from. */
  function pieces(para, ms, tag) {
    var start = para[0], chars = Array.from(para[1]), end = start + chars.length;
    var pos = start, html = "";
    function text(a, b) { return esc(chars.slice(a - start, b - start).join("")); }
    ms.forEach(function (m) {
      var s0 = m[0], e0 = m[1];
      if (e0 < start || s0 > end) return;
      var s = Math.max(s0, pos), e = Math.min(e0, end);
      if (s > e || (s === e && s0 !== e0)) return;
      if (s > pos) html += text(pos, s);
      html += "<" + tag + " class=\"" + m[2] + "\">" + text(s, e) + "</" + tag + ">";
      pos = e;
    });
    if (pos < end) html += text(pos, end);
    return html;
  }

  /* The member's paragraphs of an operation: given, or rebuilt from the representative's. */
  function memberParas(op) {
    if (!op.b.length) return [];
    if (op.t) return op.t;
    var rep = data.rep.paras[op.a[0]];
    if (op.k === "equal") return [[rep[0], rep[1]]];
    var chars = Array.from(rep[1]), a0 = rep[0], pos = a0, out = "";
    (op.h || []).forEach(function (h, i) {
      out += chars.slice(pos - a0, h[0] - a0).join("") + op.d[i];
      pos = h[1];
    });
    out += chars.slice(pos - a0).join("");
    return [[op.p, out]];
  }

  function sideHtml(name, numbers, paras, ms) {
    var tag = name === "a" ? "del" : "ins";
    var html = "<td class=\"" + name + (numbers.length ? "" : " absent") + "\">";
    numbers.forEach(function (n, k) {
      html += "<div class=\"p\" data-n=\"" + (n + 1) + "\">" + pieces(paras[k], ms, tag) + "</div>";
    });
    return html + "</td>";
  }

  function rowHtml(op, i) {
    var repParas = op.a.map(function (n) { return data.rep.paras[n]; });
    return "<tr class=\"op k-" + op.k + " " + rowClass(op) + "\" id=\"op-" + i + "\" tabindex=\"-1\">" +
      sideHtml("a", op.a, repParas, marks(op, 0)) +
      "<td class=\"m\" title=\"" + op.k + "\">" + SYMBOLS[op.k] + "</td>" +
      sideHtml("b", op.b, memberParas(op), marks(op, 1)) + "</tr>";
  }

  function statsHtml(s) {
    var html = "<ul class=\"stats\"><li><b>" + pct(s.similarity) + "</b><span>aligned similarity</span></li>";
    if (s.jaccard !== null) html += "<li><b>" + pct(s.jaccard) + "</b><span>shingle Jaccard</span></li>";
    html += "<li><b>" + s.changes + "</b><span>changes</span></li>" +
      "<li><b>" + s.minor + "</b><span>minor variants</span></li>" +
      "<li><b>−" + s.removed + " +" + s.added + "</b><span>characters edited</span></li>" +
      "<li><b>" + s.paragraphs[0] + " / " + s.paragraphs[1] + "</b><span>paragraphs</span></li></ul>" +
      "<div class=\"chips\"><span class=\"muted\">Paragraphs:</span>";
    Object.keys(s.ops).forEach(function (k) {
      html += "<span class=\"chip k-" + k + "\">" + k + " " + s.ops[k] + "</span>";
    });
    var hunks = Object.keys(s.hunks);
    if (hunks.length) html += "<span class=\"muted\">Differences:</span>";
    hunks.forEach(function (k) {
      html += "<span class=\"chip k-" + k + (k === "text" ? "" : " minor") + "\">" + k + " " + s.hunks[k] + "</span>";
    });
    return html + "</div>";
  }

  /* --- folding and navigation ---------------------------------------------------------- */

  function opRows() { return Array.prototype.slice.call(tbody.querySelectorAll("tr.op")); }
  function hideMinor() { return !!(toggle && toggle.checked); }
  function quiet(tr) {
    return tr.classList.contains("r-same") || (hideMinor() && tr.classList.contains("r-minor"));
  }

  function fold(rows) {
    rows.forEach(function (r) { r.hidden = true; });
    var tr = document.createElement("tr");
    tr.className = "fold";
    var td = document.createElement("td");
    td.colSpan = 3;
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "⋯ show " + rows.length + " paragraphs without changes";
    button.addEventListener("click", function () {
      rows.forEach(function (r) { r.hidden = false; });
      tr.remove();
    });
    td.appendChild(button);
    tr.appendChild(td);
    tbody.insertBefore(tr, rows[0]);
  }

  function refold() {
    Array.prototype.forEach.call(tbody.querySelectorAll("tr.fold"), function (f) { f.remove(); });
    var rows = opRows();
    rows.forEach(function (r) { r.hidden = false; });
    var i = 0;
    while (i < rows.length) {
      if (!quiet(rows[i])) { i += 1; continue; }
      var j = i;
      while (j + 1 < rows.length && quiet(rows[j + 1])) j += 1;
      var lo = i === 0 ? i : i + CONTEXT;
      var hi = j === rows.length - 1 ? j : j - CONTEXT;
      if (hi - lo + 1 >= MIN_FOLD) fold(rows.slice(lo, hi + 1));
      i = j + 1;
    }
  }

  function updateCounter() {
    if (!counterEl) return;
    var list = opRows().filter(function (r) { return !quiet(r); });
    var at = current ? list.indexOf(current) : -1;
    var total = list.length + (list.length === 1 ? " change" : " changes");
    counterEl.textContent = list.length === 0 ? "no changes" : at >= 0 ? (at + 1) + " of " + total : total;
  }

  function select(tr) {
    if (current) {
      current.classList.remove("current");
      current.removeAttribute("aria-current");
    }
    current = tr;
    tr.hidden = false;
    tr.classList.add("current");
    tr.setAttribute("aria-current", "true");
    tr.focus({ preventScroll: true });
    tr.scrollIntoView({ block: "center" });
    updateCounter();
  }

  function go(step) {
    var rows = opRows();
    var pos = current ? rows.indexOf(current) : (step > 0 ? -1 : rows.length);
    for (var i = pos + step; i >= 0 && i < rows.length; i += step) {
      if (!quiet(rows[i])) { select(rows[i]); return; }
    }
  }

  /* --- members, tabs, keys ------------------------------------------------------------- */

  function markChosen(index) {
    Array.prototype.forEach.call(document.querySelectorAll("#member-table tr[data-member]"), function (tr) {
      tr.classList.toggle("chosen", tr.getAttribute("data-member") === String(index));
    });
  }

  function showMember(index) {
    var m = data.members[index];
    tbody.innerHTML = m.ops.map(rowHtml).join("");
    document.getElementById("b-name").textContent = m.id;
    document.getElementById("pairstats").innerHTML = statsHtml(m.stats);
    if (memberSelect) memberSelect.value = String(index);
    markChosen(index);
    current = null;
    refold();
    updateCounter();
  }

  var tabs = Array.prototype.slice.call(document.querySelectorAll("[role=tab]"));
  var toolbar = document.getElementById("toolbar");
  function showTab(name) {
    activeTab = name;
    toolbar.hidden = name !== "compare";
    tabs.forEach(function (tab) {
      var panel = tab.getAttribute("aria-controls");
      tab.setAttribute("aria-selected", panel === name ? "true" : "false");
      document.getElementById(panel).hidden = panel !== name;
    });
    measure();
  }
  tabs.forEach(function (tab) {
    tab.addEventListener("click", function (e) {
      e.preventDefault();
      var name = tab.getAttribute("aria-controls");
      showTab(name);
      history.replaceState(null, "", "#" + name);
    });
  });

  function measure() { root.style.setProperty("--top", header.offsetHeight + "px"); }

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || activeTab !== "compare") return;
    var t = e.target;
    var typing = t && (t.isContentEditable || t.tagName === "TEXTAREA" || t.tagName === "SELECT" ||
      (t.tagName === "INPUT" && !/^(checkbox|radio|button)$/.test(t.type)));
    if (typing) return;
    if (e.key === "j") { e.preventDefault(); go(1); }
    else if (e.key === "k") { e.preventDefault(); go(-1); }
  });

  document.getElementById("next") && document.getElementById("next").addEventListener("click", function () { go(1); });
  document.getElementById("prev") && document.getElementById("prev").addEventListener("click", function () { go(-1); });
  if (toggle) {
    toggle.addEventListener("change", function () {
      root.classList.toggle("hide-minor", toggle.checked);
      refold();
      updateCounter();
    });
    root.classList.toggle("hide-minor", toggle.checked);
  }
  if (memberSelect) {
    memberSelect.addEventListener("change", function () {
      showMember(Number(memberSelect.value));
      memberSelect.blur();
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("button.compare"), function (b) {
    b.addEventListener("click", function () {
      showMember(Number(b.getAttribute("data-member")));
      showTab("compare");
      history.replaceState(null, "", "#compare");
    });
  });

  window.addEventListener("resize", measure);
  var start = location.hash.slice(1);
  showTab(start === "merged" || start === "members" ? start : "compare");
  if (tbody && memberSelect && memberSelect.value !== "0") {
    showMember(Number(memberSelect.value));  /* the browser restored another choice */
  } else if (tbody) {
    markChosen(0);
    refold();
    updateCounter();
  }
})();
