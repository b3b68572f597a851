"""What the facilitator sees of an event: live counts, overlap, conversation groups, plans.

Everything is computed from the event's baskets as the per-process `event_index` holds them
(refreshed from the database on every use), so any number of server workers agree.

Privacy (docs/architecture.md, "Consent"): staff screens show a visitor who did not share
contact details by receipt number only (`StaffVisitor` leaves out their name and
organisation); the wall screen shows receipt numbers and no names at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from .. import versions
from ..agreements.services import AgreementLine, agreement_counts, event_agreements
from ..basket.index import event_index, intent_counts
from ..catalog.services import all_products, product_name_map
from ..errors import ValidationError
from ..events.models import Event
from ..events.services import event_id_for
from ..extensions import db
from ..matching import Basket, EventIndex, event_collaborations, overlap, round_score, seat_tables
from ..matching.tables import MAX_TABLE_SIZE, MIN_TABLE_SIZE
from ..organisations import UNKNOWN_PROVINCE
from ..series.services import series_dependencies
from .charts import Heatmap, Network, heatmap, network_layout
from .models import ConversationPlan
from .pairing import PAIRS_LIMIT, conversation_pairs
from .plans import latest_plan

# Seating 2,000 people takes about 1.2 s and 100 MB; 3,000 already 5 s and 200 MB.
TABLES_LIMIT: Final = 2_000
HEATMAP_PRODUCTS: Final = 16
NETWORK_VISITORS: Final = 80
LINKS_PER_VISITOR: Final = 3
WALL_PRODUCTS: Final = 5
WALL_AGREEMENTS: Final = 6


# --- who is who on a staff screen ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StaffVisitor:
    """A visitor on a staff screen: name and organisation only when they shared contact."""

    number: int
    name: str | None
    organisation: str | None

    @property
    def first_name(self) -> str | None:
        return self.name.split()[0] if self.name and self.name.split() else None


def staff_visitor(basket: Basket) -> StaffVisitor:
    # A purged visitor's basket never consents (`basket.index`).
    if not basket.share_contact:
        return StaffVisitor(basket.number, None, None)
    return StaffVisitor(basket.number, basket.name or None, basket.organisation_name)


# --- live counts and popularity ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductPopularity:
    product: str
    name: str
    want: int
    have: int

    @property
    def total(self) -> int:
        return self.want + self.have


@dataclass(frozen=True, slots=True)
class LiveSummary:
    checkouts: int
    organisations: int
    provinces: int
    agreements: int
    products: list[ProductPopularity]  # most chosen first, then by name


def product_popularity(event: Event) -> list[ProductPopularity]:
    """Every product in the event's baskets with its want/have split, most chosen first."""
    names = product_name_map()
    ranked = [
        ProductPopularity(slug, names.get(slug, slug), want, have)
        for slug, (want, have) in intent_counts(event).items()
    ]
    ranked.sort(key=lambda p: (-p.total, p.name, p.product))
    return ranked


def live_summary(event: Event) -> LiveSummary:
    baskets = event_index(event).baskets()
    return LiveSummary(
        checkouts=len(baskets),
        organisations=len({b.organisation for b in baskets}),
        provinces=len({b.province for b in baskets} - {UNKNOWN_PROVINCE}),
        agreements=agreement_counts(event),
        products=product_popularity(event),
    )


def live_version(slug: str) -> str | None:
    """Changes whenever anything a live screen of the event may show has changed; None for
    an unknown event. Read from the named versions (`popupstore.versions`), so every worker
    of every server gives the same answer."""
    event_id = event_id_for(slug)
    if event_id is None:
        return None
    # The wall shows the totals of the event's series too (`series.services`).
    names = (versions.CATALOG, *versions.event_names(event_id), *series_dependencies(event_id))
    return f"{event_id}-" + versions.tag(*names)


# --- overlap: heatmap and network ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairRow:
    a: str
    b: str
    count: int


