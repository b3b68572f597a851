"""Chart geometry: scales, stacked and grouped bars, columns."""

from __future__ import annotations

import pytest

from popupstore.organiser.charts import (
    LABEL_WIDTH,
    VALUE_SPACE,
    WIDTH,
    Row,
    bar_chart,
    column_chart,
    nice_step,
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
