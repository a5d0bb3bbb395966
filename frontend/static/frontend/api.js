/* Swagger UI and GraphiQL on the organization's API pages (frontend/api_pages.py), started from the
   data-* attributes of their templates: the pages hold no inline script (Content-Security-Policy).
   Both send the session cookie (same-origin requests) and, for writes, the CSRF token. */
(function () {
  "use strict";

  var UNSAFE = /^(POST|PUT|PATCH|DELETE)$/i;

  function startSwaggerUi(element) {
    var csrfToken = element.dataset.csrfToken;
    // The document lists pynetbox's reads of devices and virtual machines also under the organization's
    // base path (core.api.openapi.with_base_path_aliases); beside `servers` they would be the base path
    // twice, so they are left out here.
    fetch(element.dataset.wbSwaggerUi, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("The OpenAPI document could not be loaded (HTTP " + response.status + ")."); }
        return response.json();
      })
      .then(function (document) {
        var base = new URL(document.servers[0].url, window.location.href).pathname.replace(/\/$/, "");
        if (base) {
          Object.keys(document.paths).forEach(function (path) {
            if (path.indexOf(base + "/") === 0) { delete document.paths[path]; }
          });
        }
        window.SwaggerUIBundle({
          spec: document,
          domNode: element,
          deepLinking: true,
          docExpansion: "none",
          defaultModelsExpandDepth: -1,
          displayRequestDuration: true,
          filter: true,
          tryItOutEnabled: false,
          validatorUrl: null,
          requestInterceptor: function (request) {
            request.credentials = "same-origin";
            if (UNSAFE.test(request.method || "")) { request.headers["X-CSRFToken"] = csrfToken; }
            return request;
          },
        });
      })
      .catch(function (error) {
        element.textContent = error.message;
        element.classList.add("alert", "alert-danger");
      });
  }

  function startGraphiql(element) {
    var fetcher = window.GraphiQL.createFetcher({
      url: element.dataset.wbGraphiql,
      headers: { "X-CSRFToken": element.dataset.csrfToken },
    });
    var query = new URLSearchParams(window.location.search).get("query");
    var properties = { fetcher: fetcher, defaultEditorToolsVisibility: true };
    if (query) { properties.query = query; }
    window.ReactDOM.createRoot(element).render(window.React.createElement(window.GraphiQL, properties));
  }

  var swagger = document.querySelector("[data-wb-swagger-ui]");
  if (swagger && window.SwaggerUIBundle) { startSwaggerUi(swagger); }
  var graphiql = document.querySelector("[data-wb-graphiql]");
  if (graphiql && window.GraphiQL) { startGraphiql(graphiql); }
})();
