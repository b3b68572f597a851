"""Building blocks other pages inherit: the bar chart carries its data as a table too."""

from __future__ import annotations

import re

from flask import render_template_string


def test_bar_chart_draws_bars_and_gives_the_numbers_as_a_table(app):
    source = (
        '{% from "_macros.html" import bar_chart %}'
        '{{ bar_chart("Bonnen per provincie", rows, "Provincie", "Bonnen") }}'
    )
    with app.test_request_context("/"):
        html = render_template_string(source, rows=[("Noord-Brabant", 1500), ("Utrecht", 500)])
    assert '<figcaption class="chart__caption">Bonnen per provincie</figcaption>' in html
    svg = re.search(r"<svg[^>]*>", html).group(0)
    assert 'aria-hidden="true"' in svg
    widths = [float(w) for w in re.findall(r'<rect class="chart__bar"[^>]* width="([\d.]+)"', html)]
    assert widths == [100.0, 33.33]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', html)
    # Numbers in Dutch format.
    assert rows == [("Noord-Brabant", "1.500"), ("Utrecht", "500")]


def test_an_empty_bar_chart_renders_without_bars(app):
    source = '{% from "_macros.html" import bar_chart %}{{ bar_chart("Leeg", [], "a", "b") }}'
    with app.test_request_context("/"):
        html = render_template_string(source)
    assert "<rect" not in html and "<tbody>" in html
