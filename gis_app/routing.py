"""Order the stops of a route: nearest neighbour, then 2-opt, over straight-line distances in metres.

Pure functions of (longitude, latitude) pairs, so outreach shifts and safety walks share them.
"""

import math
from collections.abc import Sequence

Point = tuple[float, float]  # (longitude, latitude) in degrees, EPSG:4326
EARTH_RADIUS_M = 6_371_008.8  # mean radius: at town scale the error is far below the walking-time estimate's


def distance_m(a: Point, b: Point) -> float:
    """Return the great-circle (haversine) distance between two points in metres."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def path_length(points: Sequence[Point]) -> float:
    """Return the length in metres of the path through the points in the given order."""
    return sum(distance_m(a, b) for a, b in zip(points, points[1:]))


def order_stops(start: Point, stops: Sequence[Point], end: Point | None = None) -> tuple[list[int], float]:
    """Return the indexes of `stops` in visiting order from `start` (to `end`, if given) and the route's metres."""
    if not stops:
        return [], distance_m(start, end) if end is not None else 0.0
    order = _nearest_neighbour(start, stops)
    order = _two_opt(start, stops, end, order)
    return order, path_length(_route(start, stops, end, order))


def _route(start: Point, stops: Sequence[Point], end: Point | None, order: list[int]) -> list[Point]:
    return [start, *(stops[i] for i in order), *([end] if end is not None else [])]


def _nearest_neighbour(start: Point, stops: Sequence[Point]) -> list[int]:
    """Go each time to the closest stop not yet visited (ties: the lower index, so the result is stable)."""
    left = list(range(len(stops)))
    order, here = [], start
    while left:
        nearest = min(left, key=lambda i: (distance_m(here, stops[i]), i))
        order.append(nearest)
        left.remove(nearest)
        here = stops[nearest]
    return order


def _two_opt(start: Point, stops: Sequence[Point], end: Point | None, order: list[int]) -> list[int]:
    """Reverse stretches of the route while that shortens it; start and end stay where they are."""
    order = list(order)
    improved = True
    while improved:
        improved = False
        for i in range(len(order) - 1):
            for j in range(i + 1, len(order)):
                if _reversal_gain(start, stops, end, order, i, j) > 1e-6:
                    order[i : j + 1] = reversed(order[i : j + 1])
                    improved = True
    return order


def _reversal_gain(start, stops, end, order, i, j) -> float:
    """Metres saved by reversing order[i..j]: only the two edges at its ends change."""
    before = start if i == 0 else stops[order[i - 1]]
    first, last = stops[order[i]], stops[order[j]]
    after = stops[order[j + 1]] if j + 1 < len(order) else end
    old = distance_m(before, first) + (distance_m(last, after) if after is not None else 0.0)
    new = distance_m(before, last) + (distance_m(first, after) if after is not None else 0.0)
    return old - new
