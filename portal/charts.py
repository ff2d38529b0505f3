"""Charts as inline SVG, drawn on the server from the figures the page already has.

SVG rather than a JavaScript chart library: the pages work under our strict Content-Security-Policy
with no script at all, print and export as they look, stay readable by screen readers (each chart
has a title and its figures in a table beside it), and there is no vendored bundle to keep current.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 220
LEFT = 64
BOTTOM = 28
TOP = 12
PALETTE = ("#2563eb", "#f59e0b", "#16a34a", "#dc2626", "#7c3aed")


def _scale(values: Sequence[Decimal | None]) -> Decimal:
    top = max((v for v in values if v is not None), default=Decimal(0))
    if top <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(top))) - 1)
    for step in (1, 2, 5, 10):
        if top <= magnitude * step:
            return magnitude * step
    return top


def _short(value: Decimal) -> str:
    """1.8M, 758.9k, 42: an axis or bar label, not the exact figure (that is in the tables)."""
    for limit, suffix in ((Decimal(1_000_000_000), "G"), (Decimal(1_000_000), "M"), (Decimal(1000), "k")):
        if abs(value) >= limit:
            return f"{(value / limit).quantize(Decimal('0.1')).normalize():f}{suffix}"
    return f"{value.quantize(Decimal('0.1')).normalize():f}"


def _frame(title: str, top: Decimal, labels: Sequence[str], body: str) -> Markup:
    plot_h = HEIGHT - BOTTOM - TOP
    grid = []
    for i in range(5):
        y = TOP + plot_h - plot_h * i / 4
        grid.append(
            f'<line x1="{LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(_short(top * i / 4))}</text>'
        )
    step = (WIDTH - LEFT - 8) / max(len(labels), 1)
    ticks = "".join(
        f'<text x="{LEFT + step * (i + 0.5):.1f}" y="{HEIGHT - 8}" text-anchor="middle">{escape(label)}</text>'
        for i, label in enumerate(labels)
    )
    return Markup(  # noqa: S704 (every text put in is escaped above)
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(grid)}{ticks}{body}</svg>'
    )


def bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[Sequence[Decimal]],
    line: Sequence[Decimal | None] = (),
) -> Markup:
    """Grouped bars (one group per label), with an optional line (a target) over them."""
    top = _scale([v for s in series for v in s] + list(line))
    plot_h = HEIGHT - BOTTOM - TOP
    step = (WIDTH - LEFT - 8) / max(len(labels), 1)
    width = step * 0.7 / max(len(series), 1)
    shapes = []
    for index, values in enumerate(series):
        for i, value in enumerate(values):
            h = float(value / top) * plot_h if value > 0 else 0
            x = LEFT + step * i + step * 0.15 + width * index
            shapes.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{width:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[index % len(PALETTE)]}"><title>{escape(labels[i])}: {escape(_short(value))}</title></rect>'
            )
    points = [
        f"{LEFT + step * (i + 0.5):.1f},{TOP + plot_h - float(v / top) * plot_h:.1f}"
        for i, v in enumerate(line)
        if v is not None
    ]
    if points:
        shapes.append(f'<polyline points="{" ".join(points)}" class="target-line" fill="none"/>')
    return _frame(title, top, labels, "".join(shapes))


def lines(
    title: str, labels: Sequence[str], values: Sequence[Decimal | None], ceiling: Decimal | None = None
) -> Markup:
    """One line with dots; gaps where a value is missing."""
    top = ceiling or _scale(values)
    plot_h = HEIGHT - BOTTOM - TOP
    step = (WIDTH - LEFT - 8) / max(len(labels), 1)
    segments: list[list[str]] = [[]]
    dots = []
    for i, value in enumerate(values):
        if value is None:
            segments.append([])
            continue
        x, y = LEFT + step * (i + 0.5), TOP + plot_h - float(value / top) * plot_h
        segments[-1].append(f"{x:.1f},{y:.1f}")
        dots.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{PALETTE[0]}">'
            f"<title>{escape(labels[i])}: {escape(_short(value))}</title></circle>"
        )
    paths = "".join(
        f'<polyline points="{" ".join(s)}" fill="none" stroke="{PALETTE[0]}" stroke-width="2"/>'
        for s in segments
        if s
    )
    return _frame(title, top, labels, paths + "".join(dots))


def hbars(title: str, labels: Sequence[str], values: Sequence[Decimal]) -> Markup:
    """Horizontal bars, one per label (tiers, regions, funnel stages)."""
    top = _scale(values)
    row = 26
    height = row * max(len(labels), 1) + 8
    label_w = 230
    body = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        w = float(value / top) * (WIDTH - label_w - 70) if value > 0 else 0
        y = 4 + row * i
        body.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 16}">{escape(_short(value))}</text>'
        )
    return Markup(  # noqa: S704 (every text put in is escaped above)
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )
