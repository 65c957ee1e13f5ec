// The night-walk map: draws a shift's route and its report's sightings from the page's JSON; on the shift form,
// Leaflet.draw draws the route into the form's route field; on the report form, a click marks the chosen line's
// point. User text never reaches the map: labels are built with textContent.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("night-map-config").textContent);
  var map = window[config.layers.map];
  var routeGroup = window[config.layers.route];
  var sightingGroup = window[config.layers.sightings];
  var texts = config.texts || {};
  var features = config.features;

  function label(text) {
    var node = document.createElement("span");
    node.textContent = String(text);
    return node;
  }

  function drawRoute(geometry) {
    routeGroup.clearLayers();
    if (!geometry) { return; }
    L.geoJSON(geometry, {style: {color: features.routeColor, weight: 5, opacity: 0.85}}).eachLayer(function (layer) {
      routeGroup.addLayer(layer);
    });
    document.body.dataset.routeDrawn = "true";
  }

  function drawSightings(list) {
    (list || []).forEach(function (feature) {
      var latlng = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
      var marker = L.circleMarker(latlng, {radius: 8, color: "#fff", weight: 2, fillColor: features.sightingColor,
                                           fillOpacity: 0.95});
      var kind = (texts.kinds || {})[feature.properties.kind] || feature.properties.kind;
      marker.bindPopup(label(feature.properties.count + " × " + kind));
      sightingGroup.addLayer(marker);
    });
    document.body.dataset.sightingsDrawn = String((list || []).length);
  }

  // The shift form: a line drawn (or edited) on the map is written into the route field as GeoJSON.
  function setUpDrawing() {
    var field = document.getElementById("route");
    if (!field || !L.Control.Draw) { return; }
    map.addControl(new L.Control.Draw({
      position: "topleft",
      draw: {polyline: {shapeOptions: {color: features.routeColor, weight: 5}}, polygon: false, rectangle: false,
             circle: false, marker: false, circlemarker: false},
      edit: {featureGroup: routeGroup, remove: false}
    }));
    function store() {
      var line = null;
      routeGroup.eachLayer(function (layer) { if (!line && layer.toGeoJSON) { line = layer.toGeoJSON().geometry; } });
      field.value = line ? JSON.stringify(line) : "";
      document.body.dataset.routeDrawn = line ? "true" : "false";
    }
    map.on(L.Draw.Event.CREATED, function (event) {
      routeGroup.clearLayers();
      routeGroup.addLayer(event.layer);
      store();
    });
    map.on(L.Draw.Event.EDITED, store);
    if (field.value) {
      try { drawRoute(JSON.parse(field.value)); } catch { /* the server says what is wrong with it */ }
    }
  }

  // The report form: "Mark on the map" picks a line; a click on the map sets that line's longitude and latitude.
  function setUpPicking() {
    var rows = document.querySelectorAll("[data-sighting-row]");
    if (!rows.length) { return; }
    var active = 0;
    var markers = {};
    rows.forEach(function (row, index) {
      var button = row.querySelector("[data-pick]");
      if (button) {
        button.addEventListener("click", function () {
          active = index;
          rows.forEach(function (other) { other.classList.remove("picking"); });
          row.classList.add("picking");
        });
      }
    });
    rows[0].classList.add("picking");
    map.on("click", function (event) {
      var row = rows[active];
      row.querySelector("[data-lon]").value = event.latlng.lng.toFixed(6);
      row.querySelector("[data-lat]").value = event.latlng.lat.toFixed(6);
      if (markers[active]) { sightingGroup.removeLayer(markers[active]); }
      markers[active] = L.circleMarker(event.latlng, {radius: 8, color: "#fff", weight: 2,
                                                      fillColor: features.sightingColor, fillOpacity: 0.95});
      sightingGroup.addLayer(markers[active]);
      document.body.dataset.pointsMarked = String(Object.keys(markers).length);
    });
  }

  drawRoute(features.route);
  drawSightings(features.sightings);
  setUpDrawing();
  setUpPicking();
  document.body.dataset.nightMapReady = "true";
}());
