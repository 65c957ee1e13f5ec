// Outreach pages: the print button of the stop list (inline handlers are forbidden by the CSP).
(function () {
  "use strict";
  document.querySelectorAll(".print-button").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
