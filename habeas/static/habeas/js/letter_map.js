// Mapping a letter onto the recommendations it answers: progressive enhancements only.
// Without this file every row's status and passage still work, and a ticked row with no
// passage of its own receives the shared paragraph when the form is saved.
(function () {
  "use strict";

  function form() { return document.querySelector("form[data-letter-map]"); }
  function rows(root) { return Array.prototype.slice.call((root || document).querySelectorAll("tr.map-row")); }
  function field(row, name) { return row.querySelector("[data-map-" + name + "]"); }

  function touched(row) {
    var status = field(row, "status"), passage = field(row, "passage"), pick = field(row, "pick");
    return (status && status.value) || (passage && passage.value.trim()) || (pick && pick.checked);
  }

  // One paragraph, several rows: copy it (and the shared status) into every ticked row.
  function applyParagraph() {
    var root = form();
    if (!root) { return; }
    var paragraph = root.querySelector("[name=paragraph]");
    var shared = root.querySelector("[name=paragraph_status]");
    var text = paragraph.value.trim();
    var count = 0;
    rows(root).forEach(function (row) {
      var pick = field(row, "pick");
      if (!pick || !pick.checked) { return; }
      var passage = field(row, "passage");
      if (text) {
        var current = passage.value.trim();
        passage.value = current && current !== text ? current + "\n\n" + text : text;
      }
      if (shared.value) { field(row, "status").value = shared.value; }
      pick.checked = false;
      count += 1;
    });
    var result = root.querySelector("[data-apply-result]");
    if (result) {
      result.textContent = count ? result.getAttribute("data-done").replace("%s", count) : result.getAttribute("data-none");
    }
    if (count) {
      paragraph.value = "";
      shared.value = "";
      var tickAll = root.querySelector("[data-tick-all]");
      if (tickAll) { tickAll.checked = false; }
    }
    paragraph.focus();
  }

  function setUp() {
    var root = form();
    if (!root) { return; }
    var tools = root.querySelector("[data-paragraph-tools]");
    if (tools) { tools.hidden = false; }
    var tickAll = root.querySelector("[data-tick-all]");
    if (tickAll) {
      tickAll.hidden = false;
      tickAll.addEventListener("change", function () {
        rows(root).forEach(function (row) {
          var pick = field(row, "pick");
          if (pick) { pick.checked = tickAll.checked; }
        });
      });
    }
    root.addEventListener("click", function (event) {
      if (event.target.closest("[data-apply-paragraph]")) { applyParagraph(); }
    });
    root.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.name === "paragraph") {
        event.preventDefault();
        applyParagraph();
      }
    });
  }

  // A search replaces the rows; those already filled in are kept, at the top.
  var kept = [];
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "map-rows") {
      kept = rows(event.detail.target).filter(touched);
      kept.forEach(function (row) { row.parentNode.removeChild(row); });
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var body = event.detail.target;
    if (!body || body.id !== "map-rows" || !kept.length) { return; }
    var keys = {};
    kept.forEach(function (row) { keys[row.getAttribute("data-pk")] = true; });
    rows(body).forEach(function (row) {
      if (keys[row.getAttribute("data-pk")]) { body.removeChild(row); }
    });
    var empty = body.querySelector("td.empty");
    if (empty) { body.removeChild(empty.parentNode); }
    var first = body.firstChild;
    kept.forEach(function (row) { body.insertBefore(row, first); });
    kept = [];
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
