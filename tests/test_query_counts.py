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
    assert len(many) <= 12, many


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
