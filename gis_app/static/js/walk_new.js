// Planning a walk: a click on the map sets the meeting point's latitude and longitude fields.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("walk-new-config").textContent);
  var lat = document.getElementById("meeting_lat");
  var lon = document.getElementById("meeting_lon");
  var b = config.bounds;
  var map = L.map("pick-map").fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  if (config.tileUrl) { L.tileLayer(config.tileUrl, {maxZoom: 19}).addTo(map); }
  var marker = null;

  function place(latlng) {
    if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, {radius: 9}).addTo(map); }
  }

  if (lat.value && lon.value) { place([Number(lat.value), Number(lon.value)]); }
  map.on("click", function (event) {
    lat.value = event.latlng.lat.toFixed(6);
    lon.value = event.latlng.lng.toFixed(6);
    place(event.latlng);
  });
})();
