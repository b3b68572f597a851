"""The geometry of every chart the staff screens draw: bars, columns, a heatmap, a network.

Pure functions (no Flask, no database): numbers and labels in, coordinates out, in SVG user
units. The macros in `templates/_charts.html` draw them; no JavaScript and no inline styles
(the Content-Security-Policy forbids both), so colours come from CSS classes per series and
sizes from the viewBox. Every picture comes with its numbers in a table, so these functions
decide where things go, never what they mean. The same data always gives the same picture.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import networkx as nx

LABEL_CHARACTERS: Final = 28


def shorten(label: str, limit: int = LABEL_CHARACTERS) -> str:
    """`label` cut to `limit` characters with an ellipsis, for a label inside a picture."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


# How wide text is, estimated from its length: pictures are laid out on the server, before any
# font is measured. An upper bound for the store's sans-serif (about 0.6 em a character, 0.68
# em in bold), so a label never runs into its neighbour or off the picture.
CHAR_EM: Final = 0.62
BOLD_CHAR_EM: Final = 0.7


def text_width(text: str, font_size: float, bold: bool = False) -> float:
    """An upper estimate of the width of `text` in user units at `font_size`."""
    return len(text) * font_size * (BOLD_CHAR_EM if bold else CHAR_EM)


# --- bars and columns: one row per label, a value per series ---------------------------------

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


# --- co-occurrence heatmap: products by products ------------------------------------------

HEAT_LEVELS: Final = 5
HEAT_CELL: Final = 56
HEAT_LABEL_SIZE: Final = 18  # px, as the stylesheet sets .heatmap__label
HEAT_LABEL_GAP: Final = 10  # between a label and the grid (the template's offset)
HEAT_MARGIN: Final = 8
# The column labels lean over to the right at this angle above the grid.
HEAT_LABEL_ANGLE: Final = math.radians(55)


@dataclass(frozen=True, slots=True)
class HeatLabel:
    slug: str
    name: str
    label: str
    offset: float  # centre of its row (left labels) and its column (top labels)


@dataclass(frozen=True, slots=True)
class HeatCell:
    row: int
    column: int
    x: float
    y: float
    count: int
    level: int  # 0 (nobody) to HEAT_LEVELS (the most)
    diagonal: bool  # row == column: how many baskets hold the product at all


@dataclass(frozen=True, slots=True)
class Heatmap:
    labels: list[HeatLabel]
    cells: list[HeatCell]
    cell: int
    left: int
    top: int
    width: int
    height: int
    largest: int


def heat_level(count: int, largest: int) -> int:
    if count <= 0 or largest <= 0:
        return 0
    return max(1, math.ceil(HEAT_LEVELS * count / largest))


def heatmap(
    products: Sequence[tuple[str, str]],
    holders: Mapping[str, int],
    pairs: Mapping[tuple[str, str], int],
) -> Heatmap:
    """A square grid over `products` ((slug, name), in display order).

    Off the diagonal a cell counts the baskets holding both products (`pairs` is keyed by
    slugs in slug order); on it, the baskets holding that product (`holders`). Colour levels
    scale with the largest off-diagonal count, so the overlap itself stands out.
    """
    cell = HEAT_CELL
    shown = [shorten(name) for _, name in products]
    widths = [text_width(label, HEAT_LABEL_SIZE) for label in shown]
    widest = max(widths, default=0.0)
    sin, cos = math.sin(HEAT_LABEL_ANGLE), math.cos(HEAT_LABEL_ANGLE)
    # Row labels end HEAT_LABEL_GAP left of the grid; column labels start HEAT_LABEL_GAP
    # above it and rise at the angle, their height adding a little on each side.
    left = math.ceil(HEAT_MARGIN + widest + HEAT_LABEL_GAP)
    top = math.ceil(HEAT_MARGIN + widest * sin + HEAT_LABEL_SIZE * cos + HEAT_LABEL_GAP)
    slugs = [slug for slug, _ in products]
    counts = {
        (i, j): (holders.get(a, 0) if i == j else pairs.get((a, b) if a < b else (b, a), 0))
        for i, a in enumerate(slugs)
        for j, b in enumerate(slugs)
    }
    largest = max((c for (i, j), c in counts.items() if i != j), default=0)
    cells = [
        HeatCell(
            row=i,
            column=j,
            x=left + j * cell,
            y=top + i * cell,
            count=count,
            level=heat_level(count, largest),
            diagonal=i == j,
        )
        for (i, j), count in counts.items()
    ]
    labels = [
        HeatLabel(slug, name, label, index * cell + cell / 2)
        for index, ((slug, name), label) in enumerate(zip(products, shown, strict=True))
    ]
    size = len(products) * cell
    # The column labels lean to the right above the grid: the picture reaches as far as the
    # furthest one does.
    reach = max(
        (
            left + label.offset + width * cos + HEAT_LABEL_SIZE * sin
            for label, width in zip(labels, widths, strict=True)
        ),
        default=0.0,
    )
    return Heatmap(
        labels=labels,
        cells=cells,
        cell=cell,
        left=left,
        top=top,
        width=math.ceil(max(left + size, reach) + HEAT_MARGIN),
        height=top + size + HEAT_MARGIN,
        largest=largest,
    )


