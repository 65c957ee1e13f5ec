"""The demo address register of central Östersund: invented positions along real street names, marked as demo data.

`python -m gis_app.citizens.demo > data/demo_adressregister_ostersund_centrum.csv` writes the file shipped in data/.
"""

import csv
import math
import sys
from pathlib import Path

from sqlalchemy import func, select

from gis_app.citizens.importer import GazetteerImport, import_gazetteer
from gis_app.citizens.models import GazetteerEntry
from gis_app.extensions import db

DATASET = "demo-ostersund-centrum"
DEMO_FILE = Path(__file__).resolve().parents[2] / "data" / "demo_adressregister_ostersund_centrum.csv"
STORTORGET = (14.6372, 63.1767)
BEARING = math.radians(20)  # the town grid runs north-north-east along Storsjön
METRES_PER_DEGREE_LAT = 111_320
# Streets along the lake (offset east of Stortorget in metres, house numbers) and across it (offset north).
ALONG = [
    ("Strandgatan", -260, 30, "831 30"),
    ("Storgatan", -130, 60, "831 30"),
    ("Prästgatan", 0, 70, "831 31"),
    ("Kyrkgatan", 130, 60, "831 31"),
    ("Rådhusgatan", 260, 60, "831 34"),
    ("Fritzhemsgatan", 390, 40, "831 34"),
]
ACROSS = [
    ("Hamngatan", -300, 20, "831 30"),
    ("Postgränd", -100, 12, "831 30"),
    ("Samuel Permans gata", 120, 20, "831 31"),
    ("Biblioteksgatan", 300, 20, "831 35"),
    ("Tullgatan", 480, 16, "831 35"),
    ("Gränsgatan", -480, 16, "831 32"),
]
PLACE_NAMES = [
    ("Stortorget", 0, 0),
    ("Gustav III:s torg", 230, 120),
    ("Badhusparken", -330, -60),
    ("Rådhuset", 200, 200),
    ("Östersunds centralstation", -180, -420),
    ("Stadsbiblioteket", 300, 380),
    ("Sjötorget", -300, -250),
    ("Storsjöteatern", 180, -80),
    ("Kyrkparken", 150, 300),
]
LOCALITIES = [
    ("Frösön", 14.5620, 63.1830),
    ("Brunflo", 14.8240, 63.0760),
    ("Lit", 14.8480, 63.3140),
    ("Odensala", 14.6700, 63.1600),
]


def _position(east: float, north: float) -> tuple[float, float]:
    """Metres east/north of Stortorget in the rotated town grid, as lon/lat."""
    x = east * math.cos(BEARING) + north * math.sin(BEARING)
    y = -east * math.sin(BEARING) + north * math.cos(BEARING)
    lat = STORTORGET[1] + y / METRES_PER_DEGREE_LAT
    lon = STORTORGET[0] + x / (METRES_PER_DEGREE_LAT * math.cos(math.radians(STORTORGET[1])))
    return round(lon, 6), round(lat, 6)


def rows() -> list[dict]:
    """Every row of the demo register, in a fixed order."""
    out = []
    for street, east, count, postcode in ALONG:
        for number in range(1, count + 1):
            side = 8 if number % 2 else -8  # odd numbers on one side of the street, even on the other
            out.append(
                (
                    "address",
                    "",
                    street,
                    str(number),
                    postcode,
                    "Östersund",
                    *_position(east + side, -300 + (number // 2) * 20),
                )
            )
    for street, north, count, postcode in ACROSS:
        for number in range(1, count + 1):
            side = 8 if number % 2 else -8
            out.append(
                (
                    "address",
                    "",
                    street,
                    str(number),
                    postcode,
                    "Östersund",
                    *_position(-300 + (number // 2) * 40, north + side),
                )
            )
    out += [("place_name", name, "", "", "", "Östersund", *_position(east, north)) for name, east, north in PLACE_NAMES]
    out += [("locality", name, "", "", "", "", lon, lat) for name, lon, lat in LOCALITIES]
    keys = ("kind", "name", "street", "number", "postcode", "locality", "lon", "lat")
    return [dict(zip(keys, row, strict=True)) for row in out]


def write_csv(stream) -> None:
    writer = csv.DictWriter(stream, fieldnames=list(rows()[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows())


def has_entries() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(GazetteerEntry)))


def load() -> GazetteerImport:
    """Import the shipped demo register as the dataset 'demo-ostersund-centrum' (search results say 'demo')."""
    return import_gazetteer(DEMO_FILE, DATASET)


if __name__ == "__main__":
    write_csv(sys.stdout)
