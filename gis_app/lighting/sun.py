"""The sun's position, vectorised with numpy (NOAA solar calculator formulas, accurate to about 0.01° in 1800–2100).

Altitudes are geometric (no atmospheric refraction); the light classes use the usual thresholds, which already
allow for refraction and the sun's radius at sunrise and sunset (−0.833°). The database computes the same formula
for every stored observation (migration 0010, `sun_altitude()`); tests hold the two to each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from gis_app.places.models import LIGHT_CLASSES, LIGHT_FILTERS

SUNRISE_ALTITUDE = -0.833  # the upper limb touches the horizon, refraction included
CIVIL_ALTITUDE = -6.0
NAUTICAL_ALTITUDE = -12.0
DARK_CLASSES = LIGHT_FILTERS["dark"]
SECONDS_PER_DAY = 86400.0
UNIX_EPOCH_JD = 2440587.5
J2000_JD = 2451545.0


def _solar_terms(epoch_seconds):
    """Declination and equation of time (both in radians) at these instants (seconds since 1970, UTC)."""
    t = (np.asarray(epoch_seconds, dtype=float) / SECONDS_PER_DAY + UNIX_EPOCH_JD - J2000_JD) / 36525.0
    l0 = np.radians(280.46646 + t * (36000.76983 + t * 0.0003032))
    m = np.radians(357.52911 + t * (35999.05029 - 0.0001537 * t))
    e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
    centre = (
        np.sin(m) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + np.sin(2 * m) * (0.019993 - 0.000101 * t)
        + np.sin(3 * m) * 0.000289
    )
    omega = np.radians(125.04 - 1934.136 * t)
    apparent_longitude = l0 + np.radians(centre - 0.00569 - 0.00478 * np.sin(omega))
    obliquity = np.radians(
        23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0 + 0.00256 * np.cos(omega)
    )
    declination = np.arcsin(np.sin(obliquity) * np.sin(apparent_longitude))
    y = np.tan(obliquity / 2) ** 2
    equation_of_time = (
        y * np.sin(2 * l0)
        - 2 * e * np.sin(m)
        + 4 * e * y * np.sin(m) * np.cos(2 * l0)
        - 0.5 * y * y * np.sin(4 * l0)
        - 1.25 * e * e * np.sin(2 * m)
    )
    return declination, equation_of_time


def altitude(lon, lat, epoch_seconds):
    """The sun's geometric altitude in degrees at each (longitude, latitude, instant); arrays broadcast."""
    seconds = np.asarray(epoch_seconds, dtype=float)
    declination, equation_of_time = _solar_terms(seconds)
    hour_angle = np.radians(
        np.mod(seconds, SECONDS_PER_DAY) / 240.0 + np.degrees(equation_of_time) + np.asarray(lon, dtype=float) - 180.0
    )
    phi = np.radians(np.asarray(lat, dtype=float))
    sine = np.sin(phi) * np.sin(declination) + np.cos(phi) * np.cos(declination) * np.cos(hour_angle)
    return np.degrees(np.arcsin(np.clip(sine, -1.0, 1.0)))


def light_class(altitudes):
    """Daylight, civil twilight, nautical twilight or dark for each altitude (degrees)."""
    values = np.asarray(altitudes, dtype=float)
    index = (values < SUNRISE_ALTITUDE).astype(int) + (values < CIVIL_ALTITUDE) + (values < NAUTICAL_ALTITUDE)
    classes = np.array(LIGHT_CLASSES)[index]
    return str(classes) if classes.ndim == 0 else classes


def altitude_at(lon: float, lat: float, when: datetime) -> float:
    """The sun's altitude at one place and aware datetime."""
    return float(altitude(lon, lat, when.timestamp()))


def is_dark(altitude_degrees: float) -> bool:
    """True after civil twilight has ended: the sun more than 6° below the horizon."""
    return altitude_degrees < CIVIL_ALTITUDE


# --- events of a day ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayLight:
    """One day's sun times at a place (aware, local), None when the sun does not cross that altitude that day."""

    day: date
    sunrise: datetime | None
    sunset: datetime | None
    civil_dawn: datetime | None
    civil_dusk: datetime | None
    daylight_hours: float  # sun above −0.833°
    dark_hours: float  # sun below −6°: after civil dusk and before civil dawn
    noon_altitude: float


