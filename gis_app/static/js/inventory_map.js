// The inventory year's map. Zoomed out (below config.pointZoom) it draws the counts per grid cell from the app's
// vector tiles (place_cells.js) for the page's filters, counting only the measure statuses whose layer is shown, so
// the count is true for any number of places; zoomed in it fetches the places in view page by page and draws each
// into the layer of its measure status, with a popup. Texts only reach the page as textContent.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("inventory-map-config").textContent);
  var texts = config.texts;
  var map = window[config.layers.map];
  var form = document.getElementById("inventory-map-filters");
  var statusElement = document.getElementById("map-status");
  var FILTERS = ["category", "status", "district", "comparison"];
  var drawn = {};        // place id -> {layer, group}: kept across loads, so an open popup stays open
  var cellTiles = {};    // tile key -> {zoom, markers, cells: [{latlng, categories}]}
  var cellsGroup = L.layerGroup();
  var cellsFailed = false;
  var inFlight = null;
  var moveTimer = null;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function filterParams() {
    var data = new FormData(form), params = new URLSearchParams();
    FILTERS.forEach(function (name) {
      var values = data.getAll(name).filter(Boolean);
      if (values.length) { params.set(name, values.join(",")); }
    });
    return params;
  }

  function showStatus(state, text, count) {
    statusElement.dataset.state = state;
    statusElement.textContent = text;
    if (count !== undefined) {
      statusElement.dataset.featureCount = String(count);
      map.getContainer().dataset.featuresDrawn = String(count);
    }
  }

  function countText(n) {
    return n === 1 ? texts.count_one : texts.count_other.replace("{n}", n.toLocaleString(config.locale));
  }

  function zoomedIn() { return map.getZoom() >= config.pointZoom; }

  function shownStatuses() {
    var shown = {};
    Object.keys(config.layers.status).forEach(function (code) {
      shown[code] = map.hasLayer(window[config.layers.status[code]]);
    });
    return shown;
  }

  // --- zoomed out: counts per cell ---------------------------------------------------------------------------------

  function tilesUrl() {
    var query = filterParams().toString();
    return config.tilesUrl + (query ? "?" + query : "");
  }

  function cellCount(cell, shown) {
    return Object.keys(cell.categories).reduce(function (sum, code) {
      return shown[code] === false ? sum : sum + Number(cell.categories[code]);
    }, 0);
  }

  function cellMarker(cell, count) {
    var size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 44 : 52;
    var disc = element("div");
    disc.appendChild(element("span", null, count.toLocaleString(config.locale)));
    var title = (count === 1 ? texts.count_one_zoom : texts.count_other_zoom)
      .replace("{n}", count.toLocaleString(config.locale));
    var marker = L.marker(cell.latlng, {icon: L.divIcon({html: disc, className: "place-cell inventory-cell",
                                                         iconSize: L.point(size, size)}),
                                        title: title, alt: title, keyboard: true});
    marker.on("click", function () { map.setView(cell.latlng, Math.min(map.getZoom() + 2, config.pointZoom)); });
    return marker;
  }

  function drawTileCells(key) {
    var entry = cellTiles[key], shown = shownStatuses();
    entry.markers.forEach(function (marker) { cellsGroup.removeLayer(marker); });
    entry.markers = [];
    entry.cells.forEach(function (cell) {
      var count = cellCount(cell, shown);
      if (count > 0) { entry.markers.push(cellMarker(cell, count).addTo(cellsGroup)); }
    });
  }

  function onTileCells(key, coords, cells) {
    var old = cellTiles[key];
    cellTiles[key] = {markers: old ? old.markers : [], zoom: coords.z, cells: cells.map(function (c) {
      return {latlng: map.unproject(L.point((coords.x + c.x) * 256, (coords.y + c.y) * 256), coords.z),
              categories: c.categories};
    })};
    drawTileCells(key);
  }

  function onTileUnload(key) {
    var entry = cellTiles[key];
    if (!entry) { return; }
    entry.markers.forEach(function (marker) { cellsGroup.removeLayer(marker); });
    delete cellTiles[key];
  }

  function showCellCount() {
    if (zoomedIn() || cellGrid.isLoading()) { return; }
    if (cellsFailed) { showStatus("error", texts.error); return; }
    var bounds = map.getBounds(), zoom = map.getZoom(), shown = shownStatuses(), total = 0;
    Object.keys(cellTiles).forEach(function (key) {
      if (cellTiles[key].zoom !== zoom) { return; }
      cellTiles[key].cells.forEach(function (cell) {
        if (bounds.contains(cell.latlng)) { total += cellCount(cell, shown); }
      });
    });
    showStatus("ready", countText(total), total);
  }

  var cellGrid = new window.placeCells.CellGrid(tilesUrl(), {
    cells: onTileCells, unload: onTileUnload, failed: function (error) {
      cellsFailed = true;
      if (window.console) { console.warn(error); }
    }
  }, {bounds: L.latLngBounds(config.bounds), maxZoom: config.pointZoom - 1});
  cellGrid.on("loading", function () { cellsFailed = false; showStatus("loading", texts.loading); });
  cellGrid.on("load", showCellCount);

  // --- zoomed in: the places in view, with popups ------------------------------------------------------------------

  function popupContent(feature) {
    var p = feature.properties;
    var root = element("div", "place-popup");
    root.appendChild(element("h2", "place-popup-title", p.title));
    var list = element("dl");
    [[null, p.category], [null, p.assessment], [null, p.status], [texts.priority, p.priority],
     [null, p.comparison ? texts.comparison[p.comparison] : null]].forEach(function (row) {
      if (row[1] === null || row[1] === undefined) { return; }
      list.appendChild(element("dt", null, row[0] || ""));
      list.appendChild(element("dd", null, row[1]));
    });
    root.appendChild(list);
    var link = element("a", "button-link", texts.open);
    link.href = p.url;
    root.appendChild(link);
    return root;
  }

  function style(feature) {
    var color = feature.properties.color;
    // fill: true, or Leaflet keeps a circle marker's own fill: false and draws a point as a hollow ring.
    return {color: feature.geometry.type === "Point" ? "#ffffff" : color, weight: 2, fill: true, fillColor: color,
            fillOpacity: 0.8, opacity: 0.95, radius: 8};
  }

  function draw(features) {
    var incoming = {};
    features.forEach(function (f) { incoming[f.id] = f; });
    Object.keys(drawn).forEach(function (id) {
      var old = drawn[id];
      if (!incoming[id] || incoming[id].properties.status_code !== old.code) {
        old.group.removeLayer(old.layer);
        delete drawn[id];
      }
    });
    features.forEach(function (feature) {
      var code = feature.properties.status_code;
      if (drawn[feature.id] || !config.layers.status[code]) { return; }
      var group = window[config.layers.status[code]];
      var layer = L.geoJSON(feature, {
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, {radius: 8}); },
        style: style,
        onEachFeature: function (f, shape) {
          shape.options.className = "inventory-place inventory-place-" + f.id;
          shape.bindTooltip(function () { return element("span", null, f.properties.title); }, {sticky: true});
          shape.bindPopup(function () { return popupContent(f); }, {maxWidth: 300});
        }
      }).addTo(group);
      drawn[feature.id] = {layer: layer, group: group, code: code};
    });
  }

  function bbox() {
    var b = map.getBounds();
    return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
  }

  async function fetchAll(signal) {
    var features = [], after = 0;
    for (;;) {
      var params = filterParams();
      params.set("bbox", bbox());
      params.set("after", String(after));
      params.set("lang", config.locale);
      var response = await fetch(config.placesUrl + "?" + params.toString(),
                                 {credentials: "same-origin", signal: signal, headers: {Accept: "application/json"}});
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      var page = await response.json();
      features = features.concat(page.features);
      if (page.next === null) { return features; }
      after = page.next;
    }
  }

  async function loadPlaces() {
    if (inFlight) { inFlight.abort(); }
    var controller = new AbortController();
    inFlight = controller;
    showStatus("loading", texts.loading);
    try {
      var features = await fetchAll(controller.signal);
      draw(features);
      var shown = shownStatuses();
      var count = features.filter(function (f) { return shown[f.properties.status_code] !== false; }).length;
      showStatus("ready", countText(count), count);
    } catch (error) {
      if (error.name === "AbortError") { return; }
      showStatus("error", texts.error);
      if (window.console) { console.warn(error); }
    } finally {
      if (inFlight === controller) { inFlight = null; }
    }
  }

  // --- switching ---------------------------------------------------------------------------------------------------

  function loadView() {
    if (zoomedIn()) {
      if (map.hasLayer(cellGrid)) { map.removeLayer(cellGrid); }
      map.removeLayer(cellsGroup);
      loadPlaces();
      return;
    }
    if (inFlight) { inFlight.abort(); }
    draw([]);
    if (!map.hasLayer(cellsGroup)) { cellsGroup.addTo(map); }
    if (!map.hasLayer(cellGrid)) { cellGrid.addTo(map); } else { showCellCount(); }
  }

  // The filters and the view (centre and zoom) in the address, so a reload or a shared link shows the same.
  function rememberView() {
    var params = filterParams(), centre = map.getCenter();
    params.set("lat", centre.lat.toFixed(5));
    params.set("lon", centre.lng.toFixed(5));
    params.set("zoom", String(map.getZoom()));
    window.history.replaceState(null, "", window.location.pathname + "?" + params.toString());
  }

  function restoreView() {
    var params = new URLSearchParams(window.location.search);
    var lat = parseFloat(params.get("lat")), lon = parseFloat(params.get("lon")), zoom = parseInt(params.get("zoom"), 10);
    if (!isFinite(lat) || !isFinite(lon) || !isFinite(zoom) || Math.abs(lat) > 85 || Math.abs(lon) > 180) { return; }
    map.setView([lat, lon], Math.min(Math.max(zoom, map.getMinZoom() || 0), map.getMaxZoom()), {animate: false});
  }

  function onFiltersChanged() {
    rememberView();
    cellGrid.setCellsUrl(tilesUrl());
    loadView();
  }

  form.addEventListener("change", onFiltersChanged);
  form.addEventListener("submit", function (event) { event.preventDefault(); onFiltersChanged(); });
  map.on("overlayadd overlayremove", function () {
    Object.keys(cellTiles).forEach(drawTileCells);
    if (zoomedIn()) { loadPlaces(); } else { showCellCount(); }
  });
  map.on("moveend", function () {
    window.clearTimeout(moveTimer);
    if (zoomedIn()) { showStatus("loading", texts.loading); }  // the places in view follow once moves settle
    moveTimer = window.setTimeout(function () { rememberView(); loadView(); showCellCount(); }, 150);
  });
  restoreView();
  loadView();
  window.inventoryMap = {map: map};  // for tests
})();