@dataclass(frozen=True, slots=True)
class ProductOverlap:
    heatmap: Heatmap
    pairs: list[PairRow]  # every pair held together, most often first
    products: int  # products chosen at all; the heatmap shows the first HEATMAP_PRODUCTS


def product_overlap(event: Event) -> ProductOverlap:
    counted = overlap(event_index(event).baskets())
    names = product_name_map()
    holders = {p.product: p.want + p.have for p in counted.products}
    shown = sorted(holders, key=lambda slug: (-holders[slug], names.get(slug, slug)))
    shown = shown[:HEATMAP_PRODUCTS]
    pairs = {(p.a, p.b): p.count for p in counted.pairs}
    rows = [PairRow(names.get(p.a, p.a), names.get(p.b, p.b), p.count) for p in counted.pairs]
    rows.sort(key=lambda row: (-row.count, row.a, row.b))
    return ProductOverlap(
        heatmap=heatmap([(slug, names.get(slug, slug)) for slug in shown], holders, pairs),
        pairs=rows,
        products=len(holders),
    )


@dataclass(frozen=True, slots=True)
class VisitorNetwork:
    network: Network
    visitors: int  # in the event; the picture shows the last NETWORK_VISITORS of them


def _strongest_links(
    index: EventIndex, baskets: Sequence[Basket]
) -> list[tuple[int, int, tuple[str, ...], float]]:
    """Each visitor's LINKS_PER_VISITOR strongest links to the others (event-wide scores)."""
    holders: dict[str, list[Basket]] = {}
    for basket in baskets:
        for product in basket.items:
            holders.setdefault(product, []).append(basket)
    scores: dict[tuple[int, int], float] = {}
    for group in holders.values():
        for position, a in enumerate(group):
            for b in group[position + 1 :]:
                key = (a.number, b.number) if a.number < b.number else (b.number, a.number)
                if key not in scores:
                    scores[key] = index.score(a, b)
    by_visitor: dict[int, list[tuple[float, int, tuple[int, int]]]] = {}
    for (low, high), score in scores.items():
        rounded = round_score(score)
        by_visitor.setdefault(low, []).append((-rounded, high, (low, high)))
        by_visitor.setdefault(high, []).append((-rounded, low, (low, high)))
    kept = {
        key
        for candidates in by_visitor.values()
        for _, _, key in sorted(candidates)[:LINKS_PER_VISITOR]
    }
    names = product_name_map()
    by_number = {basket.number: basket for basket in baskets}
    return [
        (
            a,
            b,
            tuple(
                names.get(p, p)
                for p in sorted(by_number[a].items.keys() & by_number[b].items.keys())
            ),
            round_score(scores[(a, b)]),
        )
        for a, b in sorted(kept)
    ]


def visitor_network(event: Event) -> VisitorNetwork:
    """The last NETWORK_VISITORS visitors, each joined to their strongest links."""
    index = event_index(event)
    baskets = index.baskets()
    shown = baskets[-NETWORK_VISITORS:]
    visitors = []
    for basket in shown:
        who = staff_visitor(basket)
        label = who.first_name or str(_l("bon %(number)d", number=basket.number))
        visitors.append((basket.number, label, who.first_name is not None))
    network = network_layout(visitors, _strongest_links(index, shown))
    return VisitorNetwork(network=network, visitors=len(baskets))


# --- conversation groups per product -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductGroup:
    product: str
    name: str
    owner: str
    wanting: list[StaffVisitor]
    doing: list[StaffVisitor]  # "doen we al": the ones to learn from
    organisations: list[str]  # of the visitors who shared contact details


