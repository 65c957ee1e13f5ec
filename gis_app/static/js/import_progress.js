// The import's progress: the form posts as usual (the page stays until the answer comes), and meanwhile this asks
// the server how far the import is and shows it in a <progress> element.
(function () {
  "use strict";

  var form = document.getElementById("import-form");
  if (!form) { return; }
  var texts = JSON.parse(document.getElementById("import-progress-texts").textContent);
  var box = document.getElementById("import-progress");
  var bar = document.getElementById("import-progress-bar");
  var label = document.getElementById("import-progress-label");
  var timer = null;

  function show(state) {
    var text = texts[state.phase] || texts.waiting;
    label.textContent = text.replace("{done}", state.done).replace("{total}", state.total);
    if (state.total > 0) {
      // Checking is the first half of the work, writing the second.
      var half = state.phase === "writing" ? 0.5 : 0;
      bar.max = 1;
      bar.value = half + 0.5 * state.done / state.total;
    }
    document.body.dataset.importPhase = state.phase;
  }

  function poll() {
    fetch(form.dataset.progressUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(show)
      .catch(function () { window.clearInterval(timer); });
  }

  form.addEventListener("submit", function () {
    box.hidden = false;
    document.getElementById("import-button").disabled = true;
    timer = window.setInterval(poll, 500);
  });
}());
