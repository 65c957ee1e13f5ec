// Outreach maps: a shift's route with its numbered stops, or the heat map with the places flagged for police
// outreach, drawn from the page's JSON into the layers folium made. Titles only ever reach the page as textContent.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("outreach-map-config").textContent);
  var features = config.features;
  var map = window[config.layers.map];

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function drawRoute() {
    var layer = window[config.layers.route];
    if (features.path.length > 1) {
      L.polyline(features.path.map(function (p) { return [p[1], p[0]]; }),
                 {color: features.routeColor, weight: 4, opacity: 0.7, dashArray: "6 6"}).addTo(layer);
    }
    var start = features.start;
    L.marker([start.lat, start.lon], {icon: L.divIcon({
      html: element("span", "outreach-start", "●"), iconSize: [22, 22], iconAnchor: [11, 11],
      className: "outreach-start-icon"})})
      .bindTooltip(element("span", null, start.name), {sticky: true}).addTo(layer);
    features.stops.forEach(function (stop) {
      var number = element("span", "outreach-stop outreach-stop-" + stop.state, stop.position);
      number.dataset.stop = String(stop.position);
      L.marker([stop.lat, stop.lon], {icon: L.divIcon({
        html: number, iconSize: [30, 30], iconAnchor: [15, 15], className: "outreach-stop-icon"})})
        .bindTooltip(element("span", null, stop.position + ". " + stop.title), {sticky: true}).addTo(layer);
    });
  }

  function drawHeat() {
    if (config.layers.heat && L.heatLayer) {
      L.heatLayer(features.heat, features.heatOptions).addTo(window[config.layers.heat]);
    }
    if (config.layers.flagged) {
      var layer = window[config.layers.flagged];
      features.flagged.forEach(function (place) {
        L.circleMarker([place.lat, place.lon], {radius: 8, color: features.flaggedColor, fill: true,
                                                fillOpacity: 0.6})
          .bindTooltip(element("span", null, place.title), {sticky: true}).addTo(layer);
      });
    }
  }

  if (features.kind === "route") { drawRoute(); } else { drawHeat(); }
  map.getContainer().dataset.featuresDrawn = "true";
})();
