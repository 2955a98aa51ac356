// Criterion entry: let htmx show the answers that carry the user's text back.
// A stale save (409) and a refused form (400) return the form with the user's own text
// and the reason; htmx leaves error answers unswapped unless told, which would hide them.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var inside = event.detail.elt && event.detail.elt.closest("[data-swap-errors]");
    if (inside && (status === 400 || status === 409)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
