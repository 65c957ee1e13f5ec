// The inventory year's map: draws the places (from the page's JSON) into the layer of their measure status, and
// the new, still unsafe and remediated ones again into the comparison layers. Texts only reach the page as
// textContent.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("inventory-map-config").textContent);
  var features = config.features;
  var map = window[config.layers.map];

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function tooltip(p) {
    var table = element("table", "map-tooltip");
    [["", p.title], ["", p.category], ["", p.assessment], ["", p.status], [features.priority, p.priority]]
      .forEach(function (row) {
        var line = table.appendChild(element("tr"));
        line.appendChild(element("th", null, row[0]));
        line.appendChild(element("td", null, row[1]));
      });
    return table;
  }

  function style(feature, color, outline) {
    var point = feature.geometry.type === "Point";
    // fill: true, or Leaflet keeps a circle marker's own fill: false and draws a point as a hollow ring.
    return {color: outline || (point ? "#ffffff" : color), weight: outline ? 3 : 2, fill: true, fillColor: color,
            fillOpacity: 0.8, opacity: 0.95, radius: 8};
  }

  function draw(places, group, color, outline) {
    if (!places.length) { return null; }
    return L.geoJSON({type: "FeatureCollection", features: places}, {
      pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, {radius: 8}); },
      style: function (feature) { return style(feature, color || feature.properties.color, outline); },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(function () { return tooltip(feature.properties); }, {sticky: false});
      }
    }).addTo(group);
  }

  var bounds = L.latLngBounds([]);
  Object.keys(config.layers.status).forEach(function (code) {
    var places = features.places.filter(function (f) { return f.properties.status_code === code; });
    var layer = draw(places, window[config.layers.status[code]], null, null);
    if (layer) { bounds.extend(layer.getBounds()); }
  });
  Object.keys(config.layers.comparison).forEach(function (kind) {
    var ids = features.comparison[kind];
    var places = features.places.filter(function (f) { return ids.indexOf(f.id) !== -1; });
    draw(places, window[config.layers.comparison[kind]], features.comparisonColors[kind], "#000000");
  });
  if (bounds.isValid()) {
    map.fitBounds(bounds, {animate: false});
  }
  map.getContainer().dataset.featuresDrawn = String(features.places.length);
})();
