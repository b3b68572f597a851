"""Each worker's match index per event: the copy of an event's baskets that matching uses.

The database stays the source of truth. On every use the index reads the event's two named
versions (`popupstore.versions`): when only `checkouts:<id>` moved on, it loads the
checkouts numbered above the highest it holds (receipt numbers are taken under a row lock
held until commit, so they become visible in order and none is skipped); when `event:<id>`
moved on (an erasure, a purge, a checkout hidden or shown), it loads the event anew. The
versions are read before the rows, so a change that lands in between only costs a reload.

What a basket holds follows the consent rules: a purged or hidden checkout never consents
(a hidden one is left out altogether), and a municipality is shown by the name it uses.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from .. import versions
from ..catalog.models import Product
from ..events.models import Event
from ..extensions import db
from ..matching import Basket, EventIndex
from ..organisations import display_name
from .models import BasketLine, Checkout

EXTENSION = "popupstore_event_indexes"
CACHED_EVENTS = 8


@dataclass(slots=True)
class _Entry:
    added: int
    changed: int
    index: EventIndex


class EventIndexes:
    """The indexes of the events a worker used last, each with the versions it holds."""

    def __init__(self, size: int = CACHED_EVENTS) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.entries: OrderedDict[int, _Entry] = OrderedDict()


def _indexes() -> EventIndexes:
    found = current_app.extensions.get(EXTENSION)
    if found is None:
        found = current_app.extensions.setdefault(EXTENSION, EventIndexes())
    indexes: EventIndexes = found
    return indexes


def basket_of(checkout: Checkout) -> Basket:
    """A checkout as the matching engine sees it."""
    return _basket(
        checkout.number,
        {line.product.slug: line.intent for line in checkout.lines},
        checkout,
    )


def _basket(number: int, items: dict[str, str], row: Any) -> Basket:
    return Basket(
        number=number,
        items=items,  # type: ignore[arg-type]
        organisation=row.organisation_key,
        organisation_name=display_name(row.organisation_key, row.organisation_name),
        province=row.province,
        # A purged checkout has no name left and never consents again.
        share_contact=bool(row.share_contact and row.visitor_name is not None),
        name=row.visitor_name,
        across_series=bool(row.across_series and row.visitor_name is not None),
    )


def load_baskets(event_id: int, above: int = 0) -> list[Basket]:
    """The event's visible baskets numbered above `above`, in number order, in two queries."""
    visible = (
        Checkout.event_id == event_id,
        Checkout.number > above,
        Checkout.hidden_at.is_(None),
    )
    rows = db.session.execute(
        select(
            Checkout.id,
            Checkout.number,
            Checkout.organisation_key,
            Checkout.organisation_name,
            Checkout.province,
            Checkout.share_contact,
            Checkout.visitor_name,
            Checkout.across_series,
        )
        .where(*visible)
        .order_by(Checkout.number)
    ).all()
    if not rows:
        return []
    items: dict[int, dict[str, str]] = {row.id: {} for row in rows}
    lines = db.session.execute(
        select(BasketLine.checkout_id, Product.slug, BasketLine.intent)
        .join(Product, Product.id == BasketLine.product_id)
        .join(Checkout, Checkout.id == BasketLine.checkout_id)
        .where(*visible)
    )
    for checkout_id, slug, intent in lines:
        if checkout_id in items:
            items[checkout_id][slug] = intent
    # A checkout is stored with its lines in one transaction; never one without.
    return [_basket(row.number, items[row.id], row) for row in rows if items[row.id]]


def event_index(event: Event) -> EventIndex:
    """All current baskets of `event`, brought up to date with the database."""
    added, changed = versions.current(*versions.event_names(event.id))
    indexes = _indexes()
    with indexes.lock:
        entry = indexes.entries.get(event.id)
        if entry is None or entry.changed != changed:
            entry = _Entry(added, changed, EventIndex(load_baskets(event.id)))
            indexes.entries[event.id] = entry
        elif entry.added != added:
            for basket in load_baskets(event.id, above=entry.index.max_number):
                entry.index.add(basket)
            entry.added = added
        indexes.entries.move_to_end(event.id)
        while len(indexes.entries) > indexes.size:
            indexes.entries.popitem(last=False)
        return entry.index


def intent_counts(event: Event) -> dict[str, tuple[int, int]]:
    """Per product slug: how many checkouts of the event want it and how many have it."""
    return event_index(event).intent_counts()


def forget_event_indexes() -> None:
    """Drop this worker's indexes, so the next use loads every event from the database."""
    indexes = _indexes()
    with indexes.lock:
        indexes.entries.clear()