STEP_MINUTES = 2


def _day_samples(lon: float, lat: float, days: list[date], zone: ZoneInfo):
    """Altitudes every STEP_MINUTES over each local day (rows: days), and the instants sampled."""
    starts = np.array([datetime.combine(d, time(), zone).timestamp() for d in days])
    ends = np.array([datetime.combine(d + timedelta(days=1), time(), zone).timestamp() for d in days])
    steps = np.arange(0, 25 * 3600 + 1, STEP_MINUTES * 60)  # 25 h covers the autumn's long day
    instants = starts[:, None] + steps[None, :]
    inside = instants <= ends[:, None]
    return altitude(lon, lat, instants), instants, inside


def _crossing(alts, instants, inside, level: float, rising: bool):
    """The first instant each day the altitude crosses `level` upwards (or downwards), interpolated; NaN if none."""
    above = alts >= level
    change = (above[:, 1:] & ~above[:, :-1]) if rising else (~above[:, 1:] & above[:, :-1])
    change &= inside[:, 1:]
    found = change.any(axis=1)
    index = np.where(found, change.argmax(axis=1), 0)
    rows = np.arange(len(alts))
    a0, a1 = alts[rows, index], alts[rows, index + 1]
    fraction = np.where(a1 != a0, (level - a0) / (a1 - a0), 0.0)
    when = instants[rows, index] + fraction * (instants[rows, index + 1] - instants[rows, index])
    return np.where(found, when, np.nan)


def _hours(alts, inside, condition) -> np.ndarray:
    counted = condition(alts[:, :-1]) & inside[:, 1:]
    return counted.sum(axis=1) * STEP_MINUTES / 60.0


def daylight_table(lon: float, lat: float, days: list[date], zone: ZoneInfo) -> list[DayLight]:
    """Sunrise, sunset, civil dawn and dusk, hours of daylight and of darkness for each local day."""
    alts, instants, inside = _day_samples(lon, lat, days, zone)
    events = {
        name: _crossing(alts, instants, inside, level, rising)
        for name, level, rising in (
            ("sunrise", SUNRISE_ALTITUDE, True),
            ("sunset", SUNRISE_ALTITUDE, False),
            ("civil_dawn", CIVIL_ALTITUDE, True),
            ("civil_dusk", CIVIL_ALTITUDE, False),
        )
    }
    daylight = _hours(alts, inside, lambda a: a >= SUNRISE_ALTITUDE)
    dark = _hours(alts, inside, lambda a: a < CIVIL_ALTITUDE)
    noon = np.where(inside, alts, -90.0).max(axis=1)

    def local(value):
        return None if np.isnan(value) else datetime.fromtimestamp(float(value), UTC).astimezone(zone)

    return [
        DayLight(
            day,
            local(events["sunrise"][i]),
            local(events["sunset"][i]),
            local(events["civil_dawn"][i]),
            local(events["civil_dusk"][i]),
            float(daylight[i]),
            float(dark[i]),
            float(noon[i]),
        )
        for i, day in enumerate(days)
    ]


def light_grid(lon: float, lat: float, days: list[date], zone: ZoneInfo, step_minutes: int = 5):
    """The light class index (0 daylight … 3 dark) at each local clock time (columns) of each day (rows)."""
    offsets = np.array([datetime.combine(d, time(12), zone).utcoffset().total_seconds() for d in days])
    midnights = np.array([datetime.combine(d, time(), UTC).timestamp() for d in days]) - offsets
    clock = np.arange(0, 24 * 3600, step_minutes * 60) + step_minutes * 30  # the middle of each step
    values = altitude(lon, lat, midnights[:, None] + clock[None, :])
    return (values < SUNRISE_ALTITUDE).astype(int) + (values < CIVIL_ALTITUDE) + (values < NAUTICAL_ALTITUDE)


def day_light(lon: float, lat: float, day: date, zone: ZoneInfo) -> DayLight:
    """One day's sun times."""
    return daylight_table(lon, lat, [day], zone)[0]


def year_days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]
