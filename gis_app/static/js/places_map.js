// The unsafe-places map: fetches GeoJSON for the visible area and the chosen filters from the API
// and draws it into the layers folium created. User text only ever reaches the page as textContent.
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
    if (!complete) { return texts.capped.replace("{n}", number); }
    return n === 1 ? texts.count_one : texts.count_other.replace("{n}", number);
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

  function rememberFilters() {
    // Keep the filters in the address, so a reload, a bookmark or the language switch keeps them.
    var params = filterParams();
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
    loadPlaces(force);
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

  function onMoveEnd() {
    // A pan often ends in several moveend events (inertia, zoom animation): load once they settle.
    window.clearTimeout(moveTimer);
    moveTimer = window.setTimeout(function () { loadPlaces(false); }, 150);
  }

  function foldLegendOnPhones() {
    // The legend would cover much of a phone's map: start it folded there (its summary unfolds it).
    if (!window.matchMedia("(max-width: 47.99em)").matches) { return; }
    document.querySelectorAll(".map-legend details").forEach(function (details) { details.open = false; });
  }

  setUpLayers();
  setUpFilterPanel();
  foldLegendOnPhones();
  form.addEventListener("change", function () { onFiltersChanged(false); });
  // "Show" also fetches anew when nothing changed: it is how one sees places reported meanwhile.
  form.addEventListener("submit", function (event) { event.preventDefault(); onFiltersChanged(true); });
  form.querySelector(".filters-clear").addEventListener("click", clearFilters);
  map.on("moveend", onMoveEnd);
  loadDistricts();
  loadPlaces(false);
  // For tests and deep links: open one place's popup, zooming past its cluster first.
  window.placesMap = {
    map: map,
    openPlace: function (id) {
      var entry = drawn[id];
      if (!entry) { return false; }
      if (entry.point) {
        categories[entry.code].cluster.zoomToShowLayer(entry.layer, function () { entry.layer.openPopup(); });
      } else {
        entry.layer.openPopup();
      }
      return true;
    }
  };
})();
