"""Chart geometry (popupstore/charts.py): scales, stacked and grouped bars, columns, the
heatmap and the network; deterministic, inside the canvas, proportional."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string

from popupstore.charts import (
    LABEL_WIDTH,
    VALUE_SPACE,
    WIDTH,
    Row,
    bar_chart,
    column_chart,
    heat_label_boxes,
    heat_level,
    heatmap,
    network_label_boxes,
    network_layout,
    nice_step,
    shorten,
    ticks_for,
)


@pytest.mark.parametrize(
    ("value", "step"), [(0, 1), (0.25, 1), (1.25, 2), (3.75, 5), (8.75, 10), (12, 20), (260, 500)]
)
def test_nice_steps(value, step):
    assert nice_step(value) == step


@pytest.mark.parametrize(
    ("maximum", "values"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (5, [0, 2, 4, 6]),
        (15, [0, 5, 10, 15]),
        (35, [0, 10, 20, 30, 40]),
        (240, [0, 100, 200, 300]),
    ],
)
def test_ticks_are_round_and_cover_the_maximum(maximum, values):
    ticks = ticks_for(maximum, 100.0, 500.0)
    assert [t.value for t in ticks] == values
    assert ticks[0].position == 100.0 and ticks[-1].position == 500.0


def test_stacked_bars_share_one_scale():
    chart = bar_chart("t", [Row("a", (3, 1)), Row("b", (1, 0)), Row("c", (0, 0))], ("w", "h"))
    end = WIDTH - VALUE_SPACE
    a, b, c = chart.bars
    assert [s.value for s in a.segments] == [3, 1]
    assert a.segments[1].x == pytest.approx(a.segments[0].x + a.segments[0].width)
    total_a = a.segments[0].width + a.segments[1].width
    total_b = b.segments[0].width + b.segments[1].width
    assert total_a == pytest.approx(4 * total_b)
    # The largest total (4) fills the plot: the ticks run 0, 1, 2, 3, 4.
    assert total_a == pytest.approx(end - LABEL_WIDTH)
    assert all(s.width == 0 for s in c.segments)
    assert chart.ticks[-1].value == 4
    assert b.label_y > a.label_y
    assert not chart.empty


def test_grouped_bars_put_each_series_on_its_own_lane():
    chart = bar_chart("t", [Row("a", (4, 2, 1))], ("x", "y", "z"), grouped=True)
    [bar] = chart.bars
    assert [s.x for s in bar.segments] == [LABEL_WIDTH] * 3
    ys = [s.y for s in bar.segments]
    assert ys == sorted(ys) and len(set(ys)) == 3
    assert bar.segments[0].width == pytest.approx(2 * bar.segments[1].width)


def test_long_labels_are_shortened_in_the_picture_only():
    label = "Een heel lange naam van een aanpak die niet in de ruimte past"
    chart = bar_chart("t", [Row(label, (1,))], ("n",))
    assert chart.bars[0].short_label.endswith("…")
    assert len(chart.bars[0].short_label) < len(label)
    assert chart.rows[0].label == label
    assert label in chart.description


def test_columns_grow_upwards_from_one_baseline():
    chart = column_chart("t", [Row("1", (2,)), Row("2", (4,)), Row("3", (0,))], "n")
    one, two, three = chart.bars
    bottom = one.segments[0].y + one.segments[0].height
    assert two.segments[0].y + two.segments[0].height == pytest.approx(bottom)
    assert two.segments[0].height == pytest.approx(2 * one.segments[0].height)
    assert three.segments[0].height == 0
    assert one.label_x < two.label_x < three.label_x


def test_a_chart_without_data_is_empty():
    assert bar_chart("t", [], ("n",)).empty
    assert bar_chart("t", [Row("a", (0,))], ("n",)).empty


def test_shorten_keeps_short_names_and_cut_long_ones():
    assert shorten("Geldfit") == "Geldfit"
    cut = shorten("Werkgeversaanpak werkende armen in de regio", 20)
    assert cut == "Werkgeversaanpak we…" and len(cut) == 20


def test_heat_levels_scale_with_the_largest_count():
    assert [heat_level(c, 10) for c in (0, 1, 2, 5, 10)] == [0, 1, 1, 3, 5]
    assert heat_level(3, 0) == 0


def test_heatmap_cells_form_a_square_grid():
    grid = heatmap(
        [("a", "Alpha"), ("b", "Beta"), ("c", "Gamma")],
        {"a": 4, "b": 3, "c": 1},
        {("a", "b"): 2, ("b", "c"): 1},
    )
    assert len(grid.cells) == 9 and grid.largest == 2
    by_position = {(c.row, c.column): c for c in grid.cells}
    assert by_position[(0, 1)].count == by_position[(1, 0)].count == 2
    assert by_position[(0, 0)].count == 4 and by_position[(0, 0)].diagonal
    assert by_position[(0, 2)].count == 0 and by_position[(0, 2)].level == 0
    assert by_position[(2, 2)].x == grid.left + 2 * grid.cell
    assert grid.width >= grid.left + 3 * grid.cell


def test_the_network_layout_is_deterministic_and_inside_the_canvas():
    visitors = [(n, f"V{n}", n % 2 == 0) for n in range(1, 13)]
    links = [(n, n + 1, ("Geldfit",), 1.0 + n) for n in range(1, 12)]
    first = network_layout(visitors, links)
    assert first == network_layout(visitors, links)
    for node in first.nodes:
        assert 0 < node.x < first.width and 0 < node.y < first.height
    widths = [link.width for link in first.links]
    assert widths == sorted(widths) and widths[-1] == 8.0


def test_one_visitor_sits_in_the_middle():
    single = network_layout([(7, "Anna", True)], [])
    (box,) = network_label_boxes(single)
    # In the middle column of the grid: the box around dot and label spans the centre line.
    assert box[0] - 60 <= single.width / 2 <= box[2] + 60
    assert 0 <= box[1] and box[3] <= single.height
    assert network_layout([], []).nodes == []


def overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_heatmap_labels_fit_inside_the_picture():
    """The names of sixteen products, some long, none clipped at the left, top or right."""
    names = [
        "Vroegsignalering van betalingsachterstanden",
        "Nederlandse Schuldhulproute / Geldfit",
        "SchuldHulpMaatje",
        "Jongeren Perspectief Fonds",
        *[f"Aanpak met een vrij lange naam nummer {n}" for n in range(12)],
    ]
    grid = heatmap([(f"p{n}", name) for n, name in enumerate(names)], {}, {})
    boxes = heat_label_boxes(grid)
    assert len(boxes) == 32
    for x0, y0, x1, y1 in boxes:
        assert 0 <= x0 and x1 <= grid.width and 0 <= y0 and y1 <= grid.height
    # Row labels end before the grid, column labels above it.
    assert all(box[2] <= grid.left for box in boxes[:16])
    assert all(box[3] <= grid.top for box in boxes[16:])
    # Short names make a small picture: room follows the labels.
    small = heatmap([("a", "Geldfit"), ("b", "Fikks")], {}, {})
    assert small.left < 120 and small.top < 120 and small.width < 300


def test_network_labels_never_overlap_and_stay_inside():
    """Eighty visitors with long and short names and many links: every dot with its label
    has a box of its own, inside the picture."""
    names = ["Anna", "Bram", "Christiaan", "Dirk-Jan", "Evelien", "Fatima", "bon 123"]
    visitors = [
        (n, names[n % len(names)] + ("tje van Dijk" if n % 5 == 0 else ""), n % 3 != 0)
        for n in range(1, 81)
    ]
    links = [(n, (n * 7) % 80 + 1, ("Geldfit",), 1.0 + n % 4) for n in range(1, 81)]
    links = [(a, b, shared, score) for a, b, shared, score in links if a < b]
    net = network_layout(visitors, links)
    boxes = network_label_boxes(net)
    assert len(boxes) == 80
    for index, box in enumerate(boxes):
        assert 0 <= box[0] and box[2] <= net.width and 0 <= box[1] and box[3] <= net.height
        for other in boxes[index + 1 :]:
            assert not overlaps(box, other), (box, other)
    assert net == network_layout(visitors, links)


def test_the_chart_macro_draws_the_bars_and_gives_their_numbers_as_a_table(app):
    chart = bar_chart("Meest gekozen", [Row("Geldfit", (3, 1)), Row("Budget", (1, 0))], ("w", "h"))
    source = '{% from "_charts.html" import chart %}{{ chart(c, "top", "Product") }}'
    with app.test_request_context("/"):
        html = render_template_string(source, c=chart)
    svg = re.search(r"<svg[^>]*>", html).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="top-title"' in svg and 'aria-describedby="top-table"' in svg
    assert 'id="top-title">Meest gekozen<' in html and 'id="top-table"' in html
    bars = re.findall(r'<rect class="chart__bar chart__bar--(\d)"[^>]* width="([\d.]+)"', html)
    assert [series for series, _ in bars] == ["0", "1", "0"]
    widths = [float(width) for _, width in bars]
    assert widths[0] == pytest.approx(3 * widths[2], abs=0.1)
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>', html)
    assert rows == [("Geldfit", "3"), ("Budget", "1")]
    assert "style=" not in html


def test_an_empty_chart_says_so_and_draws_nothing(app):
    source = '{% from "_charts.html" import chart %}{{ chart(c, "leeg", "Product") }}'
    with app.test_request_context("/"):
        html = render_template_string(source, c=bar_chart("Leeg", [], ("n",)))
    assert "<svg" not in html and "Nog geen gegevens." in html
