"""GeoJSON (RFC 7946: always WGS 84 longitude/latitude), written feature by feature."""

import json

from gis_app.exports.base import WGS84, Exporter, register

FEATURES_PER_CHUNK = 500


@register
class GeoJsonExporter(Exporter):
    name = "geojson"
    label = "GeoJSON"
    extension = "geojson"
    media_type = "application/geo+json"
    geometry_format = "geojson"
    default_srid = WGS84
    allowed_srids = (WGS84,)

    def chunks(self, rows, columns, options):
        yield b'{"type": "FeatureCollection", "features": [\n'
        parts, separator = [], ""
        for count, row in enumerate(rows, 1):
            properties = {column.key: _value(row.get(column.key)) for column in columns}
            parts.append(
                f'{separator}{{"type": "Feature", "geometry": {row.get("geometry") or "null"}, '
                f'"properties": {json.dumps(properties, ensure_ascii=False)}}}'
            )
            separator = ",\n"
            if count % FEATURES_PER_CHUNK == 0:
                yield "".join(parts).encode("utf-8")
                parts = []
        parts.append("\n]}\n")
        yield "".join(parts).encode("utf-8")


def _value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value
