"""Statistics of one event or of several, for the organiser's report and the stats API.

The baskets come from the event index the matching engine keeps (`basket.index`), so
an erased checkout counts nowhere here either; what baskets do not carry (organisation
type, role, matches shown) is counted in the database over the same checkouts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from ..agreements.services import count_agreements
from ..basket.index import event_index
from ..basket.models import Checkout
from ..catalog.services import ProductPopularity, most_chosen
from ..events.models import Event
from ..extensions import db
from ..matching import Basket, PairCount, ProductCount, overlap
from ..organisations import UNKNOWN_PROVINCE, clean_text, fold, provinces

# The label of checkouts that left the role empty.
NO_ROLE = ""


@dataclass(frozen=True, slots=True)
class Count:
    """How many checkouts fall under one label (a province, a type, a role, a basket size)."""

    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Statistics:
    """What the checkouts of one or more events add up to.

    `products` holds the products with a count above 0 by slug; `pairs` every pair of
    products held together, most frequent first, then by slug; `by_province`,
    `organisation_types` and `roles` are sorted by count, highest first, then by label;
    `basket_sizes` runs from 1 to the largest basket, zeros included.
    """

    checkouts: int
    visitors_sharing: int
    organisations: int
    products: list[ProductCount]
    pairs: list[PairCount]
    by_province: list[Count]
    basket_sizes: list[Count]
    organisation_types: list[Count]
    roles: list[Count]
    matches_shown: int
    agreements: int

    @property
    def lines(self) -> int:
        return sum(p.want + p.have for p in self.products)

    def top_products(
        self, names: Mapping[str, str], limit: int | None = None
    ) -> list[ProductPopularity]:
        """The products in `most_chosen` order (by name after the count), at most `limit`."""
        ranked = most_chosen({p.product: (p.want, p.have) for p in self.products}, names)
        return ranked[:limit] if limit is not None else ranked

    def every_province(self) -> list[Count]:
        """All twelve provinces in name order, zeros included, then `onbekend`."""
        counts = {c.label: c.count for c in self.by_province}
        names = [*provinces(), UNKNOWN_PROVINCE]
        return [Count(name, counts.get(name, 0)) for name in names]


@dataclass(frozen=True, slots=True)
class EventSummary:
    """One event's line in the side-by-side comparison."""

    event: Event
    statistics: Statistics


def _ranked(counter: Counter[str]) -> list[Count]:
    return [Count(label, n) for label, n in sorted(counter.items(), key=lambda i: (-i[1], i[0]))]


def _basket_sizes(baskets: Sequence[Basket]) -> list[Count]:
    sizes = Counter(len(b.items) for b in baskets)
    largest = max(sizes, default=0)
    return [Count(str(size), sizes.get(size, 0)) for size in range(1, largest + 1)]


def _checkout_details(event_ids: Sequence[int]) -> tuple[list[Count], list[Count], int]:
    """Organisation types, roles (folded, shown in their most used spelling), matches shown."""
    where = Checkout.event_id.in_(event_ids) & Checkout.hidden_at.is_(None)
    types: Counter[str] = Counter(
        dict(
            db.session.execute(
                select(Checkout.organisation_type, func.count(Checkout.id))
                .where(where)
                .group_by(Checkout.organisation_type)
            ).all()
        )
    )
    role_counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    rows = db.session.execute(
        select(Checkout.role, func.count(Checkout.id)).where(where).group_by(Checkout.role)
    )
    for role, count in rows:
        text = clean_text(role or "")
        key = fold(text)
        role_counts[key] += count
        spellings.setdefault(key, Counter())[text] += count
    roles: Counter[str] = Counter()
    for key, count in role_counts.items():
        # The most used spelling; a tie goes to the one that sorts first (capitals first).
        shown = min(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0]
        roles[shown] += count
    shown_total = db.session.execute(
        select(func.coalesce(func.sum(Checkout.matches_shown), 0)).where(where)
    ).scalar_one()
    return _ranked(types), _ranked(roles), int(shown_total)


def statistics(events: Iterable[Event]) -> Statistics:
    """The statistics of these events taken together (one event, or all of them)."""
    events = list(events)
    baskets = [basket for event in events for basket in event_index(event).baskets()]
    counted = overlap(baskets)
    event_ids = [e.id for e in events]
    types, roles, matches_shown = _checkout_details(event_ids)
    return Statistics(
        checkouts=counted.checkouts,
        visitors_sharing=sum(1 for b in baskets if b.share_contact),
        organisations=len({b.organisation for b in baskets}),
        products=counted.products,
        pairs=sorted(counted.pairs, key=lambda p: (-p.count, p.a, p.b)),
        by_province=_ranked(Counter(b.province for b in baskets)),
        basket_sizes=_basket_sizes(baskets),
        organisation_types=types,
        roles=roles,
        matches_shown=matches_shown,
        agreements=count_agreements(events),
    )


def compare_events(events: Iterable[Event]) -> list[EventSummary]:
    """Each event with its own statistics, oldest first, for the side-by-side comparison."""
    ordered = sorted(events, key=lambda e: (e.date, e.name))
    return [EventSummary(event, statistics([event])) for event in ordered]
