// The survey design form: each question row shows only the fields its kind takes
// (options for a choice, bounds for a number). Without script every field shows and
// the server sends only what the kind takes.
(function () {
  "use strict";
  function fit(row) {
    var kind = row.querySelector("select[name$='_kind']");
    if (!kind) { return; }
    var parts = row.querySelectorAll("[data-for-kinds]");
    for (var i = 0; i < parts.length; i++) {
      var kinds = parts[i].getAttribute("data-for-kinds").split(" ");
      parts[i].hidden = kinds.indexOf(kind.value) < 0;
    }
  }
  var rows = document.querySelectorAll(".design-question");
  for (var i = 0; i < rows.length; i++) {
    fit(rows[i]);
    rows[i].addEventListener("change", function (event) {
      if (event.target.name && /_kind$/.test(event.target.name)) {
        fit(event.currentTarget);
      }
    });
  }
})();
