"""The municipality's local time: one setting (GIS_APP_TIMEZONE) for every module."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app


def local_zone_name() -> str:
    """The configured IANA time zone name, for SQL's timezone()."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def local_zone() -> ZoneInfo:
    """The configured time zone."""
    return ZoneInfo(local_zone_name())


def local_now() -> datetime:
    """Now, in local time (aware)."""
    return datetime.now(local_zone())