def conversation_groups(event: Event) -> list[ProductGroup]:
    """Per chosen product: who wants it, who already does it, from which organisations."""
    products = {p.slug: p for p in all_products()}
    holders: dict[str, list[Basket]] = {}
    for basket in event_index(event).baskets():
        for product in basket.items:
            holders.setdefault(product, []).append(basket)
    groups = []
    for slug, baskets in holders.items():
        found = products.get(slug)
        groups.append(
            ProductGroup(
                product=slug,
                name=found.name if found else slug,
                owner=found.owner if found else "",
                wanting=[staff_visitor(b) for b in baskets if b.items[slug] == "want"],
                doing=[staff_visitor(b) for b in baskets if b.items[slug] == "have"],
                organisations=sorted({b.organisation_name for b in baskets if b.share_contact}),
            )
        )
    groups.sort(key=lambda g: (-(len(g.wanting) + len(g.doing)), g.name, g.product))
    return groups


# --- collaborations ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CollaborationSuggestion:
    product: str
    name: str
    province: str
    organisations: tuple[str, ...]
    owner: str
    contact: str | None


def collaboration_suggestions(event: Event) -> list[CollaborationSuggestion]:
    """Products wanted by two or more organisations of one province, with whom to ask."""
    products = {p.slug: p for p in all_products()}
    owners = {slug: product.owner for slug, product in products.items()}
    suggestions = []
    for found in event_collaborations(event_index(event).baskets(), owners):
        product = products.get(found.product)
        suggestions.append(
            CollaborationSuggestion(
                product=found.product,
                name=product.name if product else found.product,
                province=found.province,
                organisations=found.organisations,
                owner=found.owner,
                contact=product.contact if product else None,
            )
        )
    return suggestions


# --- tables and pairs ----------------------------------------------------------------------


def _check_sizes(min_size: Any, max_size: Any) -> None:
    fields: dict[str, str] = {}
    for name, value in (("min_size", min_size), ("max_size", max_size)):
        if isinstance(value, bool) or not isinstance(value, int):
            fields[name] = str(_l("Vul een heel getal in."))
        elif not MIN_TABLE_SIZE <= value <= MAX_TABLE_SIZE:
            fields[name] = str(
                _l("Kies %(low)d tot en met %(high)d.", low=MIN_TABLE_SIZE, high=MAX_TABLE_SIZE)
            )
    if not fields and min_size > max_size:
        fields["min_size"] = str(_l("Mag niet groter zijn dan het grootste aantal."))
    if fields:
        raise ValidationError(str(_l("De tafelgrootte klopt niet.")), fields)


def _event_baskets(event: Event, limit: int, too_many: str) -> list[Basket]:
    baskets = event_index(event).baskets()
    if len(baskets) < 2:
        raise ValidationError(str(_l("Er zijn nog te weinig bonnen om in te delen.")))
    if len(baskets) > limit:
        raise ValidationError(too_many)
    return baskets


def _store_plan(
    event: Event, kind: str, plan: dict[str, Any], checkouts: int, **sizes: int
) -> ConversationPlan:
    # Only the newest plan of each kind counts; older ones would only confuse the wall.
    db.session.execute(
        delete(ConversationPlan)
        .where(ConversationPlan.event_id == event.id, ConversationPlan.kind == kind)
        # The new plan stored below bumps the event's versions.
        .execution_options(bumps=())
    )
    stored = ConversationPlan(event_id=event.id, kind=kind, plan=plan, checkouts=checkouts, **sizes)
    db.session.add(stored)
    db.session.flush()
    return stored


def make_table_plan(event: Event, min_size: int = 4, max_size: int = 6) -> ConversationPlan:
    """Seat every checkout of the event at a table (`seat_tables`) and store the plan.

    Raises ValidationError for sizes outside 2..12 or min > max, with fewer than two
    checkouts, or above TABLES_LIMIT checkouts.
    """
    _check_sizes(min_size, max_size)
    baskets = _event_baskets(
        event,
        TABLES_LIMIT,
        str(
            _l(
                "Tafels indelen kan tot %(limit)d bezoekers; dit evenement heeft er meer.",
                limit=TABLES_LIMIT,
            )
        ),
    )
    seating = seat_tables(baskets, min_size=min_size, max_size=max_size)
    plan = {
        "tables": [
            {"topic": t.topic, "members": list(t.members), "score": t.score} for t in seating.tables
        ],
        "total_score": seating.total_score,
    }
    return _store_plan(event, "tables", plan, len(baskets), min_size=min_size, max_size=max_size)


