(function () {
  "use strict";
  var table = document.getElementById("takes-table");
  if (!table) { return; }
  var body = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th, column) {
    if (!th.dataset.key) { return; }
    th.addEventListener("click", function () {
      var ascending = !(th.classList.contains("sorted") && th.classList.contains("asc"));
      var numeric = th.hasAttribute("data-num");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].dataset.v, y = b.cells[column].dataset.v;
        // Empty values sort last whichever way.
        if (x === "" || y === "") { return (x === "") - (y === ""); }
        var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
      headers.forEach(function (h) { h.classList.remove("sorted", "asc"); });
      th.classList.add("sorted");
      if (ascending) { th.classList.add("asc"); }
    });
  });
})();
