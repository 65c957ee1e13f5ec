"""Route ordering: nearest neighbour plus 2-opt over straight-line distances, with fixed start and end."""

import itertools
import random

import pytest

from gis_app.routing import distance_m, order_stops, path_length

START = (14.6372, 63.1767)  # Stortorget, Östersund


def test_distance_in_metres():
    assert distance_m((14.0, 63.0), (14.0, 64.0)) == pytest.approx(111_195, rel=1e-3)  # one degree of latitude
    assert distance_m(START, START) == 0
    # At 63°N a degree of longitude is about half as long as at the equator.
    assert distance_m((14.0, 63.0), (15.0, 63.0)) == pytest.approx(111_195 * 0.4540, rel=2e-3)


def test_stops_in_a_row_are_visited_outwards_and_the_length_is_the_path():
    stops = [(START[0] + 0.01 * k, START[1]) for k in (3, 1, 4, 2)]
    order, metres = order_stops(START, stops)
    assert order == [1, 3, 0, 2]
    assert metres == pytest.approx(distance_m(START, stops[2]))
    order_back, metres_back = order_stops(START, stops, end=START)
    assert metres_back == pytest.approx(2 * distance_m(START, stops[2]))
    assert sorted(order_back) == [0, 1, 2, 3]


def test_two_opt_removes_the_crossing_nearest_neighbour_leaves():
    # Nearest neighbour goes to the close point on the right first and must cross back; 2-opt untangles it.
    stops = [
        (START[0] + 0.002, START[1]),
        (START[0] - 0.01, START[1] + 0.004),
        (START[0] - 0.01, START[1] - 0.004),
        (START[0] + 0.012, START[1] + 0.004),
    ]
    order, metres = order_stops(START, stops, end=START)
    best = min(path_length([START, *(stops[i] for i in p), START]) for p in itertools.permutations(range(4)))
    assert metres == pytest.approx(best)
    assert metres == pytest.approx(path_length([START, *(stops[i] for i in order), START]))


@pytest.mark.parametrize("seed", range(5))
def test_route_is_close_to_the_best_order_and_never_worse_than_nearest_neighbour(seed):
    rng = random.Random(seed)
    stops = [(START[0] + rng.uniform(-0.03, 0.03), START[1] + rng.uniform(-0.015, 0.015)) for _ in range(7)]
    order, metres = order_stops(START, stops, end=START)
    assert sorted(order) == list(range(7))
    best = min(path_length([START, *(stops[i] for i in p), START]) for p in itertools.permutations(range(7)))
    assert best <= metres <= best * 1.05


def test_no_stops_and_one_stop():
    assert order_stops(START, []) == ([], 0.0)
    assert order_stops(START, [], end=(START[0], START[1] + 0.01))[1] == pytest.approx(1112, rel=1e-2)
    order, metres = order_stops(START, [(START[0], START[1] + 0.01)], end=START)
    assert order == [0] and metres == pytest.approx(2224, rel=1e-2)
