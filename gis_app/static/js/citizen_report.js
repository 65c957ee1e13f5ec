// The citizen's report form: search an address (the municipality's own register), tap the map or use the
// phone's position to set the pin, and the self-hosted proof-of-work widget. Results are built with textContent.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("report-config").textContent);
  var texts = config.texts;
  var lon = document.getElementById("lon");
  var lat = document.getElementById("lat");
  var address = document.getElementById("address");
  var pinStatus = document.getElementById("pin-status");
  var PIN_STYLE = {radius: 10, color: "#ffffff", weight: 3, fillColor: "#b00020", fillOpacity: 1};
  var map = null;
  var marker = null;
  var searchTimer = null;
  var searchController = null;

  function showPin(latlng, zoom) {
    if (!map) { return; }
    if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, PIN_STYLE).addTo(map); }
    if (zoom) { map.setView(latlng, Math.max(map.getZoom(), 17)); }
  }

  function setPin(latlng, label, zoom) {
    lon.value = latlng.lng.toFixed(6);
    lat.value = latlng.lat.toFixed(6);
    address.value = label || "";
    pinStatus.textContent = texts.pin_chosen.replace("{label}", label || texts.pin_map);
    showPin(latlng, zoom);
    document.body.dataset.pinSet = "true";
  }

  function setUpMap() {
    var element = document.getElementById("report-map");
    if (!element || !window.L) { return; }
    var b = config.bounds;  // west, south, east, north
    map = L.map(element, {scrollWheelZoom: false}).fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, {attribution: config.attribution, maxZoom: 19}).addTo(map);
    }
    map.on("click", function (event) { setPin(event.latlng, "", false); });
    var x = parseFloat(lon.value), y = parseFloat(lat.value);
    if (isFinite(x) && isFinite(y)) { showPin(L.latLng(y, x), true); }
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function resultButton(result) {
    var item = element("li");
    var button = element("button", "search-result");
    button.type = "button";
    button.appendChild(element("span", null, result.label));
    if (result.demo) { button.appendChild(element("span", "badge badge-demo", texts.demo)); }
    button.addEventListener("click", function () {
      stopSearching();  // a search still waiting to run would bring the list back
      setPin(L.latLng(result.lat, result.lon), result.label, true);
      document.getElementById("search-results").replaceChildren();
      document.getElementById("search-status").textContent = "";
      pinStatus.focus();
    });
    item.appendChild(button);
    return item;
  }

  function showResults(results) {
    var list = document.getElementById("search-results");
    list.replaceChildren.apply(list, results.map(resultButton));
    var status = document.getElementById("search-status");
    if (!results.length) { status.textContent = texts.no_results; return; }
    status.textContent = results.length === 1 ? texts.results_one : texts.results_other.replace("{n}", results.length);
  }

  function stopSearching() {
    window.clearTimeout(searchTimer);
    if (searchController) { searchController.abort(); }
  }

  async function search(query) {
    if (searchController) { searchController.abort(); }
    searchController = new AbortController();
    try {
      var response = await fetch(config.searchUrl + "?q=" + encodeURIComponent(query),
                                 {signal: searchController.signal, headers: {Accept: "application/json"}});
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      showResults((await response.json()).results);
    } catch (error) {
      if (error.name === "AbortError") { return; }
      document.getElementById("search-status").textContent = texts.search_failed;
    }
  }

  function setUpSearch() {
    var input = document.getElementById("place-search");
    var run = function () {
      window.clearTimeout(searchTimer);
      if (input.value.trim().length >= 2) { search(input.value.trim()); }
    };
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); run(); }  // Enter searches; it does not send the form
    });
    input.addEventListener("input", function () {
      window.clearTimeout(searchTimer);
      searchTimer = window.setTimeout(run, 300);
    });
    document.getElementById("search-button").addEventListener("click", run);
  }

  function setUpLocate() {
    var button = document.getElementById("locate-me");
    if (!navigator.geolocation) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        setPin(L.latLng(position.coords.latitude, position.coords.longitude), texts.pin_position, true);
      }, function () {
        pinStatus.textContent = texts.locate_failed;
      }, {enableHighAccuracy: true, timeout: 15000});
    });
  }

  function setUpProofOfWork() {
    // The widget's "external" build bundles no worker (so no blob: script): it gets the app's own copy.
    var register = function () {
      window.$altcha.algorithms.set("SHA-256", function () { return new Worker(config.shaWorker); });
    };
    if (window.$altcha) { register(); } else { customElements.whenDefined("altcha-widget").then(register); }
  }

  pinStatus.tabIndex = -1;
  setUpProofOfWork();
  setUpMap();
  setUpSearch();
  setUpLocate();
  var summary = document.getElementById("form-errors");
  if (summary) { summary.focus(); }
  document.body.dataset.reportReady = "true";
})();
