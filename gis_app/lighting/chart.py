"""The dark-hours chart as SVG (matplotlib, drawn on the server; the page shows it as an image)."""

import io
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display on a server
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from gis_app.lighting.darkness import DarkYear, zone  # noqa: E402
from gis_app.lighting.sun import light_grid  # noqa: E402

DAYLIGHT, TWILIGHT, NAUTICAL, NIGHT = "#f6d55c", "#9dbbe3", "#4a6fa5", "#1d2b4f"
REPORTS, DARK_REPORTS, DARK_LINE = "#c7c7c7", "#3b3b98", "#e6550d"


@dataclass(frozen=True)
class ChartLabels:
    """Texts of the chart, already in the page's language."""

    title: str
    hour: str
    daylight: str
    twilight: str
    nautical: str
    dark: str
    reports: str
    dark_reports: str
    dark_hours: str
    months: list[str]


def _day_panel(axes, year: DarkYear, labels: ChartLabels) -> None:
    grid = light_grid(year.lon, year.lat, [d.day for d in year.days], zone())
    colours = ListedColormap([DAYLIGHT, TWILIGHT, NAUTICAL, NIGHT])
    axes.imshow(
        grid.T,
        cmap=colours,
        vmin=0,
        vmax=3,
        origin="lower",
        aspect="auto",
        interpolation="nearest",
        extent=(0.5, len(year.days) + 0.5, 0, 24),
    )
    axes.set_yticks(range(0, 25, 3))
    axes.set_ylabel(labels.hour)
    starts = [i + 1 for i, d in enumerate(year.days) if d.day.day == 1]
    axes.set_xticks(starts, labels.months)
    patches = [
        Patch(color=c, label=t)
        for c, t in (
            (DAYLIGHT, labels.daylight),
            (TWILIGHT, labels.twilight),
            (NAUTICAL, labels.nautical),
            (NIGHT, labels.dark),
        )
    ]
    axes.legend(handles=patches, loc="upper right", fontsize=8, framealpha=0.9)
    axes.set_title(labels.title, fontsize=11)


def _month_panel(axes, year: DarkYear, labels: ChartLabels) -> None:
    months = list(range(1, 13))
    axes.bar(months, [m.reports for m in year.months], color=REPORTS, label=labels.reports)
    axes.bar(months, [m.in_darkness for m in year.months], color=DARK_REPORTS, label=labels.dark_reports)
    axes.set_xticks(months, labels.months)
    axes.set_ylabel(labels.reports)
    hours = axes.twinx()
    hours.plot(
        months, [m.dark_hours_per_day for m in year.months], color=DARK_LINE, marker="o", label=labels.dark_hours
    )
    hours.set_ylim(0, 24)
    hours.set_ylabel(labels.dark_hours)
    handles = axes.get_legend_handles_labels()[0] + hours.get_legend_handles_labels()[0]
    axes.legend(
        handles,
        [h.get_label() for h in handles],
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=3,
        fontsize=8,
        frameon=False,
    )


def dark_year_svg(year: DarkYear, labels: ChartLabels) -> str:
    """Draw the year: sun times per day above, reports against dark hours per month below."""
    figure = Figure(figsize=(9, 7.5))
    top, bottom = figure.subplots(2, 1, gridspec_kw={"height_ratios": [3, 2]})
    _day_panel(top, year, labels)
    _month_panel(bottom, year, labels)
    figure.tight_layout()
    out = io.StringIO()
    with plt.rc_context({"svg.hashsalt": "dark-hours", "svg.fonttype": "none"}):
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
