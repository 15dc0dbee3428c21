"""Horizontal bar charts of an audit's results, drawn as inline SVG on the server (as tracker/results/chart.py).

No script and no inline styles (the CSP allows neither): presentation attributes only. Each chart stands
beside the table that gives the same figures, for screen readers and print. The bars run from 0 % to 100 %,
so charts of different audits read alike; each bar's label sits above it, so long stage titles fit.
"""

from dataclasses import dataclass
from fractions import Fraction

from tracker.audits.results import percent

WIDTH, LEFT, RIGHT, TOP, ROW, BAR, AXIS = 480, 4, 52, 8, 46, 18, 22
#: A label longer than this is cut short in the chart (the table beside it has it in full).
LABEL_LIMIT = 62


@dataclass
class Bar:
    label: str
    #: The label's baseline, the bar's top, its width (0 when there is no figure) and the figure shown.
    label_y: float
    y: float
    width: float
    value: str


@dataclass
class BarChart:
    width: int
    height: int
    left: int
    plot_width: int
    bars: list[Bar]
    #: (x, "0%") … (x, "100%") gridlines.
    ticks: list[tuple[float, str]]
    axis_y: float


def _short(label: str) -> str:
    return label if len(label) <= LABEL_LIMIT else label[:LABEL_LIMIT - 1].rstrip() + "…"


def build(rows: list[tuple[str, Fraction | None]]) -> BarChart | None:
    """Scale each (label, share of 1) into a bar; ``None`` when no row has a figure."""
    if not any(share is not None for _label, share in rows):
        return None
    plot_width = WIDTH - LEFT - RIGHT
    bars = []
    for index, (label, share) in enumerate(rows):
        top = TOP + index * ROW
        shown = percent(share)
        width = 0.0 if share is None else round(plot_width * min(float(share), 1.0), 1)
        bars.append(Bar(_short(str(label)), top + 14, top + 20, width, "–" if shown is None else f"{shown}%"))
    axis_y = TOP + len(rows) * ROW + 4
    ticks = [(round(LEFT + plot_width * k / 4, 1), f"{k * 25}%") for k in range(5)]
    return BarChart(WIDTH, int(axis_y + AXIS), LEFT, plot_width, bars, ticks, axis_y)
