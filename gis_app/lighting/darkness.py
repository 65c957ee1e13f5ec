"""The dark-hours year: sun times per day at the municipality, set against the reports per month."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from gis_app.areas.queries import municipality_extent
from gis_app.lighting import queries, sun


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def home_position() -> tuple[float, float]:
    """(lon, lat) of the municipality's centre: its imported outline, else the configured bounds."""
    west, south, east, north = municipality_extent() or current_app.config["AREA_BOUNDS"]
    return (west + east) / 2, (south + north) / 2


@dataclass(frozen=True)
class MonthRow:
    month: int
    dark_hours_per_day: float
    dark_hours: float
    sunrise: datetime | None  # on the 15th
    sunset: datetime | None
    reports: int
    in_darkness: int
    unknown: int

    @property
    def dark_share(self) -> float | None:
        known = self.reports - self.unknown
        return self.in_darkness / known if known else None

    @property
    def dark_reports_per_100_hours(self) -> float | None:
        """Reports made in darkness per 100 hours of darkness: a rise here is more than more darkness."""
        return 100 * self.in_darkness / self.dark_hours if self.dark_hours else None


@dataclass(frozen=True)
class DarkYear:
    year: int
    lon: float
    lat: float
    days: list[sun.DayLight]
    months: list[MonthRow]


def dark_year(year: int) -> DarkYear:
    """Compute the year's sun table at the municipality and count its reports per month."""
    lon, lat = home_position()
    days = sun.daylight_table(lon, lat, sun.year_days(year), zone())
    counts = queries.reports_by_month(year, zone())
    months = []
    for count in counts:
        in_month = [d for d in days if d.day.month == count.month]
        middle = in_month[14]
        total = sum(d.dark_hours for d in in_month)
        months.append(
            MonthRow(
                count.month,
                total / len(in_month),
                total,
                middle.sunrise,
                middle.sunset,
                count.reports,
                count.in_darkness,
                count.unknown,
            )
        )
    return DarkYear(year, lon, lat, days, months)


def next_quarter(moment: datetime) -> datetime:
    """The first quarter hour at or after `moment`."""
    rounded = moment.replace(second=0, microsecond=0)
    extra = (-rounded.minute) % 15
    if extra == 0 and moment.second == 0 and moment.microsecond == 0:
        return rounded
    return rounded + timedelta(minutes=extra or 15)


def start_times_after_dark(day_light: sun.DayLight, count: int = 3) -> list[datetime]:
    """Walk start times once it is dark (civil dusk), each a quarter hour on; after sunset when it never gets dark."""
    begin = day_light.civil_dusk or day_light.sunset
    if begin is None:
        return []
    first = next_quarter(begin)
    return [first + timedelta(minutes=30 * i) for i in range(count)]


def today() -> date:
    return datetime.now(zone()).date()
