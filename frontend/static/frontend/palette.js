/* The command palette: Ctrl-K (⌘-K on a Mac) or the header's ⚡ button opens a dialog whose search box
   (an ARIA combobox) lists the pages and objects matching what is typed, asked from the server
   (`palette/?q=`, debounced, a late answer ignored). Arrows move, Enter opens, Esc closes. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;

  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  onReady(function () {
    var dialog = document.getElementById("wb-palette");
    if (!dialog || typeof dialog.showModal !== "function") return;
    var input = dialog.querySelector(".wb-palette-input");
    var list = dialog.querySelector(".wb-palette-list");
    var status = dialog.querySelector(".wb-palette-status");
    var hint = status.textContent;
    var options = [];
    var active = -1;
    var latest = 0;
    var timer = null;
    var opener = null;

    function open() {
      if (dialog.open) { input.select(); return; }
      opener = document.activeElement;
      dialog.showModal();
      input.value = "";
      render({ pages: [], objects: [], search_url: "" }, "");
      input.focus();
    }

    function close() {
      if (dialog.open) dialog.close();
    }

    dialog.addEventListener("close", function () {
      window.clearTimeout(timer);
      latest++;
      if (opener && typeof opener.focus === "function") opener.focus();
    });
    // a click on the backdrop (outside the box) closes it
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) close();
    });

    function setActive(index) {
      if (active >= 0 && options[active]) {
        options[active].classList.remove("active");
        options[active].setAttribute("aria-selected", "false");
      }
      active = index;
      if (active >= 0 && options[active]) {
        options[active].classList.add("active");
        options[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function group(title, items, key) {
      if (!items.length) return;
      var box = document.createElement("div");
      box.setAttribute("role", "group");
      box.setAttribute("aria-labelledby", "wb-palette-" + key);
      var heading = document.createElement("div");
      heading.id = "wb-palette-" + key;
      heading.className = "wb-palette-heading";
      heading.setAttribute("role", "presentation");
      heading.textContent = title;
      box.appendChild(heading);
      items.forEach(function (item) {
        var option = document.createElement("div");
        option.id = "wb-palette-option-" + options.length;
        option.className = "wb-palette-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.url = item.url;
        var label = document.createElement("span");
        label.className = "wb-palette-label";
        label.textContent = item.label;
        var detail = document.createElement("span");
        detail.className = "wb-palette-detail";
        detail.textContent = item.detail;
        option.appendChild(label);
        option.appendChild(detail);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { go(option); });
        options.push(option);
        box.appendChild(option);
      });
      list.appendChild(box);
    }

    function render(data, query) {
      list.textContent = "";
      options = [];
      active = -1;
      input.removeAttribute("aria-activedescendant");
      group("Pages", data.pages || [], "pages");
      group("Objects", data.objects || [], "objects");
      if (data.search_url) {
        group("Search", [{ label: "Search for “" + query + "”", detail: "every match, by type", url: data.search_url }], "search");
      }
      input.setAttribute("aria-expanded", options.length ? "true" : "false");
      if (!query) status.textContent = hint;
      else if ((data.pages || []).length + (data.objects || []).length === 0) status.textContent = "No page or object matches “" + query + "”.";
      else status.textContent = count((data.pages || []).length, "page") + " and " + count((data.objects || []).length, "object") + " match.";
      if (options.length) setActive(0);
    }

    function count(number, word) {
      return number + " " + word + (number === 1 ? "" : "s");
    }

    function go(option) {
      if (option && option.dataset.url) window.location.assign(option.dataset.url);
    }

    function ask() {
      var query = input.value.trim();
      var mine = ++latest;
      if (!query) { render({ pages: [], objects: [] }, ""); return; }
      status.textContent = "Searching…";
      fetch(dialog.dataset.url + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" }, credentials: "same-origin",
      })
        .then(function (response) { return response.ok ? response.json() : { pages: [], objects: [] }; })
        .catch(function () { return { pages: [], objects: [] }; })
        .then(function (data) { if (mine === latest && dialog.open) render(data, query); });
    }

    input.addEventListener("input", function () {
      setActive(-1);  // until the answer for the new text arrives, Enter searches for it
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DEBOUNCE_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!options.length) return;
        var step = event.key === "ArrowDown" ? 1 : -1;
        setActive((active + step + options.length) % options.length);
      } else if (event.key === "Home" && options.length && event.ctrlKey) {
        event.preventDefault();
        setActive(0);
      } else if (event.key === "End" && options.length && event.ctrlKey) {
        event.preventDefault();
        setActive(options.length - 1);
      } else if (event.key === "Enter") {
        if (active >= 0 && options[active]) {
          event.preventDefault();
          go(options[active]);
        }  // else the form submits: the search page for what was typed
      }
    });

    document.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && (event.key === "k" || event.key === "K")) {
        event.preventDefault();
        open();
      }
    });
    document.querySelectorAll("[data-wb-palette-open]").forEach(function (button) {
      button.addEventListener("click", open);
    });
  });
})();
