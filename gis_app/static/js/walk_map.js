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
    map.addControl(new L.Control.Draw({
      position: "topleft",
      draw: {polyline: {shapeOptions: {color: "#1f3a93", weight: 5}}, polygon: false, rectangle: false,
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
      routeGroup.clearLayers();
      routeGroup.addLayer(event.layer);
      save();
    });
    map.on(L.Draw.Event.EDITED, save);
  }

  drawRoute();
  drawStops();
  setUpDrawing();

  fetch(config.findingsUrl, {credentials: "same-origin", headers: {Accept: "application/geo+json"}})
    .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
    .then(draw)
    .catch(function () { document.body.dataset.findingsDrawn = "error"; });
})();
