"""Bar charts laid out on the server: this module computes the geometry, a Jinja macro
(`templates/organiser/_charts.html`) draws it as SVG next to a data table.

No JavaScript and no inline styles (the Content-Security-Policy forbids both): colours
come from CSS classes per series, sizes from the SVG viewBox.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 226
# About how wide one character of a 14px label is, to shorten labels that would not fit.
CHAR_WIDTH = 8.2
VALUE_SPACE = 56
ROW_HEIGHT = 26
ROW_GAP = 10
AXIS_SPACE = 24
COLUMN_GAP = 8
COLUMN_AREA = 180


@dataclass(frozen=True, slots=True)
class Row:
    """One label with a value per series, e.g. a product with its want and have counts."""

    label: str
    values: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass(frozen=True, slots=True)
class Segment:
    series: int
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Bar:
    row: Row
    short_label: str
    label_x: float
    label_y: float
    value_x: float
    value_y: float
    segments: tuple[Segment, ...]


@dataclass(frozen=True, slots=True)
class Tick:
    value: int
    position: float


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart ready to draw: `kind` is "bars" (horizontal) or "columns" (vertical)."""

    kind: str
    title: str
    series: tuple[str, ...]
    rows: tuple[Row, ...]
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    width: int
    height: int
    plot_start: float
    plot_end: float
    grouped: bool = False

    @property
    def empty(self) -> bool:
        return not self.rows or all(row.total == 0 for row in self.rows)

    @property
    def description(self) -> str:
        """A one-line text version for assistive technology, e.g. "Breda: 12, Tilburg: 8"."""
        return "; ".join(
            f"{row.label}: " + ", ".join(str(v) for v in row.values) for row in self.rows
        )


def nice_step(value: float) -> int:
    """The smallest of 1, 2, 5 times a power of ten that is at least `value` (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def ticks_for(maximum: int, start: float, end: float, count: int = 4) -> tuple[Tick, ...]:
    """Grid lines at round numbers from 0 to just above `maximum`, spread over [start, end].

    About `count` steps of 1, 2 or 5 times a power of ten: 35 gives 0, 10, 20, 30, 40.
    """
    step = nice_step(maximum / count)
    top = max(step, math.ceil(maximum / step) * step)
    return tuple(Tick(v, start + (end - start) * v / top) for v in range(0, top + 1, step))


def shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def bar_chart(
    title: str,
    rows: Sequence[Row],
    series: Sequence[str],
    *,
    grouped: bool = False,
    label_width: int = LABEL_WIDTH,
) -> Chart:
    """Horizontal bars, one per row: series stacked in one bar, or `grouped` under each other.

    The scale is shared by all rows, so the longest bar is the largest value (or total).
    """
    rows = tuple(rows)
    series = tuple(series)
    lanes = len(series) if grouped else 1
    lane_height = ROW_HEIGHT if not grouped else max(12, ROW_HEIGHT * 2 // (lanes + 1))
    row_height = lane_height * lanes
    start, end = float(label_width), float(WIDTH - VALUE_SPACE)
    label_chars = int((label_width - 12) / CHAR_WIDTH)
    largest = max((max(row.values, default=0) if grouped else row.total for row in rows), default=0)
    ticks = ticks_for(largest, start, end)
    scale = (end - start) / ticks[-1].value
    bars = []
    y = float(AXIS_SPACE)
    for row in rows:
        segments = []
        x = start
        for index, value in enumerate(row.values):
            lane_y = y + (index * lane_height if grouped else 0)
            seg_x = start if grouped else x
            segments.append(Segment(index, value, seg_x, lane_y, value * scale, lane_height - 2))
            if not grouped:
                x += value * scale
        value_x = start + (max(row.values, default=0) if grouped else row.total) * scale + 6
        bars.append(
            Bar(
                row=row,
                short_label=shorten(row.label, label_chars),
                label_x=start - 8,
                label_y=y + row_height / 2,
                value_x=value_x,
                value_y=y + row_height / 2,
                segments=tuple(segments),
            )
        )
        y += row_height + ROW_GAP
    return Chart(
        kind="bars",
        title=title,
        series=series,
        rows=rows,
        bars=tuple(bars),
        ticks=ticks,
        width=WIDTH,
        height=int(y + 4),
        plot_start=start,
        plot_end=end,
        grouped=grouped,
    )


def column_chart(title: str, rows: Sequence[Row], series_name: str) -> Chart:
    """Vertical columns of one series, left to right in row order (a distribution)."""
    rows = tuple(rows)
    top, bottom = float(AXIS_SPACE), float(AXIS_SPACE + COLUMN_AREA)
    left, right = 48.0, float(WIDTH - 8)
    largest = max((row.total for row in rows), default=0)
    ticks = ticks_for(largest, bottom, top)
    scale = (bottom - top) / ticks[-1].value
    slot = (right - left) / max(1, len(rows))
    width = max(4.0, slot - COLUMN_GAP)
    bars = []
    for index, row in enumerate(rows):
        height = row.total * scale
        x = left + index * slot + (slot - width) / 2
        bars.append(
            Bar(
                row=row,
                short_label=shorten(row.label, 8),
                label_x=x + width / 2,
                label_y=bottom + 18,
                value_x=x + width / 2,
                value_y=bottom - height - 6,
                segments=(Segment(0, row.total, x, bottom - height, width, height),),
            )
        )
    return Chart(
        kind="columns",
        title=title,
        series=(series_name,),
        rows=rows,
        bars=tuple(bars),
        ticks=ticks,
        width=WIDTH,
        height=int(bottom + 28),
        plot_start=left,
        plot_end=right,
    )
