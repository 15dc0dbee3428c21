"""A line chart of an indicator over the reporting periods, drawn as inline SVG on the server.

No script and no inline styles (the CSP allows neither): presentation attributes only. The same figures
are always given as a table beside it for screen readers and print.
"""

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 260, 56, 16, 16, 40


@dataclass
class Series:
    name: str
    css: str
    values: list[Decimal | None]


@dataclass
class Chart:
    width: int
    height: int
    x_labels: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    lines: list[tuple[Series, str, list[tuple[float, float]]]]
    target_y: float | None
    target_label: str


def _fmt(value: Decimal) -> str:
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"


def build(series: list[Series], period_labels: list[str], target: Decimal | None, target_label: str, *,
          top: Decimal | None = None, steps: int = 4) -> Chart | None:
    """Scale the series into the plot area; ``None`` when there is nothing to draw. ``top`` fixes the
    scale's top (a 1–5 or 0–10 answer scale), which has ``steps`` gridlines above zero."""
    numbers = [v for s in series for v in s.values if v is not None]
    if not numbers:
        return None
    if top is None:
        top = max(numbers + ([target] if target is not None else []))
        top = Decimal(1) if top <= 0 else top * Decimal("1.1")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(period_labels) - 1, 1)

    def x(i: int) -> float:
        return round(LEFT + i * step, 1)

    def y(v: Decimal) -> float:
        return round(TOP + plot_h - float(v / top) * plot_h, 1)

    lines = []
    for s in series:
        points = [(x(i), y(v)) for i, v in enumerate(s.values) if v is not None]
        path = " ".join(f"{'M' if n == 0 else 'L'}{px},{py}" for n, (px, py) in enumerate(points))
        lines.append((s, path, points))
    ticks = [(y(top * k / steps), _fmt(top * k / steps)) for k in range(steps + 1)]
    return Chart(WIDTH, HEIGHT, [(x(i), label) for i, label in enumerate(period_labels)], ticks, lines,
                 y(target) if target is not None else None, target_label)
