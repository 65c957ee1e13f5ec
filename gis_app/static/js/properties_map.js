// The property protection map: draws the page's JSON (property outlines, and for security staff the cameras and
// the areas they see) into the layers folium created. User text only ever reaches the page as textContent.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("properties-config").textContent);
  var texts = config.texts;
  var groups = config.layers.layers;
  var statusElement = document.getElementById("properties-status");
  var counts = {properties: 0, cameras: 0, views: 0};

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function popup(title, rows, link, demo) {
    var root = element("div", "place-popup property-popup");
    root.appendChild(element("h2", "place-popup-title", title));
    var list = element("dl");
    rows.forEach(function (row) {
      if (row[1] === undefined || row[1] === null || row[1] === "") { return; }
      list.appendChild(element("dt", null, row[0]));
      list.appendChild(element("dd", null, row[1]));
    });
    root.appendChild(list);
    if (demo) { root.appendChild(element("p", "muted", texts.demo)); }
    if (link) {
      var anchor = element("a", null, texts.open);
      anchor.href = link;  // a URL the server built from an id
      root.appendChild(anchor);
    }
    return root;
  }

  function propertyPopup(p) {
    return popup(p.name, [[texts.ref, p.ref], [texts.kind, p.kind], [texts.address, p.address]], p.url, p.demo);
  }

  function cameraPopup(p) {
    return popup(p.name, [[texts.permit, p.permit]], null, false);
  }

  function add(features, key, content, style) {
    var group = window[groups[key]];
    if (!group || !features) { return; }
    L.geoJSON(features, {
      pointToLayer: function (feature, latlng) { return L.circleMarker(latlng); },
      style: function () { return style; },
      onEachFeature: function (feature, layer) {
        layer.options.className = "property-feature property-" + key;
        if (content) { layer.bindPopup(function () { return content(feature.properties); }, {maxWidth: 300}); }
        group.addLayer(layer);
        counts[key] += 1;
      }
    });
  }

  var colors = config.colors;
  add(config.properties, "properties", propertyPopup,
      {color: colors.properties, weight: 2, opacity: 0.9, fillColor: colors.properties, fillOpacity: 0.25});
  add(config.views, "views", null,
      {color: colors.views, weight: 1, opacity: 0.8, fillColor: colors.views, fillOpacity: 0.35, interactive: false});
  add(config.cameras, "cameras", cameraPopup,
      {radius: 6, color: "#ffffff", weight: 2, opacity: 1, fillColor: colors.cameras, fillOpacity: 0.95});
  statusElement.dataset.properties = String(counts.properties);
  statusElement.dataset.cameras = String(counts.cameras);
  statusElement.dataset.state = "ready";
})();
