/* Wirebook's small behaviours: theme, search-as-you-type pickers, list selection. No dependencies. */
(function () {
  "use strict";

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  // -- theme ------------------------------------------------------------------------------
  function setTheme(theme) {
    document.documentElement.setAttribute("data-bs-theme", theme);
    localStorage.setItem("wirebook-theme", theme);
  }

  // -- pickers: a select of the chosen objects + a search box querying our REST API ----------
  function pickerInit(select) {
    if (select.dataset.pickerReady) return;
    select.dataset.pickerReady = "1";
    var multiple = select.multiple;
    var search = document.createElement("input");
    search.type = "search";
    search.className = "form-control form-control-sm mb-1 wb-picker-search";
    search.placeholder = "Type to search…";
    search.setAttribute("aria-label", "Search " + (select.getAttribute("aria-label") || select.name));
    search.autocomplete = "off";
    select.parentNode.insertBefore(search, select);
    if (!multiple && !Array.prototype.some.call(select.options, function (o) { return o.value === ""; })) {
      var empty = new Option("---------", "");
      select.insertBefore(empty, select.firstChild);
      if (!select.querySelector("option[selected]")) empty.selected = true;
    }
    if (multiple) select.size = Math.min(8, Math.max(3, select.options.length + 2));
    var timer = null, counter = 0;
    function load(text) {
      var mine = ++counter;
      var url = select.dataset.picker + "&limit=50&q=" + encodeURIComponent(text);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          if (mine !== counter) return;
          var keep = {};
          Array.prototype.forEach.call(select.options, function (o) {
            if (o.selected || o.value === "") keep[o.value] = true; else o.remove();
          });
          (data.results || []).forEach(function (item) {
            var value = String(item.id);
            if (keep[value]) return;
            select.add(new Option(item.display || item.name || value, value));
          });
          if (!multiple && text && select.options.length > 1) select.size = Math.min(10, select.options.length);
        });
    }
    search.addEventListener("input", function () {
      clearTimeout(timer);
      var text = search.value;
      timer = setTimeout(function () { load(text); }, 200);
    });
    search.addEventListener("focus", function () { if (select.options.length <= 2) load(search.value); }, { once: true });
    select.addEventListener("change", function () { if (!multiple) select.size = 0; });
  }

  // -- list selection -----------------------------------------------------------------------
  function selectionInit(form) {
    var boxes = form.querySelectorAll('input[name="pk"]');
    var all = form.querySelector("[data-wb-toggle-all]");
    var matching = form.querySelector(".wb-select-all-matching");
    var allMatching = form.querySelector('input[name="_all"]');
    function refresh() {
      var any = Array.prototype.some.call(boxes, function (b) { return b.checked; }) || (allMatching && allMatching.checked);
      form.querySelectorAll("[data-wb-needs-selection]").forEach(function (button) { button.disabled = !any; });
      if (matching) matching.classList.toggle("d-none", !(all && all.checked));
      if (allMatching && !(all && all.checked)) allMatching.checked = false;
    }
    if (all) all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
      refresh();
    });
    boxes.forEach(function (b) { b.addEventListener("change", refresh); });
    if (allMatching) allMatching.addEventListener("change", refresh);
    refresh();
  }

  // -- presentation the Content-Security-Policy keeps out of style="" attributes -------------
  // Values travel in data-* attributes and are applied through the CSSOM, which the policy allows.
  var HEX_COLOR = /^[0-9a-f]{6}$/i;
  function styleInit(root) {
    var elements = Array.prototype.slice.call(root.querySelectorAll("[data-wb-color], [data-wb-width]"));
    if (root.matches && root.matches("[data-wb-color], [data-wb-width]")) elements.push(root);
    elements.forEach(function (element) {
      var color = element.getAttribute("data-wb-color");
      if (color && HEX_COLOR.test(color)) element.style.setProperty("--wb-tag", "#" + color);
      var width = parseFloat(element.getAttribute("data-wb-width"));
      if (!isNaN(width)) element.style.width = Math.max(0, Math.min(100, width)) + "%";
    });
  }

  function init(root) {
    root.querySelectorAll("select[data-picker]").forEach(pickerInit);
    root.querySelectorAll("form.wb-bulk").forEach(selectionInit);
    root.querySelectorAll("select[data-wb-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  onReady(function () {
    document.querySelectorAll("[data-wb-theme-toggle]").forEach(function (button) {
      button.addEventListener("click", function () {
        setTheme(document.documentElement.getAttribute("data-bs-theme") === "dark" ? "light" : "dark");
      });
    });
    init(document);
    styleInit(document);
    document.body.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
    // htmx:load also fires for content that replaced its target (hx-swap="outerHTML").
    document.body.addEventListener("htmx:load", function (event) { styleInit(event.target); });
  });
})();
