// The remediation list's export: fetch the file as a stream, show the bytes received, then save it.
// Without JavaScript the form is a plain GET and the browser downloads the file itself.
(function () {
  "use strict";

  var form = document.getElementById("export-form");
  if (!form || !window.fetch || !window.ReadableStream) { return; }
  var texts = JSON.parse(document.getElementById("export-config").textContent).texts;
  var status = document.getElementById("export-progress");
  var bar = document.getElementById("export-bar");
  var button = form.querySelector("button[type=submit]");

  function show(text, state) {
    status.hidden = false;
    status.textContent = text;
    status.dataset.state = state;
  }

  function fill(template, values) {
    return Object.keys(values).reduce(function (text, key) {
      return text.replace("{" + key + "}", String(values[key]));
    }, template);
  }

  function filename(response) {
    var match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    return match ? match[1] : "export";
  }

  function save(blob, name) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    link.dataset.exportLink = "";
    document.body.appendChild(link);
    link.click();
    window.setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 60000);
  }

  async function download(url) {
    // Spreadsheets and GeoPackages are built whole before the first byte: count the seconds meanwhile.
    var started = Date.now();
    var total = (document.getElementById("remediation-total") || {dataset: {}}).dataset.total || "?";
    var timer = window.setInterval(function () {
      show(fill(texts.preparing, {rows: total, s: Math.round((Date.now() - started) / 1000)}), "loading");
    }, 1000);
    var response;
    try {
      response = await fetch(url, {credentials: "same-origin"});
    } finally {
      window.clearInterval(timer);
    }
    if (!response.ok) { throw new Error("HTTP " + response.status); }
    var rows = response.headers.get("X-Export-Rows") || "?";
    var reader = response.body.getReader();
    var parts = [], received = 0;
    bar.hidden = false;
    bar.removeAttribute("value");  // the size is not known in advance: an indeterminate bar
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) { break; }
      parts.push(chunk.value);
      received += chunk.value.length;
      status.dataset.bytes = String(received);
      show(fill(texts.progress, {kb: Math.round(received / 1024), rows: rows}), "loading");
    }
    var name = filename(response);
    save(new Blob(parts, {type: response.headers.get("Content-Type") || "application/octet-stream"}), name);
    bar.value = 100;
    show(fill(texts.done, {file: name, kb: Math.round(received / 1024), rows: rows}), "done");
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    var url = form.action + "?" + new URLSearchParams(new FormData(form)).toString();
    button.disabled = true;
    show(texts.starting, "loading");
    try {
      await download(url);
    } catch (error) {
      show(texts.error, "error");
      if (window.console) { console.warn(error); }
    } finally {
      button.disabled = false;
    }
  });
})();
