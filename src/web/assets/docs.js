// Renders the OpenAPI document embedded in /docs with the vendored Redoc:
// no inline script (the page's content security policy allows none), no CDN.
"use strict";
Redoc.init(
  JSON.parse(document.getElementById("openapi").textContent),
  JSON.parse(document.getElementById("redoc-config").textContent),
  document.getElementById("redoc-container"),
);
