"""The benchmark's data set, built by SQL alone: many places around central Östersund and over the municipality.

Reproducible without a random seed: every "random" number is read from md5(row number, salt), so the same
`--places` gives the same rows whatever plan or parallelism PostgreSQL picks.
"""

from sqlalchemy import text

CENTRE = (14.6372, 63.1767)  # Stortorget, central Östersund
BOUNDS = (14.26, 62.89, 15.56, 63.60)  # the municipality's extent (GIS_APP_BOUNDS)

# uniform(i, salt) in [0, 1): 32 bits of md5.
UNIFORM = """
CREATE OR REPLACE FUNCTION pg_temp.uniform(i bigint, salt text) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT ('x' || substr(md5(i::text || salt), 1, 8))::bit(32)::bigint / 4294967296.0 $$
"""

# 70 % around the centre (normal, sigma about 1.5 km; Box–Muller), 30 % uniform over the municipality's extent;
# one in four in a sensitive category (drug_related, intoxicated_people, youth_gatherings).
PLACES = """
INSERT INTO place (title, title_reviewed, category_code, status_code, time_of_day, affected_group, priority,
                   reported_on, geom)
SELECT 'Plats ' || i, i % 2 = 0,
       CASE WHEN i % 4 = 0 THEN (ARRAY['drug_related','intoxicated_people','youth_gatherings'])[1 + (i / 4) % 3]
            ELSE (ARRAY['poor_lighting','vandalism','graffiti','dark_path','overgrown_vegetation','litter',
                        'underpass','other'])[1 + (i / 4) % 8] END,
       (ARRAY['reported','confirmed','measure_planned','remediated','verified'])[1 + i % 5],
       (ARRAY['day','evening','night'])[1 + i % 3],
       (ARRAY['women','men','young_people','everyone'])[1 + i % 4],
       1 + i % 3,
       DATE '2023-01-01' + (i % 1095),
       CASE WHEN pg_temp.uniform(i, 'where') < 0.7 THEN
           ST_SetSRID(ST_MakePoint(
               :lon + 0.030 * sqrt(-2 * ln(1 - pg_temp.uniform(i, 'r'))) * cos(2 * pi() * pg_temp.uniform(i, 't')),
               :lat + 0.0135 * sqrt(-2 * ln(1 - pg_temp.uniform(i, 'r'))) * sin(2 * pi() * pg_temp.uniform(i, 't'))),
               4326)
       ELSE ST_SetSRID(ST_MakePoint(:west + (:east - :west) * pg_temp.uniform(i, 'x'),
                                    :south + (:north - :south) * pg_temp.uniform(i, 'y')), 4326) END
FROM generate_series(1, :n) AS i
"""

# As many observations as places, on random places, at random times of 2023-2025 (half of them reviewed).
OBSERVATIONS = """
INSERT INTO observation (place_id, source_code, observed_at, text, reviewed, geom)
SELECT p.id, (ARRAY['citizen_report','safety_walk','police','municipal_staff'])[1 + o.i % 4],
       TIMESTAMPTZ '2023-01-01 00:00+01' + pg_temp.uniform(o.i, 'when') * INTERVAL '1095 days',
       'Mörkt och otryggt', o.i % 2 = 0, p.geom
FROM generate_series(1, :n) AS o(i)
JOIN place p ON p.id = 1 + floor(pg_temp.uniform(o.i, 'place') * :places)::int
"""


def build(session, places: int, observations: int) -> None:
    """Fill an empty, migrated database with `places` places and `observations` observations, then ANALYZE."""
    west, south, east, north = BOUNDS
    session.execute(text(UNIFORM))
    session.execute(
        text(PLACES),
        {"n": places, "lon": CENTRE[0], "lat": CENTRE[1], "west": west, "south": south, "east": east, "north": north},
    )
    session.execute(text(OBSERVATIONS), {"n": observations, "places": places})
    session.commit()
    # VACUUM runs outside a transaction: the visibility map it sets is what makes index-only scans possible.
    with session.get_bind().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE place"))
        connection.execute(text("VACUUM ANALYZE observation"))
