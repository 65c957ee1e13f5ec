// The API's web pages: draws the page's features (from its JSON block) into the layer folium made, each with a
// popup linking to the feature's page. Labels only ever reach the page as textContent.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("api-map-config").textContent);
  var layer = window[config.layers.features];

  function popup(properties) {
    var box = document.createElement("div");
    box.className = "api-map-popup";
    if (properties.href) {
      var link = document.createElement("a");
      link.href = properties.href;
      link.textContent = properties.label;
      box.appendChild(link);
    } else {
      box.textContent = properties.label;
    }
    return box;
  }

  L.geoJSON(config.features.features, {
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, {
        radius: 7, color: "#ffffff", weight: 2, fillColor: feature.properties.color, fillOpacity: 0.9
      });
    },
    style: function (feature) {
      return {color: feature.properties.color, weight: 3, fillOpacity: 0.15};
    },
    onEachFeature: function (feature, drawn) {
      drawn.bindPopup(popup(feature.properties));
    }
  }).addTo(layer);
  document.getElementById("api-map-config").dataset.drawn = String(config.features.features.length);
})();
