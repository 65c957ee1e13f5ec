"""A small, invented path network and lamp register for central Östersund, so the gap analysis shows after `make run`.

Not real data: every path and lamp says DEMO in its name and data set, and the pages show the data set's name.
"""

import math

from flask_babel import gettext as _
from geoalchemy2.shape import from_shape
from shapely.geometry import LineString, Point
from sqlalchemy import func, select

from gis_app.extensions import db
from gis_app.lighting.importer import write_lamps, write_paths
from gis_app.lighting.models import Lamp, PathSegment
from gis_app.lighting.service import analyse_gaps

ORIGIN = (14.6372, 63.1767)  # Stortorget
LAMP_DATASET = "DEMO – påhittat lampregister, centrala Östersund"
PATH_DATASET = "DEMO – påhittat gång- och cykelvägnät, centrala Östersund"
LAMP_SPACING = 30.0  # metres
LAMP_OFFSET = 3.0  # metres beside the path
# name, kind, vertices in metres east/north of Stortorget, stretches without lamps (metres along), broken lamps
PATHS = (
    ("DEMO Gångväg Stortorget–Badhusparken", "gångväg", ((0, 0), (-300, -40), (-600, -100)), ((180, 330),), (2,)),
    ("DEMO Cykelväg Prästgatan", "cykelväg", ((100, -400), (100, 500)), ((520, 640),), ()),
    ("DEMO Gångväg Vallaparken", "gångväg", ((-300, 300), (-100, 600), (200, 700)), ((0, 120),), (5, 6)),
    ("DEMO Strandpromenaden", "gångväg", ((-700, -500), (-650, 0), (-600, 500)), ((700, 1010),), ()),
    ("DEMO GC-väg Rådhusgatan", "gång- och cykelväg", ((-400, 100), (400, 150)), (), (12,)),
    ("DEMO Gångväg Färjemansgatan", "gångväg", ((300, -300), (600, -250)), ((40, 310),), ()),
)
METRES_PER_DEGREE = 111_320.0


def _lonlat(east: float, north: float) -> tuple[float, float]:
    lon0, lat0 = ORIGIN
    return (lon0 + east / (METRES_PER_DEGREE * math.cos(math.radians(lat0))), lat0 + north / METRES_PER_DEGREE)


def _lamps_along(metric: LineString, dark: tuple, broken: tuple, prefix: str) -> list[dict]:
    lamps, number = [], 0
    steps = int(metric.length // LAMP_SPACING) + 1
    for step in range(steps):
        along = step * LAMP_SPACING
        if any(start <= along <= end for start, end in dark):
            continue
        number += 1
        here, ahead = metric.interpolate(along), metric.interpolate(min(along + 1, metric.length))
        dx, dy = ahead.x - here.x, ahead.y - here.y
        norm = math.hypot(dx, dy) or 1.0
        point = Point(_lonlat(here.x - dy / norm * LAMP_OFFSET, here.y + dx / norm * LAMP_OFFSET))
        lamps.append(
            {
                "ref": f"DEMO-{prefix}-{number:03d}",
                "lamp_type": "LED-armatur (demo)",
                "power_w": 39.0,
                "owner": "Östersunds kommun (demo)",
                "state": "broken" if number in broken else "working",
                "dataset": LAMP_DATASET,
                "geom": from_shape(point, srid=4326),
            }
        )
    return lamps


def generate() -> tuple[list[dict], list[dict]]:
    """The demo paths and lamps as rows; pure, so it always gives the same data."""
    paths, lamps = [], []
    for index, (name, kind, vertices, dark, broken) in enumerate(PATHS, start=1):
        metric = LineString(vertices)
        paths.append(
            {
                "ref": f"DEMO-{index}",
                "name": name,
                "kind": kind,
                "dataset": PATH_DATASET,
                "geom": from_shape(LineString([_lonlat(*v) for v in vertices]), srid=4326),
            }
        )
        lamps.extend(_lamps_along(metric, dark, broken, str(index)))
    return paths, lamps


def load_if_missing() -> str:
    """Load the demo network and lamps, and run the gap analysis, unless lamps or paths exist."""
    lamps_exist = db.session.scalar(select(func.count()).select_from(Lamp))
    paths_exist = db.session.scalar(select(func.count()).select_from(PathSegment))
    if lamps_exist or paths_exist:
        return ""
    paths, lamps = generate()
    write_paths(paths, PATH_DATASET)
    write_lamps(lamps)
    run = analyse_gaps()
    return _(
        "Loaded %(paths)d invented demo paths and %(lamps)d demo lamps; %(gap).0f m of path lie more than "
        "%(distance)g m from a working lamp.",
        paths=len(paths),
        lamps=len(lamps),
        gap=run.gap_m,
        distance=run.distance_m,
    )
