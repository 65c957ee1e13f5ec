// The import preview map: draws the file's rows (from the page's JSON) into the layer folium made for them.
// A row's title is user text: it only ever reaches the page as textContent.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("import-map-config").textContent);
  var layer = window[config.layers.rows];

  function label(properties) {
    var node = document.createElement("span");
    node.className = "import-row-label";
    node.textContent = config.texts.row + " " + properties.row + ": " + (properties.title || config.texts.untitled);
    return node;
  }

  var drawn = L.geoJSON(config.features, {
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, {radius: 6, color: "#ffffff", weight: 2, fillColor: "#1f3a93", fillOpacity: 0.9,
                                     className: "import-row"});
    },
    style: function () { return {color: "#1f3a93", weight: 3, className: "import-row"}; },
    onEachFeature: function (feature, item) {
      item.bindTooltip(label(feature.properties), {sticky: true});
    }
  });
  drawn.addTo(layer);
  document.body.dataset.importRowsDrawn = String(config.features.features.length);
}());
