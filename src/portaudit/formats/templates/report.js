(function () {
  "use strict";
  var $ = function (s) { return document.querySelector(s); };
  var $$ = function (s, root) { return Array.prototype.slice.call((root || document).querySelectorAll(s)); };
  var cards = $$(".finding"), rows = $$("#findings-table tbody tr"), sections = $$("section.target");
  var boxes = $$("#filters input[data-filter]"), selects = $$(".controls select[data-key]");
  var search = $("#search"), hideClean = $("#hide-clean"), sortBy = $("#sort");
  var total = cards.length, timer = null;

  function state() {
    var st = { sev: {}, sel: {}, q: search.value.trim().toLowerCase() };
    boxes.forEach(function (b) { st.sev[b.getAttribute("data-filter")] = b.checked; });
    selects.forEach(function (s) { if (s.value) { st.sel[s.getAttribute("data-key")] = s.value; } });
    return st;
  }
  function matches(el, st) {
    var d = el.dataset;
    if (!st.sev[d.severity]) { return false; }
    for (var k in st.sel) { if (d[k] !== st.sel[k]) { return false; } }
    return !st.q || d.text.indexOf(st.q) !== -1;
  }
  function apply() {
    var st = state(), counts = {}, perTarget = {}, shown = 0;
    var filtering = st.q || Object.keys(st.sel).length || boxes.some(function (b) { return !b.checked; });
    cards.forEach(function (el) {
      var ok = matches(el, st);
      el.hidden = !ok;
      if (ok) {
        shown += 1;
        counts[el.dataset.severity] = (counts[el.dataset.severity] || 0) + 1;
        perTarget[el.dataset.target] = (perTarget[el.dataset.target] || 0) + 1;
      }
    });
    rows.forEach(function (el) { el.hidden = !matches(el, st); });
    var targetsShown = 0, withFindings = 0;
    sections.forEach(function (sec) {
      var n = perTarget[sec.dataset.index] || 0, clean = sec.dataset.clean === "1";
      var hasErrors = !!sec.querySelector(".errors");
      var show = filtering ? (n > 0 || (hasErrors && !st.q && !st.sel.target) || (!hideClean.checked && !st.q && !Object.keys(st.sel).length))
                           : !(clean && hideClean.checked);
      if (st.sel.target) { show = show && sec.dataset.index === st.sel.target; }
      sec.hidden = !show;
      if (show) { targetsShown += 1; }
      if (n > 0) { withFindings += 1; }
      if (show && st.q && n > 0) { sec.querySelector("details").open = true; }
    });
    $$("[data-severity-count]").forEach(function (tile) {
      tile.querySelector(".n").textContent = String(counts[tile.dataset.severityCount] || 0);
    });
    $("#shown").textContent = shown + " of " + total + " findings shown, in " + withFindings + " of " +
      sections.length + " targets (" + targetsShown + " listed)";
  }
  function key(el, by) {
    var d = el.dataset;
    var v = by === "rank" ? d.rank : by === "conf" ? d.conf : by === "target" ? ("00000" + d.target).slice(-6) : d[by];
    return (v || "") + "\u0000" + d.rank + "\u0000" + (d.where || "");
  }
  function sort(by) {
    $$(".findings").forEach(function (box) {
      var items = $$(":scope > .finding", box);
      items.sort(function (a, b) { var x = key(a, by), y = key(b, by); return x < y ? -1 : x > y ? 1 : 0; });
      items.forEach(function (el) { box.appendChild(el); });
    });
    var body = $("#findings-table tbody");
    rows.sort(function (a, b) { var x = key(a, by), y = key(b, by); return x < y ? -1 : x > y ? 1 : 0; });
    rows.forEach(function (el) { body.appendChild(el); });
  }
  function view(name) {
    $("#cards").hidden = name !== "cards";
    $("#table-view").hidden = name !== "table";
    $$("button[data-view]").forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.view === name)); });
  }
  function openAll(open) {
    sections.forEach(function (sec) { if (!sec.hidden) { sec.querySelector("details").open = open; } });
    cards.forEach(function (el) { if (!el.hidden) { el.querySelector("details").open = open; } });
  }

  boxes.concat(selects, [hideClean]).forEach(function (el) { el.addEventListener("change", apply); });
  search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(apply, 120); });
  sortBy.addEventListener("change", function () { sort(sortBy.value); });
  $$("#findings-table th[data-sort]").forEach(function (th) {
    th.addEventListener("click", function () { sortBy.value = th.dataset.sort; sort(th.dataset.sort); });
  });
  $$("button[data-view]").forEach(function (b) { b.addEventListener("click", function () { view(b.dataset.view); }); });
  $("#findings-table tbody").addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a[href^='#f-']") : null;
    var card = a && document.getElementById(a.getAttribute("href").slice(1));
    if (!card) { return; }
    view("cards");
    card.closest("section").hidden = false;
    card.closest("section").querySelector("details").open = true;
    card.querySelector("details").open = true;
  });
  $("#expand").addEventListener("click", function () { openAll(true); });
  $("#collapse").addEventListener("click", function () { openAll(false); });
  if (location.hash.indexOf("#f-") === 0) {
    var target = document.getElementById(location.hash.slice(1));
    if (target) { target.querySelector("details").open = true; target.closest("section").querySelector("details").open = true; }
  }
  apply();
  window.portauditReadyAt = performance.now();  // time to interactive, read by the browser tests
  document.documentElement.setAttribute("data-ready", "1");
})();