def heat_label_boxes(hm: Heatmap) -> list[tuple[float, float, float, float]]:
    """Boxes (x0, y0, x1, y1) that hold each label as drawn (row labels, then column
    labels, which are rotated: their box holds the turned rectangle), by `text_width`."""
    sin, cos = math.sin(HEAT_LABEL_ANGLE), math.cos(HEAT_LABEL_ANGLE)
    half = HEAT_LABEL_SIZE / 2
    boxes: list[tuple[float, float, float, float]] = []
    for label in hm.labels:
        width = text_width(label.label, HEAT_LABEL_SIZE)
        right, middle = hm.left - HEAT_LABEL_GAP, hm.top + label.offset
        boxes.append((right - width, middle - half, right, middle + half))
    for label in hm.labels:
        width = text_width(label.label, HEAT_LABEL_SIZE)
        x, y = hm.left + label.offset, hm.top - HEAT_LABEL_GAP
        # The baseline runs up-right from (x, y); the glyphs stand above it, up-left.
        xs = (
            x,
            x + width * cos,
            x - HEAT_LABEL_SIZE * sin,
            x + width * cos - HEAT_LABEL_SIZE * sin,
        )
        ys = (
            y,
            y - width * sin,
            y - HEAT_LABEL_SIZE * cos,
            y - width * sin - HEAT_LABEL_SIZE * cos,
        )
        boxes.append((min(xs), min(ys), max(xs) + HEAT_LABEL_SIZE * sin, max(ys)))
    return boxes


# --- the network of visitors linked by shared products -----------------------------------

LAYOUT_SEED: Final = 20_261_112
# How hard the hidden hub pulls every visitor to the middle, against a link of weight 1.
_HUB_PULL: Final = 0.08
NETWORK_WIDTH: Final = 1100
NETWORK_MARGIN: Final = 24
NETWORK_LABEL_CHARACTERS: Final = 16
NODE_RADIUS: Final = 11  # the template's circle; its white ring adds NODE_RING
NODE_RING: Final = 2
LABEL_OFFSET: Final = 16  # from a node's centre to the start of its label
LABEL_SIZE: Final = 18  # px, bold, as the stylesheet sets .network__node text
LABEL_HALO: Final = 3  # the white outline drawn around a label's letters
# Room for each visitor: a row of the grid, and free grid cells for the layout's shape.
ROW_HEIGHT_NETWORK: Final = 36
GRID_ROOM: Final = 1.5


@dataclass(frozen=True, slots=True)
class NetworkNode:
    number: int
    label: str
    named: bool  # shown by first name (consented) rather than by receipt number
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class NetworkLink:
    a: NetworkNode
    b: NetworkNode
    shared: tuple[str, ...]  # product names
    score: float
    width: float


@dataclass(frozen=True, slots=True)
class Network:
    nodes: list[NetworkNode]
    links: list[NetworkLink]
    width: int
    height: int


