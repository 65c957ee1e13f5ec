"""Generate a reproducible demo data set: unsafe places and observations around real spots in Östersund municipality.

The definition (anchor spots, Swedish texts, weights) is data/demo_places.json; this module only draws from it with
one `random.Random(seed)`, so the same seed always gives the same rows.
"""

from __future__ import annotations

import json
import math
import random
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from shapely.geometry import LineString, Point, Polygon
from sqlalchemy import func, select

from gis_app.core.clock import local_zone
from gis_app.extensions import db
from gis_app.places.importer import NewPlace, write_places
from gis_app.places.models import Place, Source
from gis_app.settings import PROJECT_DIR

DEFINITION_FILE = PROJECT_DIR / "data" / "demo_places.json"
DEFAULT_SEED = 2380  # Östersund's municipality code
DEFAULT_COUNT = 300
METRES_PER_DEGREE_LAT = 111_320.0
NEAR_METRES = 100  # closer than this to the anchor the title says "vid", else a compass direction
# Compass sectors clockwise from north, as a title says where a place lies from its anchor.
DIRECTIONS = ("norr om", "nordost om", "öster om", "sydost om", "söder om", "sydväst om", "väster om", "nordväst om")
HOURS = {"day": range(9, 17), "evening": range(17, 23), "night": (22, 23, 0, 1, 2, 3)}


@lru_cache(maxsize=1)
def load_definition() -> dict:
    """Read data/demo_places.json once."""
    return json.loads(DEFINITION_FILE.read_text(encoding="utf-8"))


# The ways places are reported that need no record of their own; citizens' reports and night walks come with
# their features' own demo rows (an observation "from a night walk" needs a walk).
DEMO_SOURCES = ("citizen_dialogue", "safety_walk", "est_report", "safety_survey", "police", "municipal_staff")


def place_count() -> int:
    """Count the places."""
    return db.session.scalar(select(func.count()).select_from(Place))


def load(seed: int = DEFAULT_SEED, count: int = DEFAULT_COUNT) -> tuple[int, int]:
    """Generate the demo places and write them in one transaction; return (places, observations)."""
    sources = list(
        db.session.scalars(
            select(Source.code).where(Source.code.in_(DEMO_SOURCES)).order_by(Source.sort_order, Source.code)
        )
    )
    return write_places(generate(seed, count, sources))


def generate(seed: int, count: int, sources: list[str]) -> list[NewPlace]:
    """Draw `count` places with their observations; pure, so the same arguments give the same list."""
    rng = random.Random(seed)
    definition = load_definition()
    return [_place(rng, definition, sources) for _ in range(count)]


