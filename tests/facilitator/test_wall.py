"""The wall screen: the table plan by receipt number, popular products, new agreements."""

from __future__ import annotations

import re

from .conftest import EVENT

WALL = EVENT + "/wand"


def test_the_wall_shows_the_stored_plan_by_number(client, crowd, staff):
    html = client.get(WALL).get_data(as_text=True)
    assert "De tafelindeling verschijnt hier" in html
    client.post(EVENT + "/tafels", data={"min_size": 2, "max_size": 3})
    html = client.get(WALL).get_data(as_text=True)
    seats = re.findall(
        r'<span class="wall__bon">(\d+)</span>.*?<span class="wall__table">(\d+)</span>', html
    )
    # Sorted by receipt number, each with its table; two tables, named with their topics.
    assert [int(number) for number, _ in seats] == [1, 2, 3, 4, 5]
    assert sorted({int(table) for _, table in seats}) == [1, 2]
    assert len(re.findall(r'<span class="wall__table-name">Tafel \d+</span>', html)) == 2
    assert 'class="page page--wall"' in html
    assert "store-header" not in html  # full screen: no shop header


def test_the_wall_shows_pairs_when_there_are_no_tables(client, crowd, staff):
    client.post(EVENT + "/duos")
    html = client.get(WALL).get_data(as_text=True)
    groups = re.findall(r"<li>(bon \d+(?: \+ bon \d+)+)</li>", html)
    # Five visitors: one duo, and a trio instead of someone without a partner.
    assert sorted(len(group.split(" + ")) for group in groups) == [2, 3]
    firsts = [int(group.split(" + ")[0].removeprefix("bon ")) for group in groups]
    assert firsts == sorted(firsts)


def test_the_wall_lists_the_most_chosen_products(client, crowd, staff):
    html = client.get(WALL).get_data(as_text=True)
    products = re.findall(r'<span class="wall__product">([^<]+)</span> <span', html)
    assert products == ["Geldfit", "Vroegsignalering", "Gemeentepolis", "SchuldHulpMaatje"]
    assert "3 wil ik · 1 doen we al" in html
    assert "5 bonnen" in html


def test_new_agreements_appear_on_the_wall_as_they_come_in(client, crowd, staff):
    live = client.get(WALL + "/live")
    etag = live.headers["ETag"]
    assert client.get(WALL + "/live", headers={"If-None-Match": etag}).status_code == 304
    client.post(
        f"/r/{crowd.bram['token']}/samenwerking",
        data={"choice": "1:vroegsignalering", "text": "Werkbezoek in Breda in maart"},
    )
    fresh = client.get(WALL + "/live", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    html = fresh.get_data(as_text=True)
    assert "Vroegsignalering</span> · bon 2 + bon 1" in html
    assert "“Werkbezoek in Breda in maart”" in html