def network_layout(
    visitors: Sequence[tuple[int, str, bool]],
    links: Sequence[tuple[int, int, tuple[str, ...], float]],
) -> Network:
    """Place (number, label, named) visitors joined by (a, b, shared names, score) links.

    A spring layout with a fixed seed pulls linked visitors together, stronger links harder
    (and drawn thicker). Unlinked groups would fly apart and leave the linked ones as specks
    in the corners, so a hidden hub node, weakly tied to everyone, keeps them all near the
    middle. Each visitor is then moved to the nearest free cell of a grid whose cells are as
    wide as the widest label (`text_width`) and a row high, so no two labels overlap and
    none leaves the picture (`network_label_boxes`); the picture grows as tall as needed.
    """
    width = NETWORK_WIDTH
    strongest = max((score for _, _, _, score in links), default=0.0) or 1.0
    labels = {number: shorten(label, NETWORK_LABEL_CHARACTERS) for number, label, _ in visitors}
    positions = _spring_positions(visitors, links, strongest)
    widest = max((text_width(label, LABEL_SIZE, bold=True) for label in labels.values()), default=0)
    cell_width = NODE_RADIUS + NODE_RING + LABEL_OFFSET + widest + 2 * LABEL_HALO + 8
    columns = max(1, int((width - 2 * NETWORK_MARGIN) // cell_width))
    rows = max(
        1, math.ceil(len(visitors) * GRID_ROOM / columns), math.ceil(len(visitors) / columns)
    )
    height = 2 * NETWORK_MARGIN + rows * ROW_HEIGHT_NETWORK
    cells = _grid_cells(visitors, positions, columns, rows)

    nodes = {}
    for number, _, named in visitors:
        column, row = cells[number]
        x = NETWORK_MARGIN + column * cell_width + NODE_RADIUS + NODE_RING
        y = NETWORK_MARGIN + row * ROW_HEIGHT_NETWORK + ROW_HEIGHT_NETWORK / 2
        nodes[number] = NetworkNode(number, labels[number], named, round(x, 1), round(y, 1))
    drawn = [
        NetworkLink(nodes[a], nodes[b], shared, score, round(1.5 + 6.5 * score / strongest, 1))
        for a, b, shared, score in links
    ]
    return Network(nodes=list(nodes.values()), links=drawn, width=width, height=height)


def _spring_positions(
    visitors: Sequence[tuple[int, str, bool]],
    links: Sequence[tuple[int, int, tuple[str, ...], float]],
    strongest: float,
) -> dict[int, tuple[float, float]]:
    """Spring-layout positions in [0, 1] x [0, 1] (the middle for a single visitor)."""
    if len(visitors) <= 1:
        return {number: (0.5, 0.5) for number, _, _ in visitors}
    graph = nx.Graph()
    graph.add_nodes_from(number for number, _, _ in visitors)
    graph.add_weighted_edges_from((a, b, score / strongest) for a, b, _, score in links)
    hub = min(number for number, _, _ in visitors) - 1
    graph.add_weighted_edges_from((hub, number, _HUB_PULL) for number, _, _ in visitors)
    spacing = 1.6 / math.sqrt(len(visitors))
    layout = nx.spring_layout(graph, k=spacing, iterations=200, seed=LAYOUT_SEED)
    positions = {node: (float(x), float(y)) for node, (x, y) in layout.items() if node != hub}
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    return {
        node: ((x - min(xs)) / span_x, (y - min(ys)) / span_y) for node, (x, y) in positions.items()
    }


def _grid_cells(
    visitors: Sequence[tuple[int, str, bool]],
    positions: Mapping[int, tuple[float, float]],
    columns: int,
    rows: int,
) -> dict[int, tuple[int, int]]:
    """Each visitor's (column, row): the free cell nearest their spring position, the most
    central visitors first (ties by receipt number, then by row and column)."""
    free = {(column, row) for column in range(columns) for row in range(rows)}
    wanted = {number: (x * (columns - 1), y * (rows - 1)) for number, (x, y) in positions.items()}
    order = sorted(
        wanted, key=lambda n: ((positions[n][0] - 0.5) ** 2 + (positions[n][1] - 0.5) ** 2, n)
    )
    cells: dict[int, tuple[int, int]] = {}
    for number in order:
        x, y = wanted[number]
        cell = min(free, key=lambda c: ((c[0] - x) ** 2 + (c[1] - y) ** 2, c[1], c[0]))
        free.remove(cell)
        cells[number] = cell
    return cells


def network_label_boxes(net: Network) -> list[tuple[float, float, float, float]]:
    """Per node, a box (x0, y0, x1, y1) holding its circle and its label as drawn (label
    width by `text_width`, with the white halo)."""
    reach = NODE_RADIUS + NODE_RING
    boxes: list[tuple[float, float, float, float]] = []
    for node in net.nodes:
        width = text_width(node.label, LABEL_SIZE, bold=True)
        half = max(reach, LABEL_SIZE / 2 + LABEL_HALO)
        boxes.append(
            (
                node.x - reach,
                node.y - half,
                node.x + LABEL_OFFSET + width + LABEL_HALO,
                node.y + half,
            )
        )
    return boxes
