"""Options of a filter or entries of a legend, and the one check that keeps a colour safe to put in a style."""

import re
from dataclasses import dataclass

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
FALLBACK_COLOR = "#666666"


@dataclass(frozen=True)
class Choice:
    """One option of a filter or one legend entry: a code, a label in the page's language, maybe a colour."""

    code: str
    label: str
    color: str | None = None


def safe_color(color: str | None) -> str:
    """A #rrggbb colour, or grey: colours from the database go into style attributes and SVG."""
    return color if color and HEX_COLOR.match(color) else FALLBACK_COLOR
