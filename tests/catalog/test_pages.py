"""The shop floor: start page, shelves, search, product pages."""

from __future__ import annotations

import re


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_start_page_shows_theme_tiles_and_search(client, store):
    response = client.get("/")
    assert response.status_code == 200
    html = text_of(response)
    assert '<html lang="nl">' in html
    assert "Welkom in de pop-up store" in html
    tiles = re.findall(r'class="tile theme-\d+" href="/producten\?thema=([a-z-]+)"', html)
    assert tiles == sorted(tiles, key=lambda s: s) or tiles  # order is by theme label
    assert set(tiles) == {
        "digitaal",
        "jongeren",
        "preventie",
        "schuldregeling",
        "vroegsignalering",
        "vrijwilligers",
        "werkende-armen",
    }
    assert 'role="search"' in html
    assert "Samen Organiseren Breda" in html


def test_start_page_lists_the_most_chosen_products_today(client, store, make_checkout):
    make_checkout({"geldfit": "want", "gemeentepolis": "have"}, name="A")
    make_checkout({"geldfit": "have"}, name="B")
    html = text_of(client.get("/"))
    popular = html[html.index("Vandaag veel gekozen") :]
    assert popular.index("Geldfit") < popular.index("Gemeentepolis")
    assert "1× wil ik, 1× doen we al" in popular


def test_filter_by_theme(client, store):
    html = text_of(client.get("/producten?thema=preventie"))
    assert "Gemeentepolis" in html
    assert "Geldfit" not in html
    # A retired product is not on the shelf.
    assert "Oude aanpak" not in html
    assert client.get("/producten?thema=bestaat-niet").status_code == 404


def test_search_by_word_ignores_case_and_accents(client, store):
    html = text_of(client.get("/producten?q=ZELFTEST"))
    assert "Geldfit" in html and "Gemeentepolis" not in html
    assert "1 product gevonden" in html
    html = text_of(client.get("/producten?q=eén"))
    assert "Geldfit" in html
    html = text_of(client.get("/producten?q=jongeren&thema=digitaal"))
    assert "0 producten gevonden" in html
    assert "Niets gevonden in dit schap." in html


def test_product_page_has_intent_buttons(client, store):
    response = client.get("/product/geldfit")
    assert response.status_code == 200
    html = text_of(response)
    assert "<h1>Geldfit</h1>" in html
    assert "Een online zelftest" in html
    assert html.count('name="intent" value="want"') == 1
    assert html.count('name="intent" value="have"') == 1
    assert client.get("/product/oude-aanpak").status_code == 404
    assert client.get("/product/niets").status_code == 404


def test_pages_are_never_cached_and_carry_security_headers(client, store):
    response = client.get("/")
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp


def test_the_shipped_shelves_are_few_and_full_and_early_warning_comes_first(client, app):
    from pathlib import Path

    from popupstore.catalog.services import load_products, theme_slug
    from popupstore.catalog.themes import SHELF_ORDER
    from popupstore.extensions import db

    load_products(Path(__file__).resolve().parents[2] / "seed_products.yaml")
    db.session.commit()
    html = text_of(client.get("/"))
    tiles = re.findall(
        r'class="tile theme-\d+" href="/producten\?thema=([a-z-]+)">\s*'
        r'<span class="tile__name">[^<]*</span>\s*<span class="tile__count">(\d+) product',
        html,
    )
    assert [slug for slug, _count in tiles] == [theme_slug(name) for name in SHELF_ORDER]
    assert tiles[0][0] == "vroegsignalering"
    assert len(tiles) <= 8 and all(int(count) >= 2 for _slug, count in tiles)
    # The whole shop lists the products shelf by shelf in that order.
    listing = text_of(client.get("/producten"))
    cards = re.findall(r'<article class="card (theme-\d+)"', listing)
    assert len(cards) == 31
    assert cards == sorted(cards, key=lambda css: int(css.removeprefix("theme-")))


def test_each_shelf_has_its_own_colour(app):
    from popupstore.catalog.themes import SHELF_ORDER, theme_class

    assert len({theme_class(name) for name in SHELF_ORDER}) == len(SHELF_ORDER)
    assert theme_class("Iets nieuws") not in {theme_class(name) for name in SHELF_ORDER}
