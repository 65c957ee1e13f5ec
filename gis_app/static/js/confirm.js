// Ask before a button that cannot be undone: a form with data-confirm submits only if the user agrees.
// The question is the attribute's text (the page's own translated words), shown by the browser's dialog.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
})();
