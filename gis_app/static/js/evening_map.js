// The evening economy map: draws the page's JSON (premises, Purple Flag layers, unsafe places) into the layers
// folium created, and filters by evening or night. User text only ever reaches the page as textContent.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("evening-config").textContent);
  var texts = config.texts;
  var map = window[config.layers.map];
  var groups = config.layers.layers;
  var statusElement = document.getElementById("evening-status");
  var form = document.getElementById("evening-filters");
  var drawn = [];  // {layer, group, show(time)}

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function addRow(list, term, value) {
    if (value === undefined || value === null || value === "") { return; }
    list.appendChild(element("dt", null, term));
    list.appendChild(element("dd", null, value));
  }

  function popup(title, rows, link, demo) {
    var root = element("div", "place-popup evening-popup");
    root.appendChild(element("h2", "place-popup-title", title));
    var list = element("dl");
    rows.forEach(function (row) { addRow(list, row[0], row[1]); });
    root.appendChild(list);
    if (demo) { root.appendChild(element("p", "muted", texts.demo)); }
    if (link) {
      var anchor = element("a", null, link.text);
      anchor.href = link.url;  // a URL the server built from an id
      root.appendChild(anchor);
    }
    return root;
  }

  function premisesPopup(p) {
    var rows = [[texts.address, p.address], [texts.opening_hours, p.opening_hours], [texts.serving, p.serving]];
    if (p.late) { rows.push([texts.open_late, "✓"]); }
    if (p.outcome) {
      rows.push([texts.inspections, p.inspections]);
      rows.push([texts.outcome, p.outcome_label]);
    }
    return popup(p.name, rows, p.url ? {url: p.url, text: texts.details} : null, p.demo);
  }

  function featurePopup(p) {
    return popup(p.name, [[p.kind_label, ""], [texts.hours, p.hours], [texts.state, p.state_label]], null, p.demo);
  }

  function placePopup(p) {
    var when = [p.evening ? texts.evening : null, p.night ? texts.night : null].filter(Boolean).join(", ");
    return popup(p.title, [[texts.category, p.category], [texts.evening + " / " + texts.night, when]],
                 {url: p.url, text: texts.open_place}, false);
  }

  function style(color, feature) {
    if (feature.geometry.type === "LineString") { return {color: color, weight: 6, opacity: 0.9}; }
    if (feature.geometry.type === "Point") {
      return {radius: 8, color: "#ffffff", weight: 2, opacity: 1, fillColor: color, fillOpacity: 0.95};
    }
    return {color: color, weight: 2, opacity: 0.9, fillColor: color, fillOpacity: 0.25};
  }

  function add(features, groupKey, colorOf, content, show) {
    var group = window[groups[groupKey]];
    if (!group || !features) { return; }
    L.geoJSON(features, {
      pointToLayer: function (feature, latlng) { return L.circleMarker(latlng); },
      style: function (feature) { return style(colorOf(feature.properties), feature); },
      onEachFeature: function (feature, layer) {
        layer.options.className = "evening-feature evening-" + groupKey;
        layer.bindPopup(function () { return content(feature.properties); }, {maxWidth: 300});
        drawn.push({layer: layer, group: group, key: groupKey, show: function (time) { return show(feature.properties, time); }});
      }
    });
  }

  function always() { return true; }

  function drawZone() {
    if (!config.zone) { return; }
    L.geoJSON(config.zone, {interactive: false, style: {color: config.zoneColor, weight: 3, dashArray: "8 6",
                                                        fill: true, fillOpacity: 0.05}}).addTo(map);
  }

  function filterTime() {
    var checked = form.querySelector("input[name=time]:checked");
    return checked ? checked.value : "all";
  }

  function applyFilter() {
    var time = filterTime();
    var shown = {premises: 0, features: 0, places: 0};
    drawn.forEach(function (entry) {
      var visible = time === "all" || entry.show(time);
      if (visible) {
        entry.group.addLayer(entry.layer);
        var kind = entry.key === "premises" ? "premises" : entry.key === "places" ? "places" : "features";
        shown[kind] += 1;
      } else {
        entry.group.removeLayer(entry.layer);
      }
    });
    statusElement.dataset.time = time;
    statusElement.dataset.shownPremises = String(shown.premises);
    statusElement.dataset.shownPlaces = String(shown.places);
    statusElement.dataset.shownFeatures = String(shown.features);
    statusElement.textContent = texts.count.replace("{premises}", shown.premises)
      .replace("{features}", shown.features).replace("{places}", shown.places);
  }

  drawZone();
  add(config.premises, "premises", function (p) { return p.color || config.premisesColor; }, premisesPopup,
      function (p, time) { return time === "evening" || p.late; });
  config.features.forEach(function (feature) {
    add([feature], feature.properties.kind, function (p) { return p.color; }, featurePopup, always);
  });
  add(config.places, "places", function (p) { return p.color; }, placePopup,
      function (p, time) { return time === "evening" ? p.evening : p.night; });
  form.addEventListener("change", applyFilter);
  applyFilter();
  statusElement.dataset.state = "ready";
})();
