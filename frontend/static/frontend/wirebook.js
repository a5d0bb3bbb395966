/* Wirebook's small behaviours: theme, search-as-you-type pickers (Tom Select), list selection. */
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

  // -- pickers: one searchable select (Tom Select, vendored) querying our REST API -------------
  // The page holds only the chosen objects; every keystroke asks the API (`?brief=1&q=`) and the
  // dropdown then shows exactly that answer: the options of an earlier search are dropped (the
  // chosen ones stay, shown as removable chips), and an answer that arrives late is ignored.
  var PICKER_PAGE = 50;
  function pickerInit(select) {
    if (select.tomselect || typeof window.TomSelect !== "function") return;
    var multiple = select.multiple;
    var latest = 0;
    var shown = { query: null, ids: {} };
    var settings = {
      valueField: "id",
      labelField: "display",
      searchField: ["display"],
      maxItems: multiple ? null : 1,
      maxOptions: PICKER_PAGE,
      hideSelected: multiple,
      closeAfterSelect: !multiple,
      preload: "focus",
      loadThrottle: 200,
      placeholder: "Type to search…",
      plugins: ["remove_button"],
      shouldLoad: function () { return true; },
      // the API has searched (by name, slug, description...): show its answer for this query only
      score: function (query) {
        return function (item) { return shown.query === query && shown.ids[item.id] ? 1 : 0; };
      },
      load: function (query, callback) {
        var self = this;
        var mine = ++latest;
        var url = select.dataset.picker + "&limit=" + PICKER_PAGE + "&q=" + encodeURIComponent(query);
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .catch(function () { return { results: [] }; })
          .then(function (data) {
            if (mine !== latest) { callback(); return; }
            var ids = {};
            var items = (data.results || []).map(function (item) {
              var id = String(item.id);
              ids[id] = true;
              return { id: id, display: item.display || item.name || id };
            });
            self.clearOptions();  // keeps the chosen ones
            shown = { query: query, ids: ids };
            callback(items);
          });
      },
      render: {
        no_results: function () { return '<div class="no-results">Nothing found</div>'; },
        loading: function () { return '<div class="spinner-border spinner-border-sm m-2" role="status"><span class="visually-hidden">Searching…</span></div>'; },
      },
    };
    var labelled = select.labels && select.labels.length > 0;
    var picker = new window.TomSelect(select, settings);
    // Tom Select names its search box after the field's <label>; a select without one keeps its name
    if (!labelled) {
      picker.control_input.setAttribute("aria-label", select.getAttribute("aria-label") || select.name);
    }
    hideReplaced(select);
  }

  // The select Tom Select replaced stays in the form, visually hidden and out of the tab order: assistive
  // technology sees the one control Tom Select draws (named after the field's label), not a nameless twin.
  function hideReplaced(select) {
    select.setAttribute("aria-hidden", "true");
  }

  // -- organization switcher: search the member's organizations by name or slug, switch on choice --
  function switcherInit(select) {
    if (select.tomselect || typeof window.TomSelect !== "function") return;
    var label = select.getAttribute("aria-label");
    var switcher = new window.TomSelect(select, {
      searchField: ["text", "value"],
      maxOptions: null,
      allowEmptyOption: false,
      refreshThrottle: 0,  // the options are in the page: narrow at once (Enter right after typing picks)
      placeholder: label + "…",
      render: {
        option: function (data, escape) {
          return "<div>" + escape(data.text) + ' <span class="text-body-secondary small">' + escape(data.value) + "</span></div>";
        },
        no_results: function () { return '<div class="no-results">No such organization</div>'; },
      },
      onChange: function (value) { if (value) select.form.submit(); },
    });
    // one control named "Switch organization": the search box, not also the hidden select
    switcher.control_input.setAttribute("aria-label", label);
    select.removeAttribute("aria-label");
    hideReplaced(select);
  }

  // -- searchable selects: a long list of options in the page (a site's time zone) -----------
  function searchableInit(select) {
    if (select.tomselect || typeof window.TomSelect !== "function") return;
    var labelled = select.labels && select.labels.length > 0;
    var searchable = new window.TomSelect(select, {
      maxOptions: null,
      placeholder: "Type to search…",
      plugins: ["remove_button"],  // the × clears the choice (the blank option is the placeholder)
      render: { no_results: function () { return '<div class="no-results">Nothing found</div>'; } },
    });
    if (!labelled) searchable.control_input.setAttribute("aria-label", select.getAttribute("aria-label") || select.name);
    hideReplaced(select);
  }

  // -- slug from the name, as you type (a new object's form, until the slug is typed by hand) --
  // Lowercase ASCII: accents dropped (é → e), anything but letters, digits and "_" becomes one "-",
  // no "-" at either end, at most the field's length.
  function slugify(text, length) {
    var slug = text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9_]+/g, "-").replace(/^-+|-+$/g, "");
    if (length > 0) slug = slug.slice(0, length).replace(/-+$/, "");
    return slug;
  }
  function slugInit(form) {
    var name = form.querySelector('input[name="name"]');
    var slug = form.querySelector('input[name="slug"]');
    if (!name || !slug) return;
    var length = parseInt(slug.getAttribute("maxlength"), 10) || 0;
    var typed = slug.value !== "" && slug.value !== slugify(name.value, length);
    slug.addEventListener("input", function () { typed = slug.value !== ""; });
    name.addEventListener("input", function () { if (!typed) slug.value = slugify(name.value, length); });
  }

  // -- an object's map (Leaflet, vendored; only where the deployment names a tile server) ------
  function mapInit(element) {
    if (element.dataset.wbMapDrawn || typeof window.L !== "object") return;
    var latitude = parseFloat(element.dataset.latitude);
    var longitude = parseFloat(element.dataset.longitude);
    if (isNaN(latitude) || isNaN(longitude)) return;
    element.dataset.wbMapDrawn = "1";
    var map = window.L.map(element, { scrollWheelZoom: false }).setView([latitude, longitude], 14);
    window.L.tileLayer(element.dataset.tiles, { maxZoom: 19, attribution: element.dataset.attribution }).addTo(map);
    window.L.marker([latitude, longitude], { title: element.dataset.label, alt: element.dataset.label }).addTo(map);
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

  // -- GET forms of a list (quick search, filters, page size): only the fields filled in go to the URL --
  // (without JavaScript the server redirects a URL with empty parameters to the clean one)
  function cleanGetInit(form) {
    form.addEventListener("submit", function (event) {
      var query = new URLSearchParams();
      new FormData(form).forEach(function (value, name) {
        if (typeof value === "string" && value !== "") query.append(name, value);
      });
      event.preventDefault();
      var action = form.getAttribute("action") || window.location.pathname;
      var text = query.toString();
      window.location.assign(action + (text ? "?" + text : ""));
    });
  }

  // -- "Configure table": move a chosen column up or down in place (without JavaScript the button
  // submits, and the server moves it), or drag it by its row to where it goes ---------------------
  function columnOrderInit(list) {
    var dragged = null;
    Array.prototype.forEach.call(list.children, function (item) { item.setAttribute("draggable", "true"); });
    list.addEventListener("dragstart", function (event) {
      dragged = event.target.closest && event.target.closest("li");
      if (!dragged || dragged.parentNode !== list) { dragged = null; return; }
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", dragged.getAttribute("data-wb-column"));
      dragged.classList.add("wb-dragging");
    });
    list.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();  // a drop here is welcome
      event.dataTransfer.dropEffect = "move";
      var over = event.target.closest && event.target.closest("li");
      if (!over || over === dragged || over.parentNode !== list) return;
      var box = over.getBoundingClientRect();
      list.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? over.nextElementSibling : over);
    });
    list.addEventListener("drop", function (event) { if (dragged) event.preventDefault(); });
    list.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("wb-dragging");
      dragged = null;
    });
    list.addEventListener("click", function (event) {
      var button = event.target.closest("[data-wb-move]");
      if (!button) return;
      event.preventDefault();
      var item = button.closest("li");
      if (button.getAttribute("data-wb-move") === "up" && item.previousElementSibling) {
        list.insertBefore(item, item.previousElementSibling);
      } else if (button.getAttribute("data-wb-move") === "down" && item.nextElementSibling) {
        list.insertBefore(item.nextElementSibling, item);
      }
      button.focus();
    });
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
    root.querySelectorAll("select[data-wb-switcher]").forEach(switcherInit);
    root.querySelectorAll("select[data-wb-searchable]").forEach(searchableInit);
    root.querySelectorAll("form[data-wb-slugify]").forEach(slugInit);
    root.querySelectorAll("[data-wb-map]").forEach(mapInit);
    root.querySelectorAll("form.wb-bulk").forEach(selectionInit);
    root.querySelectorAll("form[data-wb-clean-get]").forEach(cleanGetInit);
    root.querySelectorAll(".wb-column-order").forEach(columnOrderInit);
    root.querySelectorAll("select[data-wb-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () {
        if (typeof select.form.requestSubmit === "function") select.form.requestSubmit(); else select.form.submit();
      });
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
    // after moving a dashboard widget, the page comes back at it: focus it, so the keyboard goes on from there
    if (/^#widget-[a-z0-9]+$/.test(window.location.hash)) {
      var widget = document.getElementById(window.location.hash.slice(1));
      if (widget) widget.focus();
    }
    document.body.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
    // htmx:load also fires for content that replaced its target (hx-swap="outerHTML").
    document.body.addEventListener("htmx:load", function (event) { styleInit(event.target); });
  });
})();
