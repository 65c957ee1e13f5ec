// The remediation list's compact multi-selects: count the chosen in each summary, close one list when another
// opens (or on Escape or a click elsewhere), and give long lists (37 districts) a search box.
(function () {
  "use strict";

  var LONG_LIST = 12;
  var script = document.currentScript;
  var selects = Array.prototype.slice.call(document.querySelectorAll("details[data-multi-select]"));
  if (!selects.length) { return; }

  function boxes(details) {
    return Array.prototype.slice.call(details.querySelectorAll("input[type=checkbox]"));
  }

  function showCount(details) {
    var value = details.querySelector(".multi-select-value");
    var count = boxes(details).filter(function (box) { return box.checked; }).length;
    value.textContent = count ? value.dataset.some.replace("{count}", String(count)) : value.dataset.all;
  }

  function addSearch(details) {
    var options = details.querySelector(".multi-select-options");
    var search = document.createElement("input");
    search.type = "search";
    search.className = "multi-select-search";
    search.setAttribute("aria-label", script.dataset.searchLabel + ": " +
                        details.querySelector(".multi-select-name").textContent);
    search.placeholder = script.dataset.searchLabel;
    search.addEventListener("input", function () {
      var wanted = search.value.trim().toLocaleLowerCase();
      details.querySelectorAll("label.filter-option").forEach(function (label) {
        label.hidden = wanted !== "" && label.textContent.toLocaleLowerCase().indexOf(wanted) < 0;
      });
    });
    // Enter in the box would submit the filter form with a half-made choice: keep it to the box.
    search.addEventListener("keydown", function (event) { if (event.key === "Enter") { event.preventDefault(); } });
    options.insertBefore(search, options.querySelector("label.filter-option"));
    details.addEventListener("toggle", function () { if (details.open) { search.focus(); } });
  }

  function closeAll(except) {
    selects.forEach(function (details) { if (details !== except) { details.open = false; } });
  }

  selects.forEach(function (details) {
    details.addEventListener("change", function () { showCount(details); });
    details.addEventListener("toggle", function () { if (details.open) { closeAll(details); } });
    if (boxes(details).length > LONG_LIST) { addSearch(details); }
  });
  document.addEventListener("keydown", function (event) {
    var open = selects.filter(function (details) { return details.open; })[0];
    if (event.key === "Escape" && open) {
      open.open = false;
      open.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest("details[data-multi-select]")) { closeAll(null); }
  });
})();
