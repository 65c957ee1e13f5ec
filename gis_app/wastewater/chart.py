"""A line chart of a substance over time as SVG coordinates: numbers only, so the template draws it without any
script and every label stays escaped text."""

from dataclasses import dataclass, field
from datetime import date

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 720, 260, 56, 16, 16, 36
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf")


@dataclass
class Line:
    label: str
    color: str
    points: list[tuple[float, float, date, float]]  # x, y, the period start and the value

    @property
    def path(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _d, _v in self.points)


@dataclass
class Chart:
    unit: str
    lines: list[Line] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom_y: float = HEIGHT - BOTTOM


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** len(str(int(value))) / 10
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def build_chart(named_series: list[tuple[str, list[tuple[date, float, str]]]]) -> Chart | None:
    """Scale each (label, [(period start, value, unit)]) series into one chart; None when there is no value."""
    values = [(d, v) for _label, points in named_series for d, v, _u in points]
    if not values:
        return None
    first, last = min(d for d, _v in values), max(d for d, _v in values)
    days = max((last - first).days, 1)
    top = _nice_max(max(v for _d, v in values))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(d: date) -> float:
        return LEFT + plot_w * (d - first).days / days

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    unit = next(u for _label, points in named_series for _d, _v, u in points)
    chart = Chart(unit=unit)
    for index, (label, points) in enumerate(named_series):
        if points:
            chart.lines.append(Line(label, COLORS[index % len(COLORS)], [(x(d), y(v), d, v) for d, v, _u in points]))
    chart.y_ticks = [(y(top * i / 4), f"{top * i / 4:g}") for i in range(5)]
    months = sorted({date(d.year, d.month, 1) for d, _v in values if date(d.year, d.month, 1) >= first})
    step = max(1, len(months) // 6)
    chart.x_ticks = [(x(m), m.strftime("%Y-%m")) for m in months[::step]]
    return chart
