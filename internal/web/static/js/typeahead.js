// Arrow keys in the address type-ahead: Down in the search field moves to
// the first address, Up and Down move between addresses, Up on the first
// (or Escape) returns to the field. Enter follows the address's link as
// any link. htmx replaces the results as the person types, so the keys are
// handled on the document.
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) { return; }
    var field = document.querySelector("input[aria-controls='address-results']");
    var list = document.getElementById("address-results");
    if (!field || !list || list.hidden) { return; }
    var links = Array.prototype.slice.call(list.querySelectorAll("a"));
    if (!links.length) { return; }
    var i = links.indexOf(document.activeElement);
    var next = null;
    if (e.target === field && e.key === "ArrowDown") {
      next = links[0];
    } else if (i >= 0 && e.key === "ArrowDown") {
      next = links[Math.min(i + 1, links.length - 1)];
    } else if (i >= 0 && e.key === "ArrowUp") {
      next = i === 0 ? field : links[i - 1];
    } else if (i >= 0 && e.key === "Escape") {
      next = field;
    }
    if (next) {
      e.preventDefault();
      next.focus();
    }
  });
})();
