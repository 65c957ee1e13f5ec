// The unsafe-places map. Zoomed out (below config.pointZoom) it draws the counts per grid cell from the app's
// vector tiles as bubbles (place_cells.js), so the counter is true for any number of places; zoomed in it fetches
// GeoJSON for the visible area and the chosen filters from the API and draws each place with its popup.
// User text only ever reaches the page as textContent.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("map-config").textContent);
  var texts = config.texts;
  var map = window[config.layers.map];
  var form = document.getElementById("map-filters");
  var statusElement = document.getElementById("map-status");
  var FILTERS = ["year", "category", "status", "time_of_day", "district", "light"];
  var categories = {};   // code -> {cluster, shapes}
  var drawn = {};        // feature id -> {layer, code, point, updatedAt}: kept across loads, so open popups stay
  var inFlight = null;   // AbortController of the running load
  var shownUrl = null;   // the request whose places are drawn (or being fetched)
  var moveTimer = null;
  var cellTiles = {};    // tile key -> {markers: [L.Marker], cells: [{latlng, categories}]}
  var cellGrid = null;   // the zoomed-out layer of counts
  var cellsGroup = L.layerGroup();
  var cellsFailed = false;
  var pendingOpen = null;  // a place to open once the zoomed-in load has drawn it

  function setUpLayers() {
    Object.keys(config.layers.categories).forEach(function (code) {
      var names = config.layers.categories[code];
      var cluster = window[names.cluster];
      cluster.options.iconCreateFunction = clusterIcon(names.color);
      // Lines and polygons cannot be clustered: they sit beside the cluster in the category's group.
      var shapes = L.featureGroup().addTo(window[names.group]);
      categories[code] = {cluster: cluster, shapes: shapes};
    });
    map.createPane("districts").style.zIndex = 350;  // under the places (overlayPane is 400)
  }

  function clusterIcon(color) {
    return function (cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? 30 : count < 100 ? 36 : 44;
      var disc = document.createElement("div");
      disc.style.backgroundColor = color;
      var label = document.createElement("span");
      label.textContent = String(count);
      disc.appendChild(label);
      return L.divIcon({html: disc, className: "place-cluster", iconSize: L.point(size, size)});
    };
  }

  function pointLayer(feature, latlng) {
    return L.circleMarker(latlng);
  }

  function featureStyle(feature) {
    var color = feature.properties.color;
    switch (feature.geometry.type) {
      case "Point":
        return {radius: 8, color: "#ffffff", weight: 2, opacity: 1, fillColor: color, fillOpacity: 0.95};
      case "LineString":
        return {color: color, weight: 6, opacity: 0.9};
      default:
        return {color: color, weight: 2, opacity: 0.9, fillColor: color, fillOpacity: 0.25};
    }
  }

  function prepareLayer(feature, layer) {
    // Read when the SVG path is created (on add), so each place can be found in the page by its id.
    layer.options.className = "place place-" + feature.id;
    // A function: the popup's DOM is built only when it is opened.
    layer.bindPopup(function () { return popupContent(feature); }, {maxWidth: 300});
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function addRow(list, term, value) {
    list.appendChild(element("dt", null, term));
    list.appendChild(element("dd", null, value));
  }

  function formatTime(value) {
    var date = new Date(value);
    if (isNaN(date.getTime())) { return String(value); }
    return date.toLocaleString(config.locale === "en" ? "en-GB" : "sv-SE", {dateStyle: "medium", timeStyle: "short"});
  }

  function popupContent(feature) {
    var p = feature.properties;
    var root = element("div", "place-popup");
    root.appendChild(element("h2", "place-popup-title", p.title || texts.untitled));
    var list = element("dl");
    addRow(list, texts.category, p.category_label);
    addRow(list, texts.status, p.status_label);
    if (p.reported_on) { addRow(list, texts.reported_on, p.reported_on); }
    root.appendChild(list);
    if (config.public && config.sensitiveCategories.indexOf(p.category) !== -1) {
      root.appendChild(element("p", "place-popup-generalised", texts.generalised));
    }
    root.appendChild(observationContent(p.last_observation));
    return root;
  }

  function observationContent(observation) {
    var section = element("section", "place-popup-observation");
    section.appendChild(element("h3", null, texts.last_observation));
    if (!observation) {
      section.appendChild(element("p", "muted", texts.no_observation));
      return section;
    }
    var meta = [formatTime(observation.observed_at), observation.source_label,
                texts.light[observation.light_class]].filter(Boolean).join(" · ");
    section.appendChild(element("p", "muted", meta));
    if (observation.text) { section.appendChild(element("p", "place-popup-text", observation.text)); }
    return section;
  }

  function filterParams() {
    var data = new FormData(form);
    var params = new URLSearchParams();
    FILTERS.forEach(function (name) {
      var values = data.getAll(name).filter(Boolean);
      if (values.length) { params.set(name, values.join(",")); }
    });
    return params;
  }

  function clamp(value, low, high) {
    return Math.min(Math.max(value, low), high);
  }

  function bbox() {
    // Zoomed far out the view can extend past the world's edges, which the API rightly refuses.
    var b = map.getBounds();
    return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
            clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)].map(function (v) {
      return v.toFixed(6);
    }).join(",");
  }

  function placesUrl() {
    var params = filterParams();
    params.set("bbox", bbox());
    params.set("limit", String(config.pageSize));
    params.set("lang", config.locale);
    return config.placesUrl + "?" + params.toString();
  }

  function nextUrl(links) {
    var next = (links || []).filter(function (link) { return link.rel === "next"; })[0];
    if (!next) { return null; }
    // Same origin as the page even when a proxy makes the API spell its host differently.
    var url = new URL(next.href, window.location.href);
    return url.pathname + url.search;
  }

  async function fetchJson(url, signal) {
    var response = await fetch(url, {signal: signal, headers: {Accept: "application/geo+json"}});
    if (!response.ok) { throw new Error("HTTP " + response.status + " for " + url); }
    return response.json();
  }

  async function fetchPlaces(url, signal) {
    var features = [];
    for (var page = 0; url && page < config.maxPages; page++) {
      var collection = await fetchJson(url, signal);
      features = features.concat(collection.features);
      url = nextUrl(collection.links);
    }
    return {features: features, complete: !url};
  }

  function push(lists, key, item) {
    (lists[key] = lists[key] || []).push(item);
  }

  function isStale(entry, feature) {
    return !feature || feature.properties.updated_at !== entry.updatedAt || feature.properties.category !== entry.code;
  }

  function removeStale(incoming) {
    var points = {};
    Object.keys(drawn).forEach(function (id) {
      var entry = drawn[id];
      if (!isStale(entry, incoming[id])) { return; }
      if (entry.point) {
        push(points, entry.code, entry.layer);
      } else {
        categories[entry.code].shapes.removeLayer(entry.layer);
      }
      delete drawn[id];
    });
    Object.keys(points).forEach(function (code) { categories[code].cluster.removeLayers(points[code]); });
  }

  function addNew(incoming) {
    var fresh = Object.keys(incoming).filter(function (id) { return !drawn[id]; }).map(function (id) {
      return incoming[id];
    });
    var points = {};
    L.geoJSON(fresh, {pointToLayer: pointLayer, style: featureStyle, onEachFeature: prepareLayer})
      .eachLayer(function (layer) {
        var feature = layer.feature;
        var code = feature.properties.category;
        var point = feature.geometry.type === "Point";
        drawn[feature.id] = {layer: layer, code: code, point: point, updatedAt: feature.properties.updated_at};
        if (point) {
          push(points, code, layer);
        } else {
          categories[code].shapes.addLayer(layer);
        }
      });
    // One batch per cluster: far faster than adding markers one by one.
    Object.keys(points).forEach(function (code) { categories[code].cluster.addLayers(points[code]); });
  }

  // Replace what is drawn by `features`, leaving unchanged places (and so any open popup) alone.
  function draw(features) {
    var incoming = {};
    features.forEach(function (feature) {
      // A category added after the page was built has no layer yet: it shows after a reload.
      if (categories[feature.properties.category]) { incoming[feature.id] = feature; }
    });
    removeStale(incoming);
    addNew(incoming);
    return Object.keys(incoming).length;
  }

  // The places in view as a list (title, category, status, last reviewed text): the map without the map.
  function listPlaces(features) {
    var LIST_MAX = 200;
    var list = document.getElementById("places-list");
    if (!list) { return; }
    var sorted = features.slice().sort(function (a, b) {
      return String(a.properties.title || "").localeCompare(String(b.properties.title || ""), config.locale);
    });
    var items = sorted.slice(0, LIST_MAX).map(function (feature) {
      var p = feature.properties;
      var item = element("li", "places-list-item");
      item.appendChild(element("span", "places-list-title", p.title || texts.untitled));
      item.appendChild(element("span", "places-list-meta", [p.category_label, p.status_label].join(" · ")));
      if (p.last_observation && p.last_observation.text) {
        item.appendChild(element("span", "places-list-text", p.last_observation.text));
      }
      var show = element("button", "places-list-show", texts.show_on_map);
      show.type = "button";
      show.addEventListener("click", function () { window.placesMap.openPlace(feature.id); });
      item.appendChild(show);
      return item;
    });
    if (sorted.length > LIST_MAX) {
      items.push(element("li", "muted", texts.list_capped.replace("{n}", String(LIST_MAX))));
    }
    list.replaceChildren.apply(list, items);
    document.getElementById("places-list-count").textContent = "(" + features.length + ")";
  }

  function showStatus(state, text, count) {
    statusElement.dataset.state = state;
    statusElement.textContent = text;
    if (count !== undefined) { statusElement.dataset.featureCount = String(count); }
  }

  function countText(n, complete) {
    var number = n.toLocaleString(config.locale);
    if (!complete) { return texts.count_more.replace("{n}", number); }
    return n === 1 ? texts.count_one : texts.count_other.replace("{n}", number);
  }

  function zoomedIn() {
    return map.getZoom() >= config.pointZoom;
  }

  // --- zoomed out: counts per cell from the vector tiles ---------------------------------------------------------

  function tilesUrl() {
    var query = filterParams().toString();
    return config.tilesUrl + (query ? "?" + query : "");
  }

  function visibleCategories() {
    var shown = {};
    Object.keys(config.layers.categories).forEach(function (code) {
      shown[code] = map.hasLayer(window[config.layers.categories[code].group]);
    });
    return shown;
  }

  // The places of a cell in the categories the layer control shows (unknown categories count: they are places).
  function cellCount(cell, shown) {
    return Object.keys(cell.categories).reduce(function (sum, code) {
      return shown[code] === false ? sum : sum + Number(cell.categories[code]);
    }, 0);
  }

  function cellIcon(count) {
    var size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 44 : 52;
    var disc = document.createElement("div");
    disc.appendChild(element("span", null, count.toLocaleString(config.locale)));
    return L.divIcon({html: disc, className: "place-cell", iconSize: L.point(size, size)});
  }

  function cellMarker(cell, count) {
    var title = (count === 1 ? texts.count_one_zoom : texts.count_other_zoom)
      .replace("{n}", count.toLocaleString(config.locale));
    var marker = L.marker(cell.latlng, {icon: cellIcon(count), title: title, alt: title, keyboard: true});
    marker.on("click", function () {
      map.setView(cell.latlng, Math.min(map.getZoom() + 2, config.pointZoom));
    });
    return marker;
  }

  function drawTileCells(key) {
    var entry = cellTiles[key];
    var shown = visibleCategories();
    entry.markers.forEach(function (marker) { cellsGroup.removeLayer(marker); });
    entry.markers = [];
    entry.cells.forEach(function (cell) {
      var count = cellCount(cell, shown);
      if (count > 0) { entry.markers.push(cellMarker(cell, count).addTo(cellsGroup)); }
    });
  }

  function onTileCells(key, coords, cells) {
    var size = 256;
    cellTiles[key] = {markers: (cellTiles[key] || {markers: []}).markers, zoom: coords.z, cells: cells.map(function (c) {
      var pixel = L.point((coords.x + c.x) * size, (coords.y + c.y) * size);
      return {latlng: map.unproject(pixel, coords.z), categories: c.categories};
    })};
    drawTileCells(key);
  }

  function onTileUnload(key) {
    var entry = cellTiles[key];
    if (!entry) { return; }
    entry.markers.forEach(function (marker) { cellsGroup.removeLayer(marker); });
    delete cellTiles[key];
  }

  // The places in view: the cells of the current zoom whose centre lies in the view.
  function cellsInView() {
    var bounds = map.getBounds(), zoom = map.getZoom(), shown = visibleCategories(), total = 0;
    Object.keys(cellTiles).forEach(function (key) {
      if (cellTiles[key].zoom !== zoom) { return; }
      cellTiles[key].cells.forEach(function (cell) {
        if (bounds.contains(cell.latlng)) { total += cellCount(cell, shown); }
      });
    });
    return total;
  }

  function showCellCount() {
    if (zoomedIn() || !cellGrid || cellGrid.isLoading()) { return; }
    if (cellsFailed) { showStatus("error", texts.error); return; }
    var count = cellsInView();
    showStatus("ready", countText(count, true), count);
    listZoomIn(count);
  }

  function listZoomIn(count) {
    var list = document.getElementById("places-list");
    if (!list) { return; }
    list.replaceChildren(element("li", "muted", texts.list_zoom_in));
    document.getElementById("places-list-count").textContent = "(" + count + ")";
  }

  function setUpCells() {
    cellGrid = new window.placeCells.CellGrid(tilesUrl(), {
      cells: onTileCells, unload: onTileUnload, failed: function (error) {
        cellsFailed = true;
        if (window.console) { console.warn(error); }
      }
    }, {bounds: L.latLngBounds(config.bounds), maxZoom: config.pointZoom - 1});
    cellGrid.on("loading", function () { cellsFailed = false; showStatus("loading", texts.loading); });
    cellGrid.on("load", showCellCount);
    map.on("overlayadd overlayremove", function () {
      Object.keys(cellTiles).forEach(drawTileCells);
      showCellCount();
    });
  }

  function showCells() {
    if (inFlight) { inFlight.abort(); }
    shownUrl = null;
    draw([]);  // the places of the zoomed-in view give way to the counts
    if (!map.hasLayer(cellsGroup)) { cellsGroup.addTo(map); }
    if (!map.hasLayer(cellGrid)) {
      cellGrid.addTo(map);
    } else {
      showCellCount();
    }
  }

  function hideCells() {
    if (map.hasLayer(cellGrid)) { map.removeLayer(cellGrid); }
    map.removeLayer(cellsGroup);
  }

  // Counts zoomed out, places zoomed in; `force` fetches anew even when nothing changed.
  function loadView(force) {
    if (zoomedIn()) {
      hideCells();
      loadPlaces(force);
    } else if (force === true && map.hasLayer(cellGrid)) {
      cellGrid.setCellsUrl(tilesUrl());
    } else {
      showCells();
    }
  }

  async function loadPlaces(force) {
    var url = placesUrl();
    if (url === shownUrl && force !== true) { return; }  // e.g. a resize that left the view where it was
    if (inFlight) { inFlight.abort(); }
    var controller = new AbortController();
    inFlight = controller;
    shownUrl = url;
    showStatus("loading", texts.loading);
    try {
      var result = await fetchPlaces(url, controller.signal);
      var count = draw(result.features);
      listPlaces(result.features);
      showStatus("ready", countText(count, result.complete), count);
      openPending();
    } catch (error) {
      if (error.name === "AbortError") { return; }  // a newer load replaced this one
      shownUrl = null;  // so the next move or filter change tries again
      showStatus("error", texts.error);
      if (window.console) { console.warn(error); }
    } finally {
      if (inFlight === controller) { inFlight = null; }
    }
  }

  async function loadDistricts() {
    try {
      var collection = await fetchJson(config.districtsUrl);
      L.geoJSON(collection, {
        pane: "districts", interactive: false,
        style: {color: "#3b3b3b", weight: 1.5, opacity: 0.7, dashArray: "5 4", fill: false}
      }).addTo(window[config.layers.districts]);
    } catch (error) {
      if (window.console) { console.warn(error); }  // the places matter more than the outlines
    }
  }

  function viewParams() {
    // The filters and the view (centre and zoom), so a reload, a shared link or the language switch shows the same.
    var params = filterParams();
    var centre = map.getCenter();
    params.set("lat", centre.lat.toFixed(5));
    params.set("lon", centre.lng.toFixed(5));
    params.set("zoom", String(map.getZoom()));
    return params;
  }

  function rememberFilters() {
    var params = viewParams();
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
    document.querySelectorAll("[data-lang-link]").forEach(function (link) {
      var withLang = new URLSearchParams(params);
      withLang.set("lang", link.dataset.langLink);
      link.href = window.location.pathname + "?" + withLang.toString();
    });
  }

  function onFiltersChanged(force) {
    rememberFilters();
    if (cellGrid && !zoomedIn()) { cellGrid.setCellsUrl(tilesUrl()); }
    if (zoomedIn()) { loadPlaces(force); } else { showCells(); }
  }

  function clearFilters() {
    form.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
    form.querySelectorAll("select").forEach(function (select) { select.value = ""; });
    onFiltersChanged(false);
  }

  function setUpFilterPanel() {
    var toggle = document.querySelector(".filters-toggle");
    var panel = document.getElementById("filter-panel");
    toggle.addEventListener("click", function () {
      var open = panel.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", String(open));
    });
  }

  function closeFilterPanelOnPhones() {
    // On a phone the panel covers the map: after "Show" the user wants to see the map.
    var panel = document.getElementById("filter-panel");
    if (!window.matchMedia("(max-width: 47.99em)").matches || !panel.classList.contains("is-open")) { return; }
    panel.classList.remove("is-open");
    var toggle = document.querySelector(".filters-toggle");
    toggle.setAttribute("aria-expanded", "false");
    toggle.focus();
  }

  function restoreView() {
    // The view from a shared link (lat, lon, zoom), if it is a sane one; otherwise the municipality stays fitted.
    var params = new URLSearchParams(window.location.search);
    var lat = parseFloat(params.get("lat")), lon = parseFloat(params.get("lon")), zoom = parseInt(params.get("zoom"), 10);
    if (!isFinite(lat) || !isFinite(lon) || !isFinite(zoom)) { return; }
    if (Math.abs(lat) > 85 || Math.abs(lon) > 180) { return; }
    map.setView([lat, lon], clamp(zoom, map.getMinZoom() || 0, map.getMaxZoom()), {animate: false});
  }

  function onMoveEnd() {
    // A pan often ends in several moveend events (inertia, zoom animation): load once they settle.
    window.clearTimeout(moveTimer);
    moveTimer = window.setTimeout(function () {
      rememberFilters();
      loadView(false);
      showCellCount();  // a pan within loaded tiles loads nothing new: count what is now in view
    }, 150);
  }

  function foldLegendOnPhones() {
    // The legend would cover much of a phone's map: start it folded there (its summary unfolds it).
    if (!window.matchMedia("(max-width: 47.99em)").matches) { return; }
    document.querySelectorAll(".map-legend details").forEach(function (details) { details.open = false; });
  }

  function openDrawn(id) {
    var entry = drawn[id];
    if (!entry) { return false; }
    // A point drawn on its own is on the map; one inside a cluster is not (the cluster is).
    if (entry.point && !map.hasLayer(entry.layer)) {
      categories[entry.code].cluster.zoomToShowLayer(entry.layer, function () { entry.layer.openPopup(); });
    } else {
      entry.layer.openPopup();
    }
    return true;
  }

  function openPending() {
    if (pendingOpen !== null && openDrawn(pendingOpen)) { pendingOpen = null; }
  }

  // Open one place's popup; zoomed out (or elsewhere) first go to it, at the zoom where places are drawn.
  async function openPlace(id) {
    if (openDrawn(id)) { return true; }
    var feature = await fetchJson(config.placesUrl + "/" + encodeURIComponent(id) + "?lang=" + config.locale);
    pendingOpen = id;
    var centre = L.geoJSON(feature).getBounds().getCenter();
    // At the zoom where points are no longer clustered: the popup opens without a further zoom.
    map.setView(centre, Math.max(map.getZoom(), config.openZoom), {animate: false});
    return true;
  }

  setUpLayers();
  setUpCells();
  setUpFilterPanel();
  foldLegendOnPhones();
  restoreView();
  form.addEventListener("change", function () { onFiltersChanged(false); });
  // "Show" also fetches anew when nothing changed: it is how one sees places reported meanwhile.
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    closeFilterPanelOnPhones();
    onFiltersChanged(true);
  });
  form.querySelector(".filters-clear").addEventListener("click", clearFilters);
  map.on("moveend", onMoveEnd);
  loadDistricts();
  rememberFilters();
  loadView(false);
  // For tests, deep links and the list of places.
  window.placesMap = {map: map, openPlace: openPlace};
})();
