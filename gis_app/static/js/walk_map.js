// The walk map: draws the meeting point, the numbered stops and the route (from the page's JSON) and the walk's
// findings (from the API) into the layers folium made for them. User text only ever reaches the page as textContent.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("walk-map-config").textContent);
  var texts = config.texts;
  var walk = config.features;
  var layer = window[config.layers.findings];

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function latLng(point) {
    return [point[1], point[0]];
  }

  function drawRoute() {
    if (walk.route.length < 2) { return; }
    L.polyline(walk.route.map(latLng), {color: walk.routeColor, weight: 5, opacity: 0.8, className: "walk-route"})
      .addTo(window[config.layers.route]);
  }

  function drawStops() {
    var stops = window[config.layers.stops];
    L.circleMarker([walk.meeting.lat, walk.meeting.lon], {
      radius: 10, color: "#ffffff", weight: 3, fill: true, fillColor: walk.meetingColor, fillOpacity: 1,
      className: "walk-meeting"
    }).bindTooltip(element("span", null, walk.meeting.label), {sticky: true}).addTo(stops);
    walk.stops.forEach(function (stop) {
      var number = element("span", "walk-stop-number", stop.number);
      number.style.background = stop.color;
      var icon = L.divIcon({html: number, iconSize: [28, 28], iconAnchor: [14, 14], className: "walk-stop"});
      L.marker([stop.lat, stop.lon], {icon: icon})
        .bindTooltip(element("span", "walk-stop-title", stop.number + ". " + stop.title), {sticky: true})
        .addTo(stops);
    });
    document.body.dataset.stopsDrawn = String(walk.stops.length);
  }

  function popup(feature) {
    var p = feature.properties;
    var box = element("div", "place-popup");
    box.appendChild(element("h3", "place-popup-title",
                            p.number + ". " + (p.safe_place ? texts.safe : p.category_label)));
    if (p.note) { box.appendChild(element("p", "place-popup-text", p.note)); }
    if (p.accuracy_m !== null) {
      box.appendChild(element("p", null, texts.accuracy + ": ±" + Math.round(p.accuracy_m) + " m"));
    }
    if (p.flagged) { box.appendChild(element("p", "flag", texts.flagged)); }
    if (p.photos.length) { box.appendChild(element("p", null, texts.photos + ": " + p.photos.length)); }
    return box;
  }

  function draw(collection) {
    layer.clearLayers();
    collection.features.forEach(function (feature) {
      var c = feature.geometry.coordinates;
      var marker = L.circleMarker([c[1], c[0]], {
        radius: 9, color: feature.properties.flagged ? "#b00020" : "#ffffff", weight: 3, fillOpacity: 0.95,
        fillColor: feature.properties.color,
        className: "walk-finding" + (feature.properties.safe_place ? " walk-finding-safe" : "")
      });
      marker.bindPopup(function () { return popup(feature); });
      marker.bindTooltip(String(feature.properties.number), {permanent: true, direction: "center",
                                                             className: "finding-number"});
      marker.addTo(layer);
    });
    document.body.dataset.findingsDrawn = String(collection.features.length);
  }

  // Planners draw or edit the route with Leaflet.draw; each change is saved at once.
  function setUpDrawing() {
    if (!config.routeUrl || !L.Control.Draw) { return; }
    var map = window[config.layers.map];
    var routeGroup = window[config.layers.route];
    var status = document.getElementById("route-status");
    var picking = config.candidates && config.candidates.length;
    map.addControl(new L.Control.Draw({
      position: "topleft",
      draw: {polyline: {shapeOptions: {color: "#1f3a93", weight: 5}},
             polygon: picking ? {shapeOptions: {color: "#b35c00", dashArray: "6 4"}} : false,
             rectangle: picking ? {shapeOptions: {color: "#b35c00", dashArray: "6 4"}} : false,
             circle: false, marker: false, circlemarker: false},
      edit: {featureGroup: routeGroup, remove: false}
    }));

    function save() {
      var line = null;
      routeGroup.eachLayer(function (layer) { if (!line && layer.toGeoJSON) { line = layer.toGeoJSON().geometry; } });
      var body = new FormData();
      body.append("csrf_token", document.getElementById("route-csrf").value);
      body.append("route", line ? JSON.stringify(line) : "");
      fetch(config.routeUrl, {method: "POST", body: body, credentials: "same-origin"})
        .then(function (response) {
          status.textContent = response.ok ? texts.saved : texts.error;
          document.body.dataset.routeSaved = response.ok ? "true" : "false";
        })
        .catch(function () { status.textContent = texts.error; });
    }

    map.on(L.Draw.Event.CREATED, function (event) {
      if (event.layerType === "rectangle" || event.layerType === "polygon") {
        pickInside(event.layer);  // an area picks places; it is not kept on the map
        return;
      }
      routeGroup.clearLayers();
      routeGroup.addLayer(event.layer);
      save();
    });
    map.on(L.Draw.Event.EDITED, save);
  }

  // Candidate places for planners: shown on the map with their distance from the meeting point; a click ticks or
  // unticks the place in the list, and a drawn rectangle or polygon ticks every place inside it.
  var candidateMarkers = {};

  function checkbox(id) {
    return document.querySelector('input[data-candidate="' + id + '"]');
  }

  function styleCandidate(id) {
    var box = checkbox(id), marker = candidateMarkers[id];
    if (!box || !marker) { return; }
    marker.setStyle({fillOpacity: box.checked ? 1 : 0.25, weight: box.checked ? 4 : 2,
                     color: box.checked ? "#111111" : "#555555"});
  }

  function announcePicked() {
    var picked = document.querySelectorAll("input[data-candidate]:checked").length;
    var status = document.getElementById("pick-status");
    if (status) { status.textContent = texts.picked.replace("{n}", String(picked)); }
    document.body.dataset.candidatesTicked = String(picked);
  }

  function toggle(id, value) {
    var box = checkbox(id);
    if (!box) { return; }
    box.checked = value === undefined ? !box.checked : value;
    styleCandidate(id);
  }

  function drawCandidates() {
    if (!config.candidates || !config.candidates.length) { return; }
    var group = L.layerGroup().addTo(window[config.layers.map]);
    config.candidates.forEach(function (place) {
      // A hollow circle: distinct from the numbered square stops and the round filled findings.
      var marker = L.circleMarker([place.lat, place.lon], {radius: 8, color: "#555555", weight: 2,
                                                             fillColor: place.color, fillOpacity: 0.25,
                                                             className: "walk-candidate"});
      var tip = element("span", null, place.title + " · " + texts.metres.replace("{m}", String(place.distance)));
      marker.bindTooltip(tip, {sticky: true});
      marker.on("click", function () { toggle(place.id); announcePicked(); });
      marker.addTo(group);
      candidateMarkers[place.id] = marker;
      styleCandidate(place.id);
    });
    document.querySelectorAll("input[data-candidate]").forEach(function (box) {
      box.addEventListener("change", function () { styleCandidate(box.getAttribute("data-candidate")); });
    });
    document.body.dataset.candidatesDrawn = String(config.candidates.length);
  }

  function pickInside(layer) {
    var picked = 0;
    config.candidates.forEach(function (place) {
      var point = L.latLng(place.lat, place.lon);
      var inside = layer instanceof L.Rectangle ? layer.getBounds().contains(point) : insidePolygon(point, layer);
      if (inside) { toggle(place.id, true); picked += 1; }
    });
    announcePicked();
    return picked;
  }

  function insidePolygon(point, polygon) {
    var ring = polygon.getLatLngs()[0], inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
      var a = ring[i], b = ring[j];
      if ((a.lat > point.lat) !== (b.lat > point.lat) &&
          point.lng < (b.lng - a.lng) * (point.lat - a.lat) / (b.lat - a.lat) + a.lng) { inside = !inside; }
    }
    return inside;
  }

  // A legend, so that a stop, a finding, a candidate and the meeting point are told apart without colour alone.
  function addLegend() {
    var legend = L.control({position: "bottomright"});
    legend.onAdd = function () {
      var box = element("div", "walk-legend");
      box.appendChild(element("strong", null, texts.legend));
      [["walk-legend-meeting", texts.meeting], ["walk-legend-stop", texts.stop],
       ["walk-legend-finding", texts.finding]].concat(config.candidates && config.candidates.length
        ? [["walk-legend-candidate", texts.candidate]] : []).forEach(function (entry) {
        var row = element("div", "walk-legend-row");
        row.appendChild(element("span", "walk-legend-symbol " + entry[0], ""));
        row.appendChild(element("span", null, entry[1]));
        box.appendChild(row);
      });
      return box;
    };
    legend.addTo(window[config.layers.map]);
  }

  L.control.scale({imperial: false}).addTo(window[config.layers.map]);
  drawRoute();
  drawStops();
  drawCandidates();
  addLegend();
  setUpDrawing();

  fetch(config.findingsUrl, {credentials: "same-origin", headers: {Accept: "application/geo+json"}})
    .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
    .then(draw)
    .catch(function () { document.body.dataset.findingsDrawn = "error"; });
})();
