// A place's history: each change of location drawn on a small map (before dashed grey, after blue) from the
// page's JSON block, instead of raw GeoJSON. No text from the data reaches the page.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("history-maps").textContent);
  var BEFORE = {color: "#6b6b6b", weight: 3, dashArray: "5 5", fillOpacity: 0.1};
  var AFTER = {color: "#1f3a93", weight: 4, fillOpacity: 0.2};

  function draw(container) {
    var change = config.geometries[Number(container.dataset.geometry)];
    if (!change) { return; }
    var map = L.map(container, {scrollWheelZoom: false, attributionControl: Boolean(config.attribution)});
    if (config.tileUrl) { L.tileLayer(config.tileUrl, {maxZoom: 19, attribution: config.attribution}).addTo(map); }
    var group = L.featureGroup().addTo(map);
    [[change.before, BEFORE], [change.after, AFTER]].forEach(function (pair) {
      if (!pair[0]) { return; }
      L.geoJSON(pair[0], {style: pair[1], pointToLayer: function (_feature, latlng) {
        return L.circleMarker(latlng, L.extend({radius: 7, fillOpacity: 0.8, fillColor: pair[1].color}, pair[1]));
      }}).addTo(group);
    });
    var bounds = group.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, {padding: [20, 20], maxZoom: 17}); }
    container.dataset.drawn = "true";
  }

  document.querySelectorAll(".history-map[data-geometry]").forEach(draw);
})();
