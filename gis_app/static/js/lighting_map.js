// The lamps and lighting gaps map, with the day/night line (Leaflet.Terminator) for a chosen time.
// Register fields reach the page only as textContent.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("lighting-config").textContent);
  var texts = config.texts;
  var b = config.bounds;
  var map = L.map("lighting-map").fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  if (config.tileUrl) { L.tileLayer(config.tileUrl, {maxZoom: 19}).addTo(map); }
  var timeInput = document.getElementById("terminator-time");
  var showInput = document.getElementById("terminator-show");
  var terminator = L.terminator({time: chosenTime(), fillOpacity: 0.3}).addTo(map);
  var fitted = false;

  function chosenTime() {
    var value = new Date(timeInput.value);  // datetime-local: the browser's local time
    return isNaN(value.getTime()) ? new Date() : value;
  }

  function updateTerminator() {
    terminator.setTime(chosenTime());
    if (showInput.checked) { terminator.addTo(map); } else { map.removeLayer(terminator); }
  }

  function row(list, term, value) {
    if (value === null || value === undefined || value === "") { return; }
    var dt = document.createElement("dt");
    dt.textContent = term;
    var dd = document.createElement("dd");
    dd.textContent = String(value);
    list.appendChild(dt);
    list.appendChild(dd);
  }

  function lampPopup(feature) {
    var p = feature.properties;
    var root = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = p.ref;
    root.appendChild(title);
    var list = document.createElement("dl");
    row(list, texts.state, p.out ? texts.out : (texts.states[p.state] || p.state));
    row(list, texts.type, p.lamp_type);
    row(list, texts.power, p.power_w !== null ? p.power_w + " W" : null);
    row(list, texts.owner, p.owner);
    root.appendChild(list);
    var link = document.createElement("a");
    link.href = config.lampUrl.replace(/0$/, String(feature.id));
    link.textContent = texts.open;
    root.appendChild(link);
    var dataset = document.createElement("p");
    dataset.className = "muted";
    dataset.textContent = p.dataset;
    root.appendChild(dataset);
    return root;
  }

  function gapPopup(feature) {
    var p = feature.properties;
    var root = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = texts.gap;
    root.appendChild(title);
    var list = document.createElement("dl");
    row(list, texts.length, p.length_m + " m");
    row(list, texts.reports, p.reports_nearby);
    root.appendChild(list);
    return root;
  }

  function load(url, options) {
    return fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, options).addTo(map);
        if (!fitted && data.features.length) { map.fitBounds(layer.getBounds(), {maxZoom: 16}); fitted = true; }
        return layer;
      });
  }

  load(config.gapsUrl, {
    style: function () { return {color: "#7b2cbf", weight: 6, opacity: 0.85, className: "lighting-gap"}; },
    onEachFeature: function (feature, layer) { layer.bindPopup(function () { return gapPopup(feature); }); }
  }).then(function () {
    return load(config.lampsUrl, {
      pointToLayer: function (feature, latlng) {
        var bad = feature.properties.out || feature.properties.state !== "working";
        return L.circleMarker(latlng, {radius: 5, weight: 1, color: "#333333", fillOpacity: 0.95,
                                       fillColor: bad ? "#d62728" : "#f2c200", className: "lamp lamp-" + feature.id});
      },
      onEachFeature: function (feature, layer) { layer.bindPopup(function () { return lampPopup(feature); }); }
    });
  });
  timeInput.addEventListener("change", updateTerminator);
  showInput.addEventListener("change", updateTerminator);
})();
