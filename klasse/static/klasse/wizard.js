// The import wizard's behaviour of its own (htmx does the rest). A file, not inline script:
// the CSP allows only 'self'.
// - Choosing a file in "Kies bestand (CSV, XLSX of XML)" reads it at once.
// - An element marked data-focus-on-load (tabindex="-1": the preview's refusal of a mass
//   archive) takes the focus when the page opens, so that keyboard and screen reader users
//   land on what stopped the import instead of on an unchanged-looking page.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches("input[type=file][data-autosubmit]") && input.files.length) {
      input.form.requestSubmit();
    }
  });
  function focusMarked() {
    var target = document.querySelector("[data-focus-on-load]");
    if (target) {
      target.focus(); // (scrolls it into view)
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusMarked);
  } else {
    focusMarked();
  }
})();
