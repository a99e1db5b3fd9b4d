// Safekeep front-end start-up. Load with:
//   <script type="module" src="{% static 'safekeep/init.js' %}"></script>
// A module script only runs in browsers GOV.UK Frontend supports, and it runs
// after the document is parsed, so document.body exists. No inline JS (strict CSP).
//
// The path below is relative (not "/static/..."): from safekeep/init.js it
// resolves to vendor/govuk-frontend/govuk-frontend.min.js under any STATIC_URL.
// (Keep the word for ES module loading out of comments: Django's manifest
// storage regex would otherwise swallow the real statement.)
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

// GOV.UK Frontend v6 only initialises components (and its CSS only applies
// JS-enhanced styles) when <body> has this class. Its template sets it with an
// inline script, which our CSP forbids, so we set it here.
document.body.classList.add("govuk-frontend-supported");

initAll();

// Parts of a page that htmx draws later (a child added on the recording page, a page returned with
// its errors) get their GOV.UK components too: radios, checkboxes, buttons, the error summary.
document.addEventListener("htmx:load", (event) => {
  if (event.detail.elt !== document.body && event.detail.elt.querySelector) initAll({ scope: event.detail.elt });
});
