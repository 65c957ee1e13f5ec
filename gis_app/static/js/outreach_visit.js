// Logging a police visit on a phone: places listed by distance from the officer; what is typed is kept on the
// phone (IndexedDB) while the signal is gone, and each visit is sent once when it returns. Every drafted visit has
// its own client_uuid, and the server answers a repeated one with the visit it already has, so nothing is doubled.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("visit-config").textContent);
  var texts = config.texts;
  var form = document.getElementById("visit-form");
  var message = document.getElementById("visit-message");
  var DB_NAME = "outreach-visits";
  var draftKey = config.userId + ":" + (config.planId || "");
  var state = {db: null, syncing: false, draftTimer: null};

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
  }

  function field(name) { return form.elements.namedItem(name); }

  function newUuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function say(text, kind) {
    message.hidden = !text;
    message.textContent = text || "";
    message.dataset.kind = kind || "";
  }

  // --- IndexedDB: "queue" (visits not yet accepted) and "drafts" (what is being typed) ----------------------------

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("queue", {keyPath: "uuid"});
        request.result.createObjectStore("drafts", {keyPath: "key"});
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

  function queued() {
    return store("queue", "readonly", function (s) { return s.getAll(); }).then(function (rows) {
      // Only this officer's visits: a shared phone never sends one person's visits as another's.
      return (rows || []).filter(function (row) { return row.userId === config.userId; })
        .sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : 1; });
    });
  }

  // --- the form's values ------------------------------------------------------------------------------------------

  var TEXT_FIELDS = ["client_uuid", "place", "visited_at", "contacts", "notes", "observation", "follow_up_note"];
  var FLAGS = ["police_only", "follow_up"];

  function values() {
    var result = {};
    TEXT_FIELDS.forEach(function (name) { if (field(name)) { result[name] = field(name).value; } });
    FLAGS.forEach(function (name) { if (field(name)) { result[name] = field(name).checked; } });
    return result;
  }

  function restore(saved) {
    TEXT_FIELDS.forEach(function (name) {
      if (field(name) && saved[name] !== undefined) { field(name).value = saved[name]; }
    });
    FLAGS.forEach(function (name) {
      if (field(name) && saved[name] !== undefined) { field(name).checked = saved[name]; }
    });
  }

  function text(value) { return value && value.trim() ? value.trim() : null; }

  function number(value) {
    return /^\d+$/.test(value.trim()) ? Number(value.trim()) : (value.trim() ? value.trim() : null);
  }

  function body(v) {
    return {client_uuid: v.client_uuid, place_id: number(v.place), plan_id: config.planId || null,
            visited_at: text(v.visited_at), contacts: v.contacts.trim() === "" ? 0 : number(v.contacts),
            notes: text(v.notes), observation: text(v.observation), police_only: v.police_only,
            follow_up: v.follow_up, follow_up_note: text(v.follow_up_note)};
  }

  function typed(v) {
    return Boolean(text(v.notes || "") || text(v.observation || "") || text(v.follow_up_note || "") ||
                   (v.contacts && v.contacts !== "0"));
  }

  function saveDraft() {
    window.clearTimeout(state.draftTimer);
    state.draftTimer = window.setTimeout(function () {
      store("drafts", "readwrite", function (s) { s.put({key: draftKey, values: values()}); });
    }, 300);
  }

  function localNow() {
    var now = new Date();
    now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
    return now.toISOString().slice(0, 16);
  }

  function startNext() {
    ["notes", "observation", "follow_up_note"].forEach(function (name) {
      if (field(name)) { field(name).value = ""; }
    });
    if (field("follow_up")) { field("follow_up").checked = false; }
    if (field("contacts")) { field("contacts").value = "0"; }
    field("client_uuid").value = newUuid();
    field("visited_at").value = localNow();
    return store("drafts", "readwrite", function (s) { s.delete(draftKey); });
  }

  // --- sending ----------------------------------------------------------------------------------------------------

  function csrfToken() {
    return fetch(config.csrfUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
        if (!response.ok || !json) { throw {login: true}; }
        return response.json();
      })
      .then(function (answer) { return answer.token; });
  }

  function send(item, token) {
    return fetch(config.visitsUrl, {method: "POST", credentials: "same-origin", body: JSON.stringify(item.body),
                                    headers: {"Content-Type": "application/json", Accept: "application/json",
                                              "X-CSRFToken": token}})
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          return {status: response.status, body: json};
        });
      });
  }

  function reason(answer) {
    var errors = (answer.body && answer.body.errors) || [];
    if (errors.length) {
      return errors.map(function (e) { return e.field + ": " + e.description; }).join("; ");
    }
    return (answer.body && answer.body.description) || String(answer.status);
  }

  // Returns "sent", "refused" (kept, with the reason) or throws {retry} / {login}.
  function settle(item, answer) {
    if (answer.status === 200 || answer.status === 201) {
      return store("queue", "readwrite", function (s) { s.delete(item.uuid); }).then(function () { return "sent"; });
    }
    if (answer.status === 401 || (answer.body && answer.body.code === "CSRFError")) { throw {login: true}; }
    if (answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429) {
      item.state = "failed";
      item.reason = reason(answer);
      return store("queue", "readwrite", function (s) { s.put(item); }).then(function () { return "refused"; });
    }
    throw {retry: true};
  }

  function afterUrl(item) {
    if (config.planUrl) { return config.planUrl + "?after=" + encodeURIComponent(item.body.place_id); }
    return config.placeUrl + encodeURIComponent(item.body.place_id);
  }

  function sync() {
    if (state.syncing || !navigator.onLine || !state.db) { return Promise.resolve(); }
    state.syncing = true;
    var sent = 0;
    return queued().then(function (items) {
      var pending = items.filter(function (item) { return item.state !== "failed"; });
      if (!pending.length) { return null; }
      return csrfToken().then(function (token) {
        return pending.reduce(function (chain, item) {
          return chain.then(function () {
            return send(item, token).then(function (answer) { return settle(item, answer); })
              .then(function (outcome) { if (outcome === "sent") { sent += 1; } });
          });
        }, Promise.resolve());
      });
    }).catch(function (problem) {
      if (problem && problem.login) { say(texts.login, "error"); }
    }).then(function () {
      state.syncing = false;
      if (sent) { say(texts.sent, "ok"); }
      return render();
    });
  }

  function submit(event) {
    event.preventDefault();
    if (!state.db) { form.submit(); return; }  // no IndexedDB (private mode): the plain form still works
    var option = field("place").selectedOptions[0];
    var item = {uuid: field("client_uuid").value, userId: config.userId, createdAt: new Date().toISOString(),
                state: "queued", body: body(values()),
                label: option ? option.dataset.label || option.textContent : ""};
    store("queue", "readwrite", function (s) { s.put(item); }).then(function () {
      if (!navigator.onLine) { throw {retry: true}; }
      say(texts.sending, "");
      state.syncing = true;
      return csrfToken().then(function (token) { return send(item, token); }).then(function (answer) {
        return settle(item, answer).then(function (outcome) {
          if (outcome === "sent") {
            return store("drafts", "readwrite", function (s) { s.delete(draftKey); }).then(function () {
              window.location.assign(afterUrl(item));
            });
          }
          // Refused: nothing was stored; the form still holds what was typed, to be corrected and sent again.
          return store("queue", "readwrite", function (s) { s.delete(item.uuid); }).then(function () {
            say(format(texts.failed, {reason: item.reason}), "error");
          });
        });
      });
    }).catch(function (problem) {
      if (problem && problem.login) { say(texts.login, "error"); return render(); }
      say(texts.saved, "ok");
      return startNext().then(render);
    }).then(function () { state.syncing = false; });
  }

  // --- what is waiting on the phone -------------------------------------------------------------------------------

  function render() {
    return queued().then(function (items) {
      var count = document.getElementById("visit-queue-count");
      var waiting = items.filter(function (item) { return item.state !== "failed"; }).length;
      count.dataset.count = String(waiting);
      count.hidden = !items.length;
      count.textContent = format(texts.queued, {n: waiting});
      var list = document.getElementById("visit-queue");
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "queue-item";
        li.dataset.state = item.state;
        li.dataset.uuid = item.uuid;
        li.textContent = (item.body.visited_at || "").replace("T", " ") + " " + item.label +
          (item.state === "failed" ? " – " + format(texts.failed, {reason: item.reason}) : "");
        list.appendChild(li);
      });
    });
  }

  function showNetwork() {
    var element = document.getElementById("visit-net-state");
    element.dataset.online = String(navigator.onLine);
    element.textContent = navigator.onLine ? texts.online : texts.offline;
  }

  // --- places by distance from the officer ------------------------------------------------------------------------

  function metres(a, b) {
    var rad = Math.PI / 180, dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
            Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 2 * 6371008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  function distanceText(m) {
    return m < 1000 ? format(texts.metres, {m: Math.round(m)}) : format(texts.km, {km: (m / 1000).toFixed(1)});
  }

  function byDistance(position) {
    var here = {lat: position.coords.latitude, lon: position.coords.longitude};
    var select = field("place");
    var chosen = select.value;
    var options = Array.prototype.slice.call(select.options);
    options.forEach(function (option) {
      if (!option.dataset.label) { option.dataset.label = option.textContent; }
      var lat = Number(option.dataset.lat), lon = Number(option.dataset.lon);
      option.distance = isFinite(lat) && isFinite(lon) ? metres(here, {lat: lat, lon: lon}) : Infinity;
      option.textContent = option.dataset.label +
        (option.distance < Infinity ? " – " + distanceText(option.distance) : "");
    });
    options.sort(function (a, b) { return a.distance - b.distance; })
      .forEach(function (option) { select.appendChild(option); });
    select.value = chosen;
    select.dataset.order = "distance";
    document.getElementById("place-order").hidden = false;
  }

  // --- start ------------------------------------------------------------------------------------------------------

  function start() {
    showNetwork();
    form.addEventListener("submit", submit);
    form.addEventListener("input", saveDraft);
    form.addEventListener("change", saveDraft);
    window.addEventListener("online", function () { showNetwork(); sync(); });
    window.addEventListener("offline", showNetwork);
    window.setInterval(sync, 20000);
    if (navigator.geolocation) {
      navigator.geolocation.getCurrentPosition(byDistance, function () {},
                                               {enableHighAccuracy: true, maximumAge: 30000, timeout: 20000});
    }
    if (!window.indexedDB) { return; }
    openDb().then(function (db) {
      state.db = db;
      return store("drafts", "readonly", function (s) { return s.get(draftKey); });
    }).then(function (draft) {
      if (draft && typed(draft.values) && !form.querySelector(".field-errors")) { restore(draft.values); }
      document.body.dataset.visitReady = "true";
      return render();
    }).then(sync).catch(function () { document.body.dataset.visitReady = "true"; });
  }

  start();
})();
