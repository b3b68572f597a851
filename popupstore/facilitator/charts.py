"""Geometry of the facilitator's pictures, drawn as SVG by the templates.

Pure functions: numbers and labels in, coordinates out (SVG user units). Every picture comes
with a data table in the page, so these only decide where things go, never what they mean.
Layouts are deterministic: the same data always gives the same picture.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import networkx as nx

HEAT_LEVELS: Final = 5
LABEL_CHARACTERS: Final = 28
LAYOUT_SEED: Final = 20_261_112
# How hard the hidden hub pulls every visitor to the middle, against a link of weight 1.
_HUB_PULL: Final = 0.08


def short_label(text: str, limit: int = LABEL_CHARACTERS) -> str:
    """`text` cut to `limit` characters with an ellipsis, for labels in a picture."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- product popularity: a horizontal bar per product, want and have stacked ----------------


@dataclass(frozen=True, slots=True)
class Bar:
    name: str
    label: str
    want: int
    have: int
    y: float
    want_width: float
    have_width: float

    @property
    def have_x(self) -> float:
        return self.want_width


@dataclass(frozen=True, slots=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_height: int
    row_height: int
    plot_width: int


def popularity_chart(rows: Sequence[tuple[str, int, int]]) -> BarChart:
    """Bars for (name, want, have) rows in the given order; the longest bar fills the plot."""
    label_width, plot_width, row_height, bar_height = 330, 560, 40, 28
    largest = max((want + have for _, want, have in rows), default=0) or 1
    unit = plot_width / largest
    bars = [
        Bar(
            name=name,
            label=short_label(name, 34),
            want=want,
            have=have,
            y=index * row_height,
            want_width=round(want * unit, 1),
            have_width=round(have * unit, 1),
        )
        for index, (name, want, have) in enumerate(rows)
    ]
    return BarChart(
        bars=bars,
        width=label_width + plot_width + 110,
        height=max(1, len(bars)) * row_height,
        label_width=label_width,
        bar_height=bar_height,
        row_height=row_height,
        plot_width=plot_width,
    )


# --- co-occurrence heatmap: products by products ------------------------------------------


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
    cell, left, top = 56, 300, 230
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
        HeatLabel(slug, name, short_label(name), index * cell + cell / 2)
        for index, (slug, name) in enumerate(products)
    ]
    size = len(products) * cell
    return Heatmap(
        labels=labels,
        cells=cells,
        cell=cell,
        left=left,
        top=top,
        # The column labels lean to the right above the grid: leave room for the last one.
        width=left + size + 170,
        height=top + size + 10,
        largest=largest,
    )


# --- the network of visitors linked by shared products -----------------------------------


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
    middle.
    """
    width, margin = 1100, 60
    height = min(760, 320 + 16 * len(visitors))
    strongest = max((score for _, _, _, score in links), default=0.0) or 1.0
    graph = nx.Graph()
    graph.add_nodes_from(number for number, _, _ in visitors)
    graph.add_weighted_edges_from((a, b, score / strongest) for a, b, _, score in links)
    hub = min((number for number, _, _ in visitors), default=0) - 1
    graph.add_weighted_edges_from((hub, number, _HUB_PULL) for number, _, _ in visitors)
    if len(visitors) == 1:
        positions = {visitors[0][0]: (0.0, 0.0)}
    elif visitors:
        spacing = 1.6 / math.sqrt(len(visitors))
        layout = nx.spring_layout(graph, k=spacing, iterations=200, seed=LAYOUT_SEED)
        positions = {node: (float(x), float(y)) for node, (x, y) in layout.items() if node != hub}
    else:
        positions = {}
    xs = [x for x, _ in positions.values()] or [0.0]
    ys = [y for _, y in positions.values()] or [0.0]
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    # Labels sit right of their dot: leave room for them on the right.
    usable_x, usable_y = width - 2 * margin - 120, height - 2 * margin

    def place(number: int) -> tuple[float, float]:
        x, y = positions[number]
        if len(positions) == 1:
            return width / 2, height / 2
        return (
            round(margin + (x - min(xs)) / span_x * usable_x, 1),
            round(margin + (y - min(ys)) / span_y * usable_y, 1),
        )

    nodes = {}
    for number, label, named in visitors:
        x, y = place(number)
        nodes[number] = NetworkNode(number, short_label(label, 18), named, x, y)
    drawn = [
        NetworkLink(nodes[a], nodes[b], shared, score, round(1.5 + 6.5 * score / strongest, 1))
        for a, b, shared, score in links
    ]
    return Network(nodes=list(nodes.values()), links=drawn, width=width, height=height)
