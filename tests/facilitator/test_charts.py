"""Geometry of the pictures: deterministic, inside the canvas, proportional."""

from __future__ import annotations

from popupstore.facilitator.charts import (
    heat_level,
    heatmap,
    network_layout,
    popularity_chart,
    short_label,
)


def test_short_labels_keep_short_names_and_cut_long_ones():
    assert short_label("Geldfit") == "Geldfit"
    cut = short_label("Werkgeversaanpak werkende armen in de regio", 20)
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


def test_bars_are_proportional_and_the_longest_fills_the_plot():
    chart = popularity_chart([("Geldfit", 3, 1), ("Gemeentepolis", 2, 0)])
    first, second = chart.bars
    assert first.want_width + first.have_width == chart.plot_width
    assert second.want_width == chart.plot_width / 2
    assert second.y == chart.row_height
    assert popularity_chart([]).bars == []


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
    assert (single.nodes[0].x, single.nodes[0].y) == (single.width / 2, single.height / 2)
    assert network_layout([], []).nodes == []
