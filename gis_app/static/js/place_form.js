// Place pages: the click-to-place map of the place form, and confirmation before destructive buttons.
// Nothing typed by users is ever written into the page as HTML.
(function () {
  "use strict";

  var POINT_STYLE = {radius: 9, color: "#ffffff", weight: 2, fillColor: "#1f3a93", fillOpacity: 0.95};
  var SHAPE_STYLE = {color: "#1f3a93", weight: 4, fillOpacity: 0.2};

  function confirmBeforeSubmit() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  }

  function number(input) {
    // Phones in Swedish type a decimal comma.
    var value = parseFloat(String(input.value).trim().replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function setUpMap(config) {
    var lon = document.getElementById("lon");
    var lat = document.getElementById("lat");
    var geojson = document.getElementById("geojson");
    var b = config.bounds;  // west, south, east, north
    var map = L.map("place-form-map", {scrollWheelZoom: false}).fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, {attribution: config.attribution, maxZoom: 19}).addTo(map);
    }
    var marker = null;
    var shape = null;

    function showPoint(latlng, zoom) {
      if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, POINT_STYLE).addTo(map); }
      if (zoom) { map.setView(latlng, Math.max(map.getZoom(), 16)); }
    }

    function fromInputs(zoom) {
      var x = number(lon), y = number(lat);
      if (x !== null && y !== null && Math.abs(x) <= 180 && Math.abs(y) <= 90) { showPoint(L.latLng(y, x), zoom); }
    }

    function showShape() {
      if (shape) { map.removeLayer(shape); shape = null; }
      var text = geojson.value.trim();
      if (!text) { return; }
      try {
        shape = L.geoJSON(JSON.parse(text), {style: SHAPE_STYLE}).addTo(map);
        map.fitBounds(shape.getBounds(), {maxZoom: 17});
      } catch {
        shape = null;  // not GeoJSON (yet): the server says what is wrong when the form is sent
      }
    }

    function choose(latlng) {
      lon.value = latlng.lng.toFixed(6);
      lat.value = latlng.lat.toFixed(6);
      showPoint(latlng, false);
    }

    map.on("click", function (event) { choose(event.latlng); });
    lon.addEventListener("change", function () { fromInputs(true); });
    lat.addEventListener("change", function () { fromInputs(true); });
    geojson.addEventListener("change", showShape);
    setUpLocate(config, function (latlng) { choose(latlng); map.setView(latlng, 17); });
    fromInputs(true);
    showShape();
    return map;
  }

  function setUpLocate(config, found) {
    var button = document.getElementById("locate-me");
    if (!button) { return; }
    if (!navigator.geolocation) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        found(L.latLng(position.coords.latitude, position.coords.longitude));
      }, function () {
        var status = document.getElementById("locate-status");
        if (status) { status.textContent = config.texts.locate_failed; }
      }, {enableHighAccuracy: true, timeout: 15000});
    });
  }

  confirmBeforeSubmit();
  var configElement = document.getElementById("place-form-config");
  if (configElement && window.L) {
    window.placeForm = {map: setUpMap(JSON.parse(configElement.textContent))};
  }
})();
