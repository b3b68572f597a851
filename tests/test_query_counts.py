"""Each page needs a bounded number of SQL queries, however many checkouts exist."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from popupstore.basket.index import forget_event_indexes
from popupstore.extensions import db
from popupstore.pagecache import kept_pages

from .security.conftest import fresh_request

PRODUCTS = [
    "geldfit",
    "vroegsignalering",
    "gemeentepolis",
    "schuldhulpmaatje",
    "jongeren-perspectief-fonds",
]
ORGANISATIONS = ["Breda", "Tilburg", "Utrecht", "Zwolle", "Woonstad", "Eneco", "CZ", "Assen"]


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def fill(
    make_checkout: Callable[..., dict[str, Any]], count: int, start: int = 0
) -> dict[str, Any]:
    last: dict[str, Any] = {}
    for i in range(start, start + count):
        items = {PRODUCTS[i % 5]: "want", PRODUCTS[(i + 2) % 5]: "have"}
        last = make_checkout(items, name=f"V{i}", organisation=ORGANISATIONS[i % 8])
    return last


PAGES = [
    "/",
    "/producten",
    "/producten?q=geld",
    "/product/geldfit",
    "/mandje",
    "/r/{token}",
    "/r/{token}/partners",
    "/r/{token}/qr.png",
    "/r/{token}/evaluatie",
    "/api/v1/products",
    "/api/v1/events/active",
    "/api/v1/receipts/{token}",
    "/voorstellen",
    "/voorstellen/bedankt",
    "/r/{token}/voorstellen",
]


@pytest.mark.parametrize("path", PAGES)
def test_queries_do_not_grow_with_the_number_of_checkouts(client, store, make_checkout, path):
    mine = fill(make_checkout, 3)
    url = path.format(token=mine["token"])
    # Warm what a worker keeps whatever the number of checkouts (e.g. the active event's id),
    # but not the page itself: both counts are of a page rendered anew.
    assert fresh_request(client, "GET", url).status_code == 200
    kept_pages().clear()
    forget_event_indexes()
    with counted() as few:
        assert client.get(url).status_code == 200
    fill(make_checkout, 40, start=3)
    forget_event_indexes()
    with counted() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), (few, many)
    # A kept receipt page is rendered once per change of its event; rendering it takes
    # the checkout, the event, its baskets, roles, plan, agreements and proposals.
    assert len(many) <= 14, many


STAFF_PAGES = [
    "/facilitator/",
    "/facilitator/evenement/breda-2026",
    "/facilitator/evenement/breda-2026/live",
    "/facilitator/evenement/breda-2026/overlap",
    "/facilitator/evenement/breda-2026/gesprekken",
    "/facilitator/evenement/breda-2026/samenwerking",
    "/facilitator/evenement/breda-2026/tafels",
    "/facilitator/evenement/breda-2026/wand",
    "/organisator/",
    "/organisator/evenementen",
    "/organisator/evenementen/breda-2026",
    "/organisator/evenementen/breda-2026/rapport",
    "/organisator/catalogus",
    "/organisator/statistiek",
    "/organisator/statistiek/rapport",
    "/organisator/exports",
    "/organisator/exports/anoniem?format=csv",
    "/organisator/exports/contactlijst?format=xlsx",
    "/organisator/evenementen/breda-2026/mail",
    "/organisator/evenementen/breda-2026/uitkomst",
    "/organisator/uitkomst",
    "/organisator/exports/uitkomst?format=xlsx",
    "/organisator/exports/anoniem?format=xlsx",
    "/organisator/privacy",
    "/privacy",
    "/organisator/voorstellen",
    "/organisator/reeksen",
]


# The whole anonymous workbook: seven sheets (basket lines, products, pairs, events and the
# outcome's three), each with its own few queries.
LARGER_BOUNDS = {"/organisator/exports/anoniem?format=xlsx": 40}


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_need_the_same_queries_for_3_or_43_checkouts(
    client, store, make_checkout, login, path
):
    login("organiser")
    fill(make_checkout, 3)
    assert fresh_request(client, "GET", path).status_code == 200
    forget_event_indexes()
    with counted() as few:
        # Read the whole body: exports stream, and their queries run while it is read.
        assert len(client.get(path).get_data()) > 0
    fill(make_checkout, 40, start=3)
    forget_event_indexes()
    with counted() as many:
        assert len(client.get(path).get_data()) > 0
    assert len(many) == len(few), (few, many)
    assert len(many) <= LARGER_BOUNDS.get(path, 25), many


# --- an event in a series, and the pages of series and proposals ----------------------------


@pytest.fixture
def in_series(store, make_event, make_checkout, client):
    """breda-2026 in the series `samen` with zwolle-2026, which holds three checkouts, and a
    proposal waiting; breda-2026 is active again."""
    from popupstore.events.services import activate_event, get_event
    from popupstore.proposals.services import submit_proposal
    from popupstore.series.services import add_event_to_series, create_series

    zwolle = make_event("zwolle-2026", name="Zwolle", city="Zwolle", active=True)
    series = create_series("samen", name="Samen")
    add_event_to_series(series, store)
    add_event_to_series(series, zwolle)
    db.session.commit()
    for i in range(3):
        make_checkout(
            {PRODUCTS[i]: "want", PRODUCTS[i + 1]: "have"},
            name=f"Z{i}",
            organisation=ORGANISATIONS[i + 3],
            event="zwolle-2026",
            across_series=True,
        )
    activate_event(get_event("breda-2026"))
    submit_proposal(
        store,
        {"name": "Budgetcafé", "pitch": "Inloop.", "description": "Inloop.", "organisation": "X"},
    )
    db.session.commit()


def fill_across(make_checkout, count: int, start: int = 0) -> dict[str, Any]:
    last: dict[str, Any] = {}
    for i in range(start, start + count):
        items = {PRODUCTS[i % 5]: "want", PRODUCTS[(i + 2) % 5]: "have"}
        last = make_checkout(
            items, name=f"V{i}", organisation=ORGANISATIONS[i % 8], across_series=True
        )
    return last


def forget_indexes() -> None:
    from popupstore.series.index import forget_series_indexes

    forget_event_indexes()
    forget_series_indexes()


@pytest.mark.parametrize("path", ["/r/{token}", "/r/{token}/partners", "/api/v1/receipts/{token}"])
def test_receipts_in_a_series_need_the_same_queries_for_few_or_many_checkouts(
    client, in_series, make_checkout, path
):
    mine = fill_across(make_checkout, 3)
    url = path.format(token=mine["token"])
    assert fresh_request(client, "GET", url).status_code == 200
    kept_pages().clear()
    forget_indexes()
    with counted() as few:
        body = client.get(url).get_data(as_text=True)
    assert "Z0" in body or "Z1" in body or "Z2" in body  # a series match from Zwolle
    fill_across(make_checkout, 40, start=3)
    forget_indexes()
    with counted() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), (few, many)
    # Cold: both days' indexes and the series' index are built within this request.
    assert len(many) <= 20, many


SERIES_PAGES = [
    "/organisator/reeksen/samen",
    "/facilitator/reeks/samen",
    "/organisator/voorstellen/1",
    "/facilitator/evenement/breda-2026/wand",
    "/facilitator/evenement/breda-2026/wand/live",
    "/afrekenen",
]


@pytest.mark.parametrize("path", SERIES_PAGES)
def test_series_and_proposal_pages_need_the_same_queries_for_few_or_many_checkouts(
    client, in_series, make_checkout, login, path
):
    login("organiser")
    client.post("/mandje/geldfit", data={"intent": "want"})
    fill_across(make_checkout, 3)
    assert fresh_request(client, "GET", path).status_code == 200
    forget_indexes()
    with counted() as few:
        assert len(client.get(path).get_data()) > 0
    fill_across(make_checkout, 40, start=3)
    forget_indexes()
    with counted() as many:
        assert len(client.get(path).get_data()) > 0
    assert len(many) == len(few), (few, many)
    assert len(many) <= 25, many


def test_the_series_stats_api_needs_the_same_queries_for_few_or_many(
    client, in_series, make_checkout, api_token
):
    headers = {"Authorization": f"Bearer {api_token('organiser')}"}
    fill_across(make_checkout, 3)
    forget_indexes()
    with counted() as few:
        assert client.get("/api/v1/series/samen/stats", headers=headers).status_code == 200
    fill_across(make_checkout, 40, start=3)
    forget_indexes()
    with counted() as many:
        assert client.get("/api/v1/series/samen/stats", headers=headers).status_code == 200
    assert len(many) == len(few), (few, many)
    # A kept receipt page is rendered once per change of its event; rendering it takes
    # the checkout, the event, its baskets, roles, plan, agreements and proposals.
    assert len(many) <= 14, many
