// Planning a walk: a click on the map sets the meeting point's latitude and longitude fields; choosing a district
// centres the map on it.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("walk-new-config").textContent);
  var lat = document.getElementById("meeting_lat");
  var lon = document.getElementById("meeting_lon");
  var district = document.getElementById("district_id");
  var b = config.bounds;
  var map = L.map("pick-map").fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  L.control.scale({imperial: false}).addTo(map);
  if (config.tileUrl) { L.tileLayer(config.tileUrl, {maxZoom: 19}).addTo(map); }
  var marker = null;

  function place(latlng) {
    if (marker) { marker.setLatLng(latlng); } else { marker = L.circleMarker(latlng, {radius: 9}).addTo(map); }
  }

  function centreOnDistrict() {
    var box = district && config.districtBounds[district.value];
    if (!box) { return; }
    map.fitBounds([[box[1], box[0]], [box[3], box[2]]], {animate: false});
    document.body.dataset.mapDistrict = district.value;
  }

  if (lat.value && lon.value) {
    place([Number(lat.value), Number(lon.value)]);
    map.setView([Number(lat.value), Number(lon.value)], 15, {animate: false});
  } else {
    centreOnDistrict();
  }
  if (district) { district.addEventListener("change", centreOnDistrict); }
  map.on("click", function (event) {
    lat.value = event.latlng.lat.toFixed(6);
    lon.value = event.latlng.lng.toFixed(6);
    place(event.latlng);
  });
})();
