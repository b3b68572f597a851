"""The bridge between stored checkouts and the pure matching engine.

Each process keeps the baskets of recently used events in an `EventIndex`. The
database stays the source of truth: on every use the cache compares the event's
`data_version` (bumped when checkouts are erased or purged) and loads only the
checkouts numbered above what it already holds. Receipt numbers of an event are
taken under a row lock held until commit, so they become visible in order and
"everything above the highest number I hold" never skips one. This works the
same with any number of server processes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy import select

from ..catalog.models import Product
from ..events.models import Event
from ..extensions import db
from ..matching import Basket, EventIndex
from .models import BasketLine, Checkout

CACHED_EVENTS = 8


@dataclass(slots=True)
class _Entry:
    version: int
    index: EventIndex


_lock = threading.Lock()
_entries: OrderedDict[tuple[str, int, str], _Entry] = OrderedDict()


def basket_of(checkout: Checkout) -> Basket:
    return Basket(
        number=checkout.number,
        items={line.product.slug: line.intent for line in checkout.lines},  # type: ignore[misc]
        organisation=checkout.organisation_key,
        organisation_name=checkout.organisation_name,
        province=checkout.province,
        share_contact=checkout.share_contact,
        name=checkout.visitor_name,
    )


def load_baskets(event_id: int, above: int = 0) -> list[Basket]:
    """The event's baskets with a number above `above`, in number order, in two queries."""
    rows = db.session.execute(
        select(
            Checkout.id,
            Checkout.number,
            Checkout.organisation_key,
            Checkout.organisation_name,
            Checkout.province,
            Checkout.share_contact,
            Checkout.visitor_name,
        )
        .where(Checkout.event_id == event_id, Checkout.number > above)
        .order_by(Checkout.number)
    ).all()
    if not rows:
        return []
    items: dict[int, dict[str, str]] = {row.id: {} for row in rows}
    lines = db.session.execute(
        select(BasketLine.checkout_id, Product.slug, BasketLine.intent)
        .join(Product, Product.id == BasketLine.product_id)
        .join(Checkout, Checkout.id == BasketLine.checkout_id)
        .where(Checkout.event_id == event_id, Checkout.number > above)
    )
    for checkout_id, slug, intent in lines:
        if checkout_id in items:
            items[checkout_id][slug] = intent
    return [
        Basket(
            number=row.number,
            items=items[row.id],  # type: ignore[arg-type]
            organisation=row.organisation_key,
            organisation_name=row.organisation_name,
            province=row.province,
            share_contact=row.share_contact,
            name=row.visitor_name,
        )
        for row in rows
        # A checkout is stored with its lines in one transaction; never one without.
        if items[row.id]
    ]


def _cache_key(event: Event) -> tuple[str, int, str]:
    # The creation time tells apart two events that reuse an id in a recreated database.
    return (str(db.engine.url), event.id, event.created_at.isoformat())


def event_index(event: Event) -> EventIndex:
    """All current baskets of `event`, brought up to date with the database."""
    key = _cache_key(event)
    version = event.data_version
    with _lock:
        entry = _entries.get(key)
        if entry is None or entry.version != version:
            entry = _Entry(version=version, index=EventIndex(load_baskets(event.id)))
            _entries[key] = entry
        else:
            for basket in load_baskets(event.id, above=entry.index.max_number):
                entry.index.add(basket)
        _entries.move_to_end(key)
        while len(_entries) > CACHED_EVENTS:
            _entries.popitem(last=False)
        return entry.index


def forget_cached_events() -> None:
    """Drop every cached index (tests and CLI commands that rewrite the database)."""
    with _lock:
        _entries.clear()


def intent_counts(event: Event) -> dict[str, tuple[int, int]]:
    """Per product slug: how many checkouts of the event want it and how many have it."""
    return event_index(event).intent_counts()