def make_pair_plan(event: Event) -> ConversationPlan:
    """Pair up the event's checkouts for 1:1 conversations and store the pairs.

    Raises ValidationError with fewer than two checkouts or above PAIRS_LIMIT of them.
    """
    baskets = _event_baskets(
        event,
        PAIRS_LIMIT,
        str(
            _l(
                "Duo's maken kan tot %(limit)d bezoekers; deel de zaal op in tafels.",
                limit=PAIRS_LIMIT,
            )
        ),
    )
    pairing = conversation_pairs(baskets)
    plan = {"pairs": [list(pair) for pair in pairing.pairs], "unpaired": pairing.unpaired}
    return _store_plan(event, "pairs", plan, len(baskets))


@dataclass(frozen=True, slots=True)
class PlanTable:
    number: int
    topic: str
    topic_name: str
    members: list[StaffVisitor]
    score: float


@dataclass(frozen=True, slots=True)
class PlanView:
    """A stored plan as it stands now: erased visitors left out, newcomers listed apart."""

    kind: str
    created_at: datetime
    min_size: int | None
    max_size: int | None
    tables: list[PlanTable] = field(default_factory=list)
    pairs: list[tuple[StaffVisitor, StaffVisitor]] = field(default_factory=list)
    unpaired: list[StaffVisitor] = field(default_factory=list)
    newcomers: list[StaffVisitor] = field(default_factory=list)  # came after the plan
    erased: int = 0  # seated in the plan, erased since
    total_score: float | None = None


def plan_view(event: Event, kind: str) -> PlanView | None:
    """The newest stored plan of `kind` for the event, checked against who is there now."""
    stored = latest_plan(event, kind)
    if stored is None:
        return None
    present = {basket.number: basket for basket in event_index(event).baskets()}
    names = product_name_map()
    planned: set[int] = set()
    tables: list[PlanTable] = []
    pairs: list[tuple[StaffVisitor, StaffVisitor]] = []
    unpaired: list[StaffVisitor] = []
    for table in stored.plan.get("tables", []):
        planned.update(table["members"])
        members = [staff_visitor(present[n]) for n in table["members"] if n in present]
        if members:
            topic = table["topic"]
            tables.append(
                PlanTable(len(tables) + 1, topic, names.get(topic, topic), members, table["score"])
            )
    for a, b in stored.plan.get("pairs", []):
        planned.update((a, b))
        if a in present and b in present:
            pairs.append((staff_visitor(present[a]), staff_visitor(present[b])))
        else:
            unpaired.extend(staff_visitor(present[n]) for n in (a, b) if n in present)
    planned.update(stored.plan.get("unpaired", []))
    unpaired.extend(
        staff_visitor(present[n]) for n in stored.plan.get("unpaired", []) if n in present
    )
    unpaired.sort(key=lambda visitor: visitor.number)
    return PlanView(
        kind=stored.kind,
        created_at=stored.created_at,
        min_size=stored.min_size,
        max_size=stored.max_size,
        tables=tables,
        pairs=pairs,
        unpaired=unpaired,
        newcomers=[staff_visitor(b) for n, b in sorted(present.items()) if n not in planned],
        erased=len(planned - present.keys()),
        total_score=stored.plan.get("total_score"),
    )


# --- the wall screen -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WallView:
    checkouts: int
    products: list[ProductPopularity]
    tables: PlanView | None
    pairs: PlanView | None
    agreements: list[AgreementLine]


def wall_view(event: Event) -> WallView:
    """What the wall shows; its template prints receipt numbers, never names."""
    return WallView(
        checkouts=len(event_index(event)),
        products=product_popularity(event)[:WALL_PRODUCTS],
        tables=plan_view(event, "tables"),
        pairs=plan_view(event, "pairs"),
        agreements=event_agreements(event, limit=WALL_AGREEMENTS),
    )
