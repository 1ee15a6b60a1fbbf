// Gives each cell of a data table the text of its column header, so that on
// a narrow screen, where the rows are stacked, every value keeps its label.
(function () {
  "use strict";
  document.querySelectorAll("table.table").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    if (!heads.length) { return; }
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        var th = heads[i];
        if (th && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", th.textContent.replace(/\s*\(change sort order\)\s*/, "").trim());
        }
      });
    });
  });
})();
