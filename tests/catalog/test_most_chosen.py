"""'Most chosen' is ranked one way on every screen: by want + have, then by name, then by slug."""

from __future__ import annotations

import re

import pytest

from popupstore.catalog.services import edit_product, get_product
from popupstore.extensions import db

STAFF_EVENT = "/facilitator/evenement/breda-2026"


def test_most_chosen_ranks_by_count_then_name_then_slug():
    from popupstore.catalog.services import ProductPopularity, most_chosen

    counts = {"b": (1, 1), "a": (0, 2), "c": (3, 0), "d": (1, 0), "z": (1, 0)}
    names = {"a": "Zorg", "b": "Budget", "c": "Coaching", "d": "Dezelfde", "z": "Dezelfde"}
    assert most_chosen(counts, names) == [
        ProductPopularity("c", "Coaching", 3, 0),
        ProductPopularity("b", "Budget", 1, 1),
        ProductPopularity("a", "Zorg", 0, 2),
        ProductPopularity("d", "Dezelfde", 1, 0),
        ProductPopularity("z", "Dezelfde", 1, 0),
    ]
    # A slug the catalog no longer names is shown, and ranked, by its slug.
    assert most_chosen({"weg": (1, 0)}, {}) == [ProductPopularity("weg", "weg", 1, 0)]


def names_in_order(html: str, pattern: str) -> list[str]:
    return [name for name in re.findall(pattern, html) if name in RANKED]


RANKED = ["Gemeentepolis", "Zakgeld Fit", "Vroegsignalering"]


@pytest.fixture
def tie(store, make_checkout):
    """geldfit renamed to "Zakgeld Fit": tied with gemeentepolis, after it by name but before
    it by slug; vroegsignalering chosen once."""
    geldfit = get_product("geldfit")
    fields = ("name", "theme", "summary", "description", "owner")
    edit_product(geldfit, {**{f: getattr(geldfit, f) for f in fields}, "name": "Zakgeld Fit"})
    db.session.commit()
    make_checkout({"geldfit": "want", "gemeentepolis": "want"}, name="A", organisation="Breda")
    make_checkout({"geldfit": "have", "gemeentepolis": "have"}, name="B", organisation="Ede")
    make_checkout({"vroegsignalering": "want"}, name="C", organisation="Zeist")


def test_every_screen_ranks_the_most_chosen_alike(client, tie, login):
    login("organiser")
    start = client.get("/").get_data(as_text=True)
    popular = start[start.index("Vandaag veel gekozen") :]
    assert names_in_order(popular, r'class="popular__name"[^>]*>([^<]+)<') == RANKED

    live = client.get(STAFF_EVENT + "/live").get_data(as_text=True)
    assert names_in_order(live, r'<th scope="row">([^<]+)</th>') == RANKED
    wall = client.get(STAFF_EVENT + "/wand").get_data(as_text=True)
    assert names_in_order(wall, r'class="wall__product">([^<]+)<') == RANKED
    groups = client.get(STAFF_EVENT + "/gesprekken").get_data(as_text=True)
    assert names_in_order(groups, r"<h2[^>]*>([^<]+)</h2>") == RANKED

    statistics = client.get("/organisator/evenementen/breda-2026").get_data(as_text=True)
    products_chart = statistics[statistics.index('id="event-products"') :]
    products_chart = products_chart[: products_chart.index("</figure>")]
    assert names_in_order(products_chart, r'<th scope="row">([^<]+)</th>') == RANKED
    # The side-by-side comparison names each event's most chosen product.
    overview = client.get("/organisator/").get_data(as_text=True)
    comparison = overview[overview.index("Evenementen naast elkaar") :]
    assert names_in_order(comparison, r"<td>([^<]+)</td>") == ["Gemeentepolis"]
