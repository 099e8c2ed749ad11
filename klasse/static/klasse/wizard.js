// The import wizard's one behaviour of its own (htmx does the rest): choosing a file in
// "Kies CSV-bestand" reads it at once. A file, not inline script: the CSP allows only 'self'.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches("input[type=file][data-autosubmit]") && input.files.length) {
      input.form.requestSubmit();
    }
  });
})();
