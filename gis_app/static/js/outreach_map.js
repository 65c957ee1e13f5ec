// Outreach maps: a shift's route with its numbered stops, or the heat map (from the counts per cell of the app's
// vector tiles) with the places flagged for police outreach, drawn into the layers folium made. Titles only ever
// reach the page as textContent.
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

  // The heat: counts of reports per grid cell from the app's vector tiles (place_cells.js), so it is the heat of
  // the whole data set at any size; zoomed in, also the places with reports in view, each with a popup.
  function drawHeat() {
    var texts = config.texts, statusElement = document.getElementById("map-status");
    var cellTiles = {}, drawnPlaces = {}, failed = false, inFlight = null, moveTimer = null;
    var heat = L.heatLayer([], features.heatOptions).addTo(window[config.layers.heat]);
    var placesGroup = L.featureGroup().addTo(window[config.layers.heat]);
    var query = new URLSearchParams(config.filters).toString();

    function showStatus(state, text, count) {
      statusElement.dataset.state = state;
      statusElement.textContent = text;
      if (count !== undefined) { statusElement.dataset.featureCount = String(count); }
    }

    function zoomedIn() { return map.getZoom() >= config.pointZoom; }

    function currentCells() {
      var zoom = Math.min(map.getZoom(), grid.options.maxNativeZoom), cells = [];
      Object.keys(cellTiles).forEach(function (key) {
        if (cellTiles[key].zoom === zoom) { cells = cells.concat(cellTiles[key].cells); }
      });
      return cells;
    }

    function redraw() {
      var cells = currentCells();
      var most = cells.reduce(function (m, c) { return Math.max(m, c.count); }, 1);
      heat.setOptions({max: most});
      heat.setLatLngs(cells.map(function (c) { return [c.latlng.lat, c.latlng.lng, c.count]; }));
    }

    function showCount() {
      if (grid.isLoading()) { return; }
      if (failed) { showStatus("error", texts.error); return; }
      var bounds = map.getBounds(), total = 0;
      currentCells().forEach(function (c) { if (bounds.contains(c.latlng)) { total += c.count; } });
      var text = total === 1 ? texts.count_one : texts.count_other.replace("{n}", total.toLocaleString(config.locale));
      showStatus("ready", text, total);
    }

    var grid = new window.placeCells.CellGrid(config.tilesUrl + "?" + query, {
      cells: function (key, coords, cells) {
        cellTiles[key] = {zoom: coords.z, cells: cells.map(function (c) {
          return {latlng: map.unproject(L.point((coords.x + c.x) * 256, (coords.y + c.y) * 256), coords.z),
                  count: c.count};
        })};
        redraw();
      },
      unload: function (key) { delete cellTiles[key]; redraw(); },
      failed: function (error) { failed = true; if (window.console) { console.warn(error); } }
    }, {bounds: L.latLngBounds(config.bounds), maxNativeZoom: 18});
    grid.on("loading", function () { failed = false; showStatus("loading", texts.loading); });
    grid.on("load", function () { redraw(); showCount(); });
    grid.addTo(map);

    function placePopup(place) {
      var box = element("div", "outreach-popup");
      box.appendChild(element("strong", "outreach-popup-title", place.title));
      box.appendChild(element("div", "outreach-popup-count", texts.reports + ": " + place.reports));
      var link = element("a", "button-link", texts.visits);
      link.href = place.url;
      box.appendChild(link);
      return box;
    }

    function drawPlaces(places) {
      var incoming = {};
      places.forEach(function (p) { incoming[p.id] = p; });
      Object.keys(drawnPlaces).forEach(function (id) {
        if (!incoming[id] || incoming[id].reports !== drawnPlaces[id].reports) {
          placesGroup.removeLayer(drawnPlaces[id].marker);
          delete drawnPlaces[id];
        }
      });
      places.forEach(function (place) {
        if (drawnPlaces[place.id]) { return; }
        var marker = L.circleMarker([place.lat, place.lon], {radius: 7, color: "#ffffff", weight: 2, fill: true,
                                                              fillColor: features.flaggedColor, fillOpacity: 0.9,
                                                              className: "outreach-heat-place"})
          .bindTooltip(element("span", null, place.title), {sticky: true})
          .bindPopup(function () { return placePopup(place); });
        drawnPlaces[place.id] = {marker: marker.addTo(placesGroup), reports: place.reports};
      });
    }

    async function loadPlaces() {
      if (inFlight) { inFlight.abort(); }
      if (!zoomedIn()) { drawPlaces([]); return; }
      var controller = new AbortController(), places = [], after = 0;
      inFlight = controller;
      var b = map.getBounds();
      var box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); });
      try {
        for (;;) {
          var params = new URLSearchParams(config.filters);
          params.set("bbox", box.join(","));
          params.set("after", String(after));
          var response = await fetch(config.placesUrl + "?" + params.toString(), {credentials: "same-origin",
            signal: controller.signal, headers: {Accept: "application/json"}});
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          var page = await response.json();
          places = places.concat(page.features);
          if (page.next === null) { break; }
          after = page.next;
        }
        drawPlaces(places);
        map.getContainer().dataset.placesDrawn = String(places.length);
      } catch (error) {
        if (error.name === "AbortError") { return; }
        showStatus("error", texts.error);
        if (window.console) { console.warn(error); }
      } finally {
        if (inFlight === controller) { inFlight = null; }
      }
    }

    map.on("moveend", function () {
      window.clearTimeout(moveTimer);
      moveTimer = window.setTimeout(function () { redraw(); showCount(); loadPlaces(); }, 150);
    });
    loadPlaces();

    if (config.layers.flagged) {
      var layer = window[config.layers.flagged];
      features.flagged.forEach(function (place) {
        L.circleMarker([place.lat, place.lon], {radius: 8, color: features.flaggedColor, fill: true,
                                                fillOpacity: 0.6})
          .bindTooltip(element("span", null, place.title), {sticky: true}).addTo(layer);
      });
    }
    window.outreachHeatMap = {map: map};  // for tests
  }

  if (features.kind === "route") { drawRoute(); } else { drawHeat(); }
  map.getContainer().dataset.featuresDrawn = "true";
})();
