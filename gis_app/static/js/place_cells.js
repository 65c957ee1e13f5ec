// Counts per grid cell, read from the app's vector tiles (layer "cells": the public map's /tiles/places/…, the year
// map's /tiles/inventory/…, the heat map's /outreach/tiles/…) for the page to draw as bubbles or heat. A tiny Mapbox
// Vector Tile reader: the cells are points with a whole number and a JSON text, so no library is needed (the one
// decoder for all three maps). Every text reaches the page as textContent.
(function () {
  "use strict";

  function Reader(bytes) {
    this.bytes = bytes;
    this.pos = 0;
  }

  Reader.prototype.varint = function () {
    var result = 0, factor = 1, byte;
    do {
      byte = this.bytes[this.pos++];
      result += (byte & 0x7f) * factor;  // arithmetic, not shifts: counts may pass 2^31
      factor *= 128;
    } while (byte >= 0x80);
    return result;
  };

  Reader.prototype.zigzag = function () {
    var n = this.varint();
    return n % 2 === 1 ? -(n + 1) / 2 : n / 2;
  };

  Reader.prototype.sub = function () {
    var length = this.varint();
    var reader = new Reader(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return reader;
  };

  Reader.prototype.skip = function (wire) {
    if (wire === 0) { this.varint(); } else if (wire === 1) { this.pos += 8; } else if (wire === 2) {
      this.pos += this.varint();
    } else if (wire === 5) { this.pos += 4; } else { throw new Error("unknown protobuf wire type " + wire); }
  };

  // Call visit(field, wire, reader) for each field of the message; it returns true when it read the field.
  Reader.prototype.each = function (visit) {
    while (this.pos < this.bytes.length) {
      var tag = this.varint();
      var field = Math.floor(tag / 8), wire = tag % 8;
      if (!visit(field, wire, this)) { this.skip(wire); }
    }
  };

  function packed(reader) {
    var inner = reader.sub(), values = [];
    while (inner.pos < inner.bytes.length) { values.push(inner.varint()); }
    return values;
  }

  function value(reader) {
    var result = null, view;
    reader.sub().each(function (field, wire, r) {
      if (field === 1) {
        var text = r.sub();
        result = new TextDecoder().decode(text.bytes);
      } else if (field === 2) {
        view = new DataView(r.bytes.buffer, r.bytes.byteOffset + r.pos, 4);
        result = view.getFloat32(0, true);
        r.pos += 4;
      } else if (field === 3) {
        view = new DataView(r.bytes.buffer, r.bytes.byteOffset + r.pos, 8);
        result = view.getFloat64(0, true);
        r.pos += 8;
      } else if (field === 4 || field === 5) {
        result = r.varint();
      } else if (field === 6) {
        result = r.zigzag();
      } else if (field === 7) {
        result = r.varint() === 1;
      } else {
        return false;
      }
      return true;
    });
    return result;
  }

  function firstPoint(commands) {
    // MoveTo (command 1) with one point: the cell's centre in tile coordinates.
    if (!commands.length || commands[0] % 8 !== 1) { return null; }
    var unzig = function (n) { return n % 2 === 1 ? -(n + 1) / 2 : n / 2; };
    return {x: unzig(commands[1]), y: unzig(commands[2])};
  }

  function feature(reader) {
    var tags = [], geometry = [];
    reader.sub().each(function (field, wire, r) {
      if (field === 2) { tags = packed(r); } else if (field === 4) { geometry = packed(r); } else { return false; }
      return true;
    });
    return {tags: tags, point: firstPoint(geometry)};
  }

  function layer(reader) {
    var result = {name: "", extent: 4096, keys: [], values: [], features: []};
    reader.sub().each(function (field, wire, r) {
      if (field === 1) {
        result.name = new TextDecoder().decode(r.sub().bytes);
      } else if (field === 2) {
        result.features.push(feature(r));
      } else if (field === 3) {
        result.keys.push(new TextDecoder().decode(r.sub().bytes));
      } else if (field === 4) {
        result.values.push(value(r));
      } else if (field === 5) {
        result.extent = r.varint();
      } else {
        return false;
      }
      return true;
    });
    return result;
  }

  // The cells of one tile: [{x, y (0..1 inside the tile), count, categories: {code: n}}].
  function decodeCells(buffer) {
    var cells = [];
    new Reader(new Uint8Array(buffer)).each(function (field, wire, r) {
      if (field !== 3) { return false; }
      var data = layer(r);
      if (data.name !== "cells") { return true; }
      data.features.forEach(function (f) {
        if (!f.point) { return; }
        var properties = {};
        for (var i = 0; i + 1 < f.tags.length; i += 2) { properties[data.keys[f.tags[i]]] = data.values[f.tags[i + 1]]; }
        var categories;
        try { categories = JSON.parse(properties.categories || "{}"); } catch { categories = {}; }
        cells.push({x: f.point.x / data.extent, y: f.point.y / data.extent, count: Number(properties.count) || 0,
                    categories: categories});
      });
      return true;
    });
    return cells;
  }

  // A grid layer whose tiles are empty: each tile's cells go to `onCells(key, coords, cells)` for the page to draw.
  var CellGrid = L.GridLayer.extend({
    options: {updateWhenZooming: false, noWrap: true},

    initialize: function (url, handlers, options) {
      this._cellsUrl = url;
      this._handlers = handlers;
      L.GridLayer.prototype.initialize.call(this, options);
      this.on("tileunload", function (event) { handlers.unload(this._tileCoordsToKey(event.coords)); }, this);
    },

    setCellsUrl: function (url) {
      this._cellsUrl = url;
      return this.redraw();
    },

    createTile: function (coords, done) {
      var tile = document.createElement("div");
      var key = this._tileCoordsToKey(coords);
      var url = L.Util.template(this._cellsUrl, {z: coords.z, x: coords.x, y: coords.y});
      var handlers = this._handlers;
      fetch(url, {credentials: "same-origin"}).then(function (response) {
        // A tile outside the municipality's extent is a 404: nothing to count there.
        if (response.status === 404) { return new ArrayBuffer(0); }
        if (!response.ok) { throw new Error("HTTP " + response.status + " for " + url); }
        return response.arrayBuffer();
      }).then(function (buffer) {
        handlers.cells(key, coords, decodeCells(buffer));
        done(null, tile);
      }).catch(function (error) {
        handlers.failed(error);
        done(error, tile);
      });
      return tile;
    }
  });

  window.placeCells = {decode: decodeCells, CellGrid: CellGrid};
})();
