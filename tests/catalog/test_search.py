"""The shop's search forgives what a visitor types in a hurry: other endings, one typo,
compounds; and a search on one shelf says so and offers to search everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from popupstore.catalog.services import load_products, search_products
from popupstore.extensions import db
from popupstore.spelling import edit_distance

SEED = Path(__file__).resolve().parents[2] / "seed_products.yaml"


@pytest.fixture
def shipped_catalog(app):
    load_products(SEED)
    db.session.commit()


def found(words: str, theme: str | None = None) -> set[str]:
    return {product.slug for product in search_products(words, theme)}


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("breda", "breda", 0),
        ("bredaa", "breda", 1),
        ("tilbrug", "tilburg", 1),  # two neighbours swapped: one mistake
        ("vrijwiliger", "vrijwilliger", 1),
        ("amsterdm", "amsterdam", 1),
        ("uwv", "urk", 2),
        ("", "abc", 3),
    ],
)
def test_edit_distance_counts_typing_mistakes(a, b, distance):
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


def test_edit_distance_stops_early_above_a_limit():
    assert edit_distance("schuldhulpmaatje", "werkgeversaanpak", 1) == 2
    assert edit_distance("bredaa", "breda", 1) == 1


def test_a_word_with_one_typo_still_finds_the_volunteers(shipped_catalog):
    hits = found("vrijwiliger")
    assert {"schuldhulpmaatje", "humanitas-thuisadministratie", "moneymaatje"} <= hits
    assert "breed-moratorium" not in hits


def test_another_ending_finds_both_buddies_but_not_measures(shipped_catalog):
    hits = found("maatjes")
    assert {"schuldhulpmaatje", "moneymaatje"} <= hits
    # "maatregelen" starts like "maatjes" but is another word.
    assert "utrechters-schuldenvrij" not in hits


def test_a_compound_finds_the_funds_that_settle_debts(shipped_catalog):
    assert found("schuldenfonds") == {
        "jongeren-perspectief-fonds",
        "reset-rotterdam",
        "jongeren-schuldenvrije-start",
    }


def test_short_words_get_no_typo_tolerance_and_every_word_must_match(shipped_catalog):
    assert found("app") == found("APP") and "fikks" in found("app")
    assert found("apq") == set()
    assert found("jongeren schulden") == {
        "jongeren-perspectief-fonds",
        "reset-rotterdam",
        "jongeren-schuldenvrije-start",
    }
    assert found("xyzzy") == set()


def test_a_search_on_a_shelf_says_it_is_filtered_and_offers_to_search_everywhere(
    client, shipped_catalog
):
    assert found("maatjes", "jongeren") == {"moneymaatje"}
    html = client.get("/producten?q=maatjes&thema=jongeren").get_data(as_text=True)
    note = re.search(r'<p class="filter-note"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "Je zoekt alleen in het schap Jongeren." in note
    assert 'href="/producten?q=maatjes"' in note and "Zoek overal naar “maatjes”" in note
    everywhere = client.get("/producten?q=maatjes").get_data(as_text=True)
    assert "filter-note" not in everywhere
    assert "SchuldHulpMaatje" in everywhere and "MoneyMaatje" in everywhere
    # Without a word there is nothing to widen.
    assert "filter-note" not in client.get("/producten?thema=jongeren").get_data(as_text=True)
