// Habeas: small progressive enhancements. Every form works without this file.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  // Filters submit themselves when changed, through htmx where it is loaded.
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && form.requestSubmit) { form.requestSubmit(); }
  });
})();
