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

  // Stops at the same position would hide each other: each is drawn around the shared point, a fixed number of
  // pixels apart at every zoom, so all stay visible and clickable.
  function spread(stops) {
    var groups = {};
    stops.forEach(function (stop) {
      var key = stop.lat.toFixed(6) + "," + stop.lon.toFixed(6);
      (groups[key] = groups[key] || []).push(stop);
    });
    var offsets = {};
    Object.keys(groups).forEach(function (key) {
      var group = groups[key];
      var radius = group.length > 1 ? Math.max(20, group.length * 34 / (2 * Math.PI)) : 0;
      group.forEach(function (stop, k) {
        var angle = 2 * Math.PI * k / group.length - Math.PI / 2;
        offsets[stop.position] = [Math.round(radius * Math.cos(angle)), Math.round(radius * Math.sin(angle))];
      });
    });
    return offsets;
  }

  function stopPopup(stop) {
    var texts = features.texts || {};
    var box = element("div", "outreach-popup");
    box.appendChild(element("strong", null, stop.position + ". " + stop.title));
    box.appendChild(element("div", "outreach-popup-state", texts[stop.state] || ""));
    if (stop.url) {
      var link = element("a", "button-link", stop.state === "planned" ? texts.place : texts.logVisit);
      link.href = stop.url;
      box.appendChild(link);
    }
    return box;
  }

  function drawRoute() {
    var layer = window[config.layers.route];
    var texts = features.texts || {};
    if (features.path.length > 1) {
      L.polyline(features.path.map(function (p) { return [p[1], p[0]]; }),
                 {color: features.routeColor, weight: 4, opacity: 0.7, dashArray: "6 6"}).addTo(layer);
    }
    var start = features.start;
    var startLabel = (texts.start ? texts.start + ": " : "") + start.name;
    L.marker([start.lat, start.lon], {title: startLabel, alt: startLabel, icon: L.divIcon({
      html: element("span", "outreach-start", "●"), iconSize: [22, 22], iconAnchor: [11, 11],
      className: "outreach-start-icon"})})
      .bindTooltip(element("span", "outreach-start-label", startLabel),
                   {permanent: true, direction: "right", offset: [10, 0], className: "outreach-start-tooltip"})
      .addTo(layer);
    var offsets = spread(features.stops);
    features.stops.forEach(function (stop) {
      var number = element("span", "outreach-stop outreach-stop-" + stop.state, stop.position);
      number.dataset.stop = String(stop.position);
      if (stop.state === "visited") { number.appendChild(element("span", "outreach-stop-check", "✓")); }
      var offset = offsets[stop.position];
      var label = stop.position + ". " + stop.title + (texts[stop.state] ? " (" + texts[stop.state] + ")" : "");
      L.marker([stop.lat, stop.lon], {title: label, alt: label, riseOnHover: true, icon: L.divIcon({
        html: number, iconSize: [30, 30], iconAnchor: [15 - offset[0], 15 - offset[1]],
        className: "outreach-stop-icon"})})
        .bindTooltip(element("span", null, label), {sticky: true})
        .bindPopup(stopPopup(stop))
        .addTo(layer);
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
