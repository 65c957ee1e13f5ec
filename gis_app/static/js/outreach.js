// Outreach pages: the print button of the stop list, and "my position" as a plan's start (inline handlers are
// forbidden by the CSP). Texts come from the page's data attributes, never from script strings.
(function () {
  "use strict";
  document.querySelectorAll(".print-button").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // --- the plan form: "my position" fills the hidden coordinates from the phone's position -----------------------
  var start = document.getElementById("start");
  var lon = document.getElementById("plan-start-lon");
  var lat = document.getElementById("plan-start-lat");
  var status = document.getElementById("position-state");
  if (!start || !lon || !lat || !status) { return; }
  var form = start.form;
  var MY_POSITION = "position";

  function say(key) {
    status.hidden = false;
    status.dataset.state = key;
    status.textContent = status.dataset[key] || "";
  }

  function locate(then) {
    if (!navigator.geolocation) { say("none"); return; }
    say("locating");
    navigator.geolocation.getCurrentPosition(function (position) {
      lon.value = position.coords.longitude.toFixed(6);
      lat.value = position.coords.latitude.toFixed(6);
      say("found");
      if (then) { then(); }
    }, function () { say("none"); }, {enableHighAccuracy: true, maximumAge: 60000, timeout: 20000});
  }

  start.addEventListener("change", function () {
    if (start.value === MY_POSITION) { locate(null); } else { status.hidden = true; }
  });
  form.addEventListener("submit", function (event) {
    if (start.value === MY_POSITION && (!lon.value || !lat.value)) {
      event.preventDefault();
      locate(function () { form.submit(); });
    }
  });
  if (start.value === MY_POSITION && !lon.value) { locate(null); }
})();
