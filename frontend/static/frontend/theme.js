/* Loaded in <head>, before the first paint: the remembered theme, else the system's. */
(function () {
  "use strict";
  var theme = localStorage.getItem("wirebook-theme") ||
    (window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  document.documentElement.setAttribute("data-bs-theme", theme);
})();
