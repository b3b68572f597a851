"""Overlap: the product heatmap and the network of visitors, each with its data table."""

from __future__ import annotations

import math
import re

from popupstore.events.services import get_event
from popupstore.facilitator.services import PairRow, product_overlap, visitor_network

from .conftest import EVENT


def test_the_heatmap_counts_products_held_together(app, crowd):
    found = product_overlap(get_event("breda-2026"))
    heatmap = found.heatmap
    assert [label.name for label in heatmap.labels] == [
        "Geldfit",
        "Vroegsignalering",
        "Gemeentepolis",
        "SchuldHulpMaatje",
    ]
    grid = [[0] * 4 for _ in range(4)]
    for cell in heatmap.cells:
        grid[cell.row][cell.column] = cell.count
    assert grid == [
        [4, 3, 1, 1],
        [3, 3, 0, 1],
        [1, 0, 2, 1],
        [1, 1, 1, 2],
    ]
    levels = {(c.row, c.column): c.level for c in heatmap.cells}
    assert levels[(0, 1)] == 5 and levels[(0, 2)] == 2 and levels[(1, 2)] == 0
    assert found.pairs[0] == PairRow("Geldfit", "Vroegsignalering", 3)
    assert len(found.pairs) == 5 and found.products == 4


def test_the_network_links_visitors_who_chose_the_same(app, crowd):
    network = visitor_network(get_event("breda-2026")).network
    nodes = {node.number: node for node in network.nodes}
    assert [(nodes[n].label, nodes[n].named) for n in sorted(nodes)] == [
        ("Anna", True),
        ("Bram", True),
        ("bon 3", False),
        ("Dirk", True),
        ("Eva", True),
    ]
    links = {(link.a.number, link.b.number): link for link in network.links}
    anna_bram = links[(1, 2)]
    assert anna_bram.shared == ("Geldfit", "Vroegsignalering")
    expected = 1.0 * math.log(1 + 5 / 4) + 1.5 * math.log(1 + 5 / 3)
    assert anna_bram.score == round(expected, 4)
    # Dirk shares a product with Zeger (schuldhulpmaatje) and Eva (gemeentepolis) only.
    assert {pair for pair in links if 4 in pair} == {(3, 4), (4, 5)}
    for node in network.nodes:
        assert 0 <= node.x <= network.width and 0 <= node.y <= network.height


def test_the_layout_is_the_same_every_time(app, crowd):
    event = get_event("breda-2026")
    assert visitor_network(event) == visitor_network(event)


def test_the_overlap_page_draws_both_pictures_with_tables(client, crowd, staff):
    html = client.get(EVENT + "/overlap").get_data(as_text=True)
    assert html.count('role="img"') == 2
    assert '<svg class="chart heatmap"' in html and '<svg class="chart network"' in html
    assert '<td>Geldfit</td><td>Vroegsignalering</td><td class="num">3</td>' in html
    row = re.search(r"<td>Anna \(bon 1\)</td><td>Bram \(bon 2\)</td>(.*?)</tr>", html, re.S)
    assert row and "Geldfit, Vroegsignalering" in row.group(1)
    assert "<td>bon 3</td>" in html
    # No inline styles anywhere (the Content-Security-Policy forbids them).
    assert "style=" not in html


def test_the_overlap_page_of_an_empty_event(client, store, staff):
    html = client.get(EVENT + "/overlap").get_data(as_text=True)
    assert '<svg class="chart' not in html
    assert html.count("Nog niemand heeft afgerekend.") == 2


def test_large_events_show_the_most_chosen_products_and_the_latest_visitors(
    client, crowd, staff, monkeypatch
):
    from popupstore.facilitator import services

    monkeypatch.setattr(services, "HEATMAP_PRODUCTS", 2)
    monkeypatch.setattr(services, "NETWORK_VISITORS", 3)
    event = get_event("breda-2026")
    assert [label.name for label in product_overlap(event).heatmap.labels] == [
        "Geldfit",
        "Vroegsignalering",
    ]
    network = visitor_network(event)
    assert sorted(node.number for node in network.network.nodes) == [3, 4, 5]
    assert network.visitors == 5
    html = client.get(EVENT + "/overlap").get_data(as_text=True)
    assert "Hier de 2 meest gekozen van 4 producten" in html
    assert "Hier de laatste 3 van 5 bezoekers." in html