def _pick(rng: random.Random, weights: dict):
    """Draw a key of `weights` (in file order, so the draw is reproducible)."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# --- geometry: metres east/north of an anchor on a local flat approximation (fine within a few hundred metres) -------


def _lonlat(anchor: dict, east: float, north: float) -> tuple[float, float]:
    lon = anchor["lon"] + east / (METRES_PER_DEGREE_LAT * math.cos(math.radians(anchor["lat"])))
    lat = anchor["lat"] + north / METRES_PER_DEGREE_LAT
    return round(lon, 7), round(lat, 7)


def _offset_in_disc(rng: random.Random, radius: float) -> tuple[float, float]:
    distance, angle = radius * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    return distance * math.sin(angle), distance * math.cos(angle)


def _point(rng, anchor, east, north) -> Point:
    return Point(_lonlat(anchor, east, north))


def _line(rng, anchor, east, north) -> LineString:
    """A path of 100–400 m in 3–6 legs that turns a little at each bend."""
    length, legs = rng.uniform(100, 400), rng.randint(3, 6)
    heading, vertices = rng.uniform(0, 2 * math.pi), [(east, north)]
    for _ in range(legs):
        heading += rng.uniform(-0.5, 0.5)
        east, north = east + length / legs * math.sin(heading), north + length / legs * math.cos(heading)
        vertices.append((east, north))
    return LineString([_lonlat(anchor, e, n) for e, n in vertices])


def _polygon(rng, anchor, east, north) -> Polygon:
    """A park or square: 5–8 corners at sorted angles around a centre, so the ring never crosses itself."""
    angles = sorted(rng.uniform(0, 2 * math.pi) for _ in range(rng.randint(5, 8)))
    ring = [(east + r * math.sin(a), north + r * math.cos(a)) for a, r in ((a, rng.uniform(30, 90)) for a in angles)]
    return Polygon([_lonlat(anchor, e, n) for e, n in ring])


SHAPES = {"Point": _point, "LineString": _line, "Polygon": _polygon}


def _geometry(rng, anchor: dict, kind: str) -> tuple[object, float, float]:
    """Draw a valid geometry of `kind` near the anchor; return it and its offset in metres."""
    # Lines and polygons reach out from their start, so they start closer to the anchor.
    reach = anchor["radius_m"] if kind == "Point" else anchor["radius_m"] * 0.5
    while True:
        east, north = _offset_in_disc(rng, reach)
        geom = SHAPES[kind](rng, anchor, east, north)
        if geom.is_valid:
            return geom, east, north


# --- attributes -----------------------------------------------------------------------------------------------------


def _title(rng, definition, kind: str, category: str, anchor: dict, east: float, north: float) -> str:
    phrase = rng.choice(definition["titles"][kind][category])
    if math.hypot(east, north) < NEAR_METRES:
        return f"{phrase} vid {anchor['name']}"
    sector = round(math.degrees(math.atan2(east, north)) % 360 / 45) % 8
    return f"{phrase} {DIRECTIONS[sector]} {anchor['name']}"


def _status(rng, definition, reported_on: date, end: date) -> str:
    age = (end - reported_on).days
    band = next(band for band in definition["status_weights_by_age"] if age >= band["min_days"])
    return _pick(rng, band["weights"])


def _observed_at(rng, day: date, time_of_day: str) -> datetime:
    hour = rng.choice(list(HOURS[time_of_day]))
    when = datetime.combine(day, time(hour, rng.randrange(0, 60, 5)), local_zone())
    return when + timedelta(days=1) if hour < 6 else when  # a night visit after midnight falls on the next day


def _observations(rng, definition, place: dict, geom, sources: list[str], end: date) -> list[dict]:
    count = int(_pick(rng, definition["observation_count_weights"]))
    days = [place["reported_on"]] + sorted(
        min(place["reported_on"] + timedelta(days=rng.randint(1, 240)), end) for _ in range(count - 1)
    )
    texts = definition["observation_texts"][place["category_code"]] + definition["observation_texts"]["any"]
    source_weights = {code: definition["source_weights"].get(code, 1) for code in sources}
    # Most texts have been reviewed by staff; the rest wait, and the public does not see them yet.
    return [
        {
            "source_code": _pick(rng, source_weights),
            "text": rng.choice(texts),
            "observed_at": _observed_at(rng, day, place["time_of_day"]),
            "geom": _near(rng, geom),
            "reviewed": rng.random() < 0.85,
        }
        for day in days
    ]


def _near(rng, geom) -> Point:
    """A point where someone stood when reporting: on or beside the place, within about 20 m."""
    base = (
        geom.interpolate(rng.random(), normalized=True)
        if geom.geom_type == "LineString"
        else geom.representative_point()
    )
    anchor = {"lon": base.x, "lat": base.y}
    return Point(_lonlat(anchor, rng.uniform(-15, 15), rng.uniform(-15, 15)))


def _place(rng: random.Random, definition: dict, sources: list[str]) -> NewPlace:
    start, end = (date.fromisoformat(definition["period"][key]) for key in ("start", "end"))
    anchor = rng.choices(definition["anchors"], weights=[a["weight"] for a in definition["anchors"]])[0]
    kind = _pick(rng, definition["geometry_weights"])
    category = _pick(rng, definition["category_weights"][kind])
    geom, east, north = _geometry(rng, anchor, kind)
    reported_on = start + timedelta(days=rng.randrange((end - start).days + 1))
    status = _status(rng, definition, reported_on, end)
    values = {
        "title": _title(rng, definition, kind, category, anchor, east, north),
        "description": rng.choice(definition["descriptions"][category]) if rng.random() < 0.8 else None,
        "category_code": category,
        "status_code": status,
        "dismissed_reason": rng.choice(definition["dismissed_reasons"]) if status == "dismissed" else None,
        "time_of_day": _pick(rng, definition["time_of_day_weights"]),
        "affected_group": _pick(rng, definition["affected_group_weights"]),
        "priority": int(_pick(rng, definition["priority_weights"])),
        "reported_on": reported_on,
    }
    return NewPlace(values, geom, _observations(rng, definition, values, geom, sources, end))
