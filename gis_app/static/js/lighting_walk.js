// Beside the walk form: sunset, the end of civil twilight and start times after dark for the chosen date.
(function () {
  "use strict";

  var panel = document.getElementById("walk-sun");
  var startInput = document.getElementById("starts_at");
  var lat = document.getElementById("meeting_lat");
  var lon = document.getElementById("meeting_lon");
  if (!panel || !startInput) { return; }
  var texts = JSON.parse(panel.getAttribute("data-texts"));
  var shownFor = null;

  function line(term, value) {
    var p = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = term + ": ";
    p.appendChild(strong);
    p.appendChild(document.createTextNode(value));
    return p;
  }

  function useButton(time, date) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button-secondary";
    button.textContent = texts.use + " " + time;
    button.addEventListener("click", function () { startInput.value = date + "T" + time; });
    return button;
  }

  function show(data) {
    var heading = panel.querySelector("h2");
    panel.textContent = "";
    panel.appendChild(heading);
    panel.appendChild(line(texts.sunset, data.sunset || texts.none));
    panel.appendChild(line(texts.civil_dusk, data.civil_dusk || texts.none));
    if (data.proposed_starts.length) {
      var p = line(texts.proposed, "");
      data.proposed_starts.forEach(function (time) { p.appendChild(useButton(time, data.date)); });
      panel.appendChild(p);
    }
  }

  function update() {
    var date = (startInput.value || "").slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) { return; }
    var params = new URLSearchParams({date: date});
    if (lat && lat.value && lon && lon.value) { params.set("lat", lat.value); params.set("lon", lon.value); }
    var url = panel.getAttribute("data-url") + "?" + params.toString();
    if (url === shownFor) { return; }
    shownFor = url;
    fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { show(data); } });
  }

  startInput.addEventListener("change", update);
  if (lat) { lat.addEventListener("change", update); }
  update();
})();
