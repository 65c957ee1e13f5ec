// Field capture on a phone: position (with its accuracy) on a draggable pin, category, note, photos, scores.
// The finding being drafted has a UUID from the moment the form is empty; Save puts the draft into an IndexedDB
// queue under that UUID (a second tap on Save overwrites the same entry), the queue syncs whenever there is network,
// and the server answers a repeated UUID with the finding it already has, so one press of Save is one finding.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("capture-config").textContent);
  var texts = config.texts;
  var DB_NAME = "walk-capture";
  var KEEP_RECEIPTS = 50;
  var form = document.getElementById("capture-form");
  var message = document.getElementById("capture-message");
  var photoInput = document.getElementById("photo");
  var saveButton = document.getElementById("save-finding");
  var state = {fix: null, pinMoved: false, places: [], nearby: null, syncing: false, syncAgain: false, db: null,
               draftUuid: null, saving: false};
  var map, pin, circle;

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
  }

  function newUuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // --- IndexedDB: "queue" (not yet accepted by the server, with photos) and "synced" (a short receipt) -----------

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("queue", {keyPath: "uuid"});
        db.createObjectStore("synced", {keyPath: "uuid"});
        db.createObjectStore("places", {keyPath: "walkId"});
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function store(name, mode, action) {
    return new Promise(function (resolve, reject) {
      var tx = state.db.transaction(name, mode);
      var result = action(tx.objectStore(name));
      tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
      tx.onerror = function () { reject(tx.error); };
      tx.onabort = function () { reject(tx.error); };
    });
  }

  function all(name) {
    return store(name, "readonly", function (s) { return s.getAll(); }).then(function (rows) {
      // Only this user's findings on this walk: a shared phone never syncs one person's findings as another's.
      return (rows || []).filter(function (row) { return row.walkId === config.walkId && row.userId === config.userId; })
        .sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : 1; });
    });
  }

  // --- position ---------------------------------------------------------------------------------------------------

  function setUpMap() {
    map = L.map("capture-map", {zoomControl: false, attributionControl: false})
      .setView([config.meeting[1], config.meeting[0]], 17);
    L.control.scale({imperial: false, position: "bottomleft"}).addTo(map);
    if (config.tileUrl) { L.tileLayer(config.tileUrl, {maxZoom: 19}).addTo(map); }
    // The draggable pin is a keyboard-focusable button: the map's own label names it for screen readers.
    var pinName = document.getElementById("capture-map").getAttribute("aria-label");
    pin = L.marker([config.meeting[1], config.meeting[0]], {draggable: true, title: pinName, icon: L.divIcon({
      className: "capture-pin", html: "<span></span>", iconSize: [34, 34], iconAnchor: [17, 34]})}).addTo(map);
    circle = L.circle(pin.getLatLng(), {radius: 0, weight: 1, className: "capture-accuracy"}).addTo(map);
    pin.on("dragend", function () {
      state.pinMoved = true;
      showGps();
      checkNearby();
    });
  }

  function onPosition(position) {
    state.fix = {lon: position.coords.longitude, lat: position.coords.latitude,
                 accuracy: Math.round(position.coords.accuracy)};
    if (!state.pinMoved) {
      var latlng = L.latLng(state.fix.lat, state.fix.lon);
      pin.setLatLng(latlng);
      circle.setLatLng(latlng);
      circle.setRadius(state.fix.accuracy);
      map.setView(latlng, Math.max(map.getZoom(), 17));
    }
    showGps();
    checkNearby();
  }

  function showGps() {
    var element = document.getElementById("gps-state");
    if (state.pinMoved) {
      element.dataset.state = "moved";
      element.textContent = texts.pinMoved + (state.fix ? " · " + format(texts.accuracy, {m: state.fix.accuracy}) : "");
    } else if (!state.fix) {
      element.dataset.state = "none";
      element.textContent = texts.noGps;
    } else if (state.fix.accuracy > config.threshold) {
      element.dataset.state = "poor";
      element.textContent = format(texts.poorFix, {m: state.fix.accuracy});
    } else {
      element.dataset.state = "good";
      element.textContent = format(texts.accuracy, {m: state.fix.accuracy});
    }
  }

  function watchPosition() {
    if (!navigator.geolocation) { showGps(); return; }
    navigator.geolocation.watchPosition(onPosition, function () { if (!state.fix) { showGps(); } },
                                        {enableHighAccuracy: true, maximumAge: 5000, timeout: 20000});
  }

  // --- an existing place of the same category nearby ----------------------------------------------------------------

  function metres(a, b) {
    var rad = Math.PI / 180, dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
            Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  function chosenCategory() {
    var checked = form.querySelector("input[name=category]:checked");
    return checked ? checked.dataset.category : null;
  }

  function checkNearby() {
    var category = chosenCategory();
    var here = pin.getLatLng();
    var best = null;
    if (category && category !== "safe_place") {
      state.places.forEach(function (place) {
        if (place.category_code !== category) { return; }
        var distance = metres({lat: here.lat, lon: here.lng}, place);
        if (distance <= config.nearbyMetres && (!best || distance < best.distance)) {
          best = {place: place, distance: distance};
        }
      });
    }
    var changed = !state.nearby || !best || state.nearby.place.id !== best.place.id;
    state.nearby = best;
    var box = document.getElementById("nearby");
    var none = document.getElementById("nearby-none");
    box.hidden = !best;
    none.hidden = Boolean(best) || !category || category === "safe_place";
    none.textContent = format(texts.noNearby, {m: config.nearbyMetres});
    if (best) {
      document.getElementById("nearby-text").textContent =
        format(texts.nearby, {title: best.place.title, m: Math.round(best.distance)});
    }
    // Joining is the user's explicit choice: never ticked by default, and untick it when the offer changes.
    if (changed) { document.getElementById("join-place").checked = false; }
  }

  function loadPlaces() {
    return fetch(config.placesUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : Promise.reject(); })
      .then(function (body) {
        state.places = body.places;
        return store("places", "readwrite", function (s) { s.put({walkId: config.walkId, places: body.places}); });
      })
      .catch(function () {  // offline: the list from the last visit
        return store("places", "readonly", function (s) { return s.get(config.walkId); })
          .then(function (row) { state.places = row ? row.places : []; });
      });
  }

  // --- recording ------------------------------------------------------------------------------------------------------

  function scores() {
    var result = {};
    form.querySelectorAll("input[data-score]:checked").forEach(function (input) {
      result[input.dataset.score] = Number(input.value);
    });
    return result;
  }

  function say(text, kind) {
    message.textContent = text;
    message.dataset.kind = kind;
  }

  function newDraft() {
    state.draftUuid = newUuid();
  }

  function save(event) {
    event.preventDefault();
    if (state.saving) { return; }  // the draft is already on its way into the queue
    var category = chosenCategory();
    if (!category) { say(texts.chooseCategory, "error"); return; }
    var files = Array.prototype.slice.call(photoInput.files || []);
    if (files.length > config.maxPhotos) {
      say(format(texts.tooManyPhotos, {n: config.maxPhotos}), "error");
      return;
    }
    state.saving = true;
    saveButton.disabled = true;
    say(texts.saving, "busy");
    var here = pin.getLatLng();
    var safe = category === "safe_place";
    var finding = {
      client_uuid: state.draftUuid,  // the draft's, not the tap's: a repeated save is the same finding
      geometry: {type: "Point", coordinates: [Number(here.lng.toFixed(7)), Number(here.lat.toFixed(7))]},
      accuracy_m: state.fix ? state.fix.accuracy : null,  // the fix as measured, even if the pin was moved
      pin_moved: state.pinMoved,
      category: safe ? null : category,
      safe_place: safe,
      note: document.getElementById("note").value.trim() || null,
      scores: scores(),
      place_id: !safe && state.nearby && document.getElementById("join-place").checked ? state.nearby.place.id : null,
      recorded_at: new Date().toISOString()
    };
    Promise.all(files.map(shrink)).then(function (photos) {
      var item = {uuid: finding.client_uuid, walkId: config.walkId, userId: config.userId, finding: finding,
                  photos: photos,
                  createdAt: finding.recorded_at, state: "queued"};
      return store("queue", "readwrite", function (s) { s.put(item); });
    }).then(function () {
      resetForm();
      say(texts.saved, "ok");
      return render();
    }, function () {
      say(format(texts.failed, {reason: "IndexedDB"}), "error");
    }).then(function () {
      state.saving = false;
      saveButton.disabled = false;
      return sync();
    });
  }

  // A phone camera's photo can be 5–10 MB; a few of them would exceed the upload limit. Large photos are
  // scaled down on the phone first (which also drops their metadata); the server checks and strips them again.
  var MAX_SIDE = 2560, SHRINK_ABOVE_BYTES = 2500000;

  function shrink(file) {
    var original = {name: file.name || "photo.jpg", type: file.type, blob: file};
    if (file.size <= SHRINK_ABOVE_BYTES || !window.createImageBitmap) { return Promise.resolve(original); }
    return createImageBitmap(file, {imageOrientation: "from-image"}).then(function (bitmap) {
      var ratio = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * ratio);
      canvas.height = Math.round(bitmap.height * ratio);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          resolve(blob ? {name: original.name.replace(/\.\w+$/, "") + ".jpg", type: "image/jpeg", blob: blob}
                       : original);
        }, "image/jpeg", 0.85);
      });
    }).catch(function () { return original; });
  }

  function resetForm() {
    form.reset();
    newDraft();
    document.getElementById("photo-count").textContent = "";
    document.getElementById("nearby").hidden = true;
    document.getElementById("nearby-none").hidden = true;
    state.nearby = null;
    state.pinMoved = false;
    if (state.fix) {
      onPosition({coords: {longitude: state.fix.lon, latitude: state.fix.lat, accuracy: state.fix.accuracy}});
    }
  }

  // --- sync -----------------------------------------------------------------------------------------------------------

  function csrfToken() {
    return fetch(config.csrfUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
        if (!response.ok || !json) { throw {login: true}; }
        return response.json();
      })
      .then(function (body) { return body.token; });
  }

  function send(item, token) {
    var body = new FormData();
    body.append("finding", JSON.stringify(item.finding));
    item.photos.forEach(function (photo) { body.append("photo", photo.blob, photo.name); });
    return fetch(config.findingsUrl, {method: "POST", body: body, credentials: "same-origin",
                                      headers: {"X-CSRFToken": token, Accept: "application/json"}})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          return {status: response.status, body: json};
        });
      });
  }

  function settle(item, answer) {
    if (answer.status === 200 || answer.status === 201) {
      var receipt = {uuid: item.uuid, walkId: item.walkId, userId: item.userId, createdAt: item.createdAt,
                     state: "synced",
                     id: answer.body.id, category: item.finding.category, safe: item.finding.safe_place,
                     photos: item.photos.length};
      return store("synced", "readwrite", function (s) { s.put(receipt); }).then(function () {
        return store("queue", "readwrite", function (s) { s.delete(item.uuid); });
      });
    }
    if (answer.status === 401 || (answer.body && answer.body.code === "CSRFError")) { throw {login: true}; }
    if (answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429) {
      item.state = "failed";  // kept on the phone, with the reason, so nothing is lost silently
      item.reason = (answer.body && answer.body.description) || String(answer.status);
      return store("queue", "readwrite", function (s) { s.put(item); });
    }
    throw {retry: true};
  }

  function sync() {
    if (!navigator.onLine) { return Promise.resolve(); }
    if (state.syncing) {  // a finding queued during a round goes in the next one, at once
      state.syncAgain = true;
      return Promise.resolve();
    }
    state.syncing = true;
    state.syncAgain = false;
    return all("queue").then(function (items) {
      var pending = items.filter(function (item) { return item.state !== "failed"; });
      if (!pending.length) { return null; }
      return csrfToken().then(function (token) {
        return pending.reduce(function (chain, item) {
          return chain.then(function () { return send(item, token).then(function (a) { return settle(item, a); }); });
        }, Promise.resolve());
      });
    }).catch(function (problem) {
      if (problem && problem.login) { say(texts.login, "error"); }
    }).then(function () {
      state.syncing = false;
      return render();
    }).then(function () {
      if (state.syncAgain) { return sync(); }
      return null;
    });
  }

  // --- what is on the phone -------------------------------------------------------------------------------------------

  function label(item) {
    var finding = item.finding || item;
    var category = finding.safe || finding.safe_place ? texts.safePlace : null;
    if (!category) {
      var input = form.querySelector('input[data-category="' + (finding.category || "") + '"]');
      category = input ? input.nextElementSibling.textContent : (finding.category || "");
    }
    var time = new Date(item.createdAt);
    var clock = time.toLocaleTimeString(document.documentElement.lang || [], {hour: "2-digit", minute: "2-digit"});
    return clock + " " + category;
  }

  function row(item) {
    var li = document.createElement("li");
    li.className = "queue-item";
    li.dataset.state = item.state;
    li.dataset.uuid = item.uuid;
    var text = document.createElement("span");
    text.textContent = label(item);
    var badge = document.createElement("span");
    badge.className = "queue-state";
    badge.textContent = item.state === "synced" ? texts.stateSynced : item.state === "failed"
      ? format(texts.failed, {reason: item.reason}) : texts.stateQueued;
    li.appendChild(text);
    li.appendChild(badge);
    return li;
  }

  function render() {
    return Promise.all([all("queue"), all("synced")]).then(function (lists) {
      var queued = lists[0], synced = lists[1];
      if (synced.length > KEEP_RECEIPTS) {  // receipts are only for reassurance: keep the latest few
        var old = synced.splice(0, synced.length - KEEP_RECEIPTS);
        store("synced", "readwrite", function (s) { old.forEach(function (r) { s.delete(r.uuid); }); });
      }
      var list = document.getElementById("queue-list");
      list.textContent = "";
      queued.concat(synced.slice(-20).reverse()).forEach(function (item) { list.appendChild(row(item)); });
      var queueCount = document.getElementById("queue-count");
      queueCount.dataset.count = String(queued.length);
      queueCount.textContent = format(texts.queued, {n: queued.length});
      var syncedCount = document.getElementById("synced-count");
      syncedCount.dataset.count = String(synced.length);
      syncedCount.textContent = format(texts.synced, {n: synced.length});
    });
  }

  function showNetwork() {
    var element = document.getElementById("net-state");
    element.dataset.online = String(navigator.onLine);
    element.textContent = navigator.onLine ? texts.online : texts.offline;
  }

  // --- start ----------------------------------------------------------------------------------------------------------

  function start() {
    newDraft();
    setUpMap();
    watchPosition();
    showGps();
    showNetwork();
    form.addEventListener("submit", save);
    form.addEventListener("change", function (event) {
      if (event.target.name === "category") { checkNearby(); }
    });
    photoInput.addEventListener("change", function () {
      var n = photoInput.files ? photoInput.files.length : 0;
      document.getElementById("photo-count").textContent = n ? "(" + n + ")" : "";
    });
    window.addEventListener("online", function () { showNetwork(); sync(); });
    window.addEventListener("offline", showNetwork);
    window.setInterval(sync, 20000);
    var pageKept = keepForOffline();
    var ready = openDb().then(function (db) {
      state.db = db;
      document.body.dataset.captureReady = "true";
      return Promise.all([loadPlaces(), render()]);
    });
    ready.then(sync);
    // Ready offline: the page is in the worker's cache and the walk's places are on the phone.
    Promise.all([pageKept, ready]).then(function (results) { showOfflineReady(results[0]); });
  }

  // The first visit is loaded before the service worker controls the page: ask it to keep a copy of this page
  // now, so that an offline reload works after one visit. Resolves true once the page is in its cache.
  function keepForOffline() {
    if (!("serviceWorker" in navigator)) { return Promise.resolve(false); }
    return navigator.serviceWorker.register(config.swUrl, {scope: config.swScope})
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        return new Promise(function (resolve) {
          var channel = new MessageChannel();
          channel.port1.onmessage = function (event) { resolve(Boolean(event.data && event.data.cached)); };
          registration.active.postMessage({type: "cache-page", path: location.pathname}, [channel.port2]);
        });
      })
      .catch(function () { return false; });
  }

  function showOfflineReady(kept) {
    var pill = document.getElementById("offline-state");
    pill.hidden = !kept;
    pill.textContent = texts.offlineReady;
    document.body.dataset.offlineReady = String(kept);
  }

  start();
})();
