"""What the facilitator sees of an event: live counts, overlap, conversation groups, plans.

Everything is computed from the event's baskets as the per-process `event_index` holds them
(refreshed from the database on every use), so any number of server workers agree.

Privacy (docs/architecture.md, "Consent"): staff screens show a visitor who did not share
contact details by receipt number only (`StaffVisitor` leaves out their name and
organisation); the wall screen shows receipt numbers and no names at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from .. import versions
from ..agreements.services import AgreementLine, count_agreements, event_agreements
from ..basket.index import event_index, intent_counts
from ..catalog.services import (
    ProductPopularity,
    all_products,
    most_chosen,
    product_name_map,
)
from ..charts import Heatmap, Network, heatmap, network_layout
from ..errors import ValidationError
from ..events.models import Event
from ..events.services import event_id_for
from ..extensions import db
from ..matching import (
    Basket,
    EventIndex,
    SeatedTable,
    Starter,
    conversation_pairs,
    conversation_starter,
    event_collaborations,
    overlap,
    pair_latecomers,
    round_score,
    seat_latecomers,
    seat_tables,
    with_trios,
)
from ..matching.tables import (
    DEFAULT_MAX_SIZE,
    DEFAULT_MIN_SIZE,
    MAX_TABLE_SIZE,
    MIN_TABLE_SIZE,
    TablePlan,
    TableSizeError,
    TableSizeProblem,
    check_table_sizes,
)
from ..organisations import UNKNOWN_PROVINCE
from ..series.services import series_dependencies
from .models import ConversationPlan
from .plans import latest_plan, table_numbers
from .rounds import RoundState, round_state

HEATMAP_PRODUCTS: Final = 16
NETWORK_VISITORS: Final = 80
LINKS_PER_VISITOR: Final = 3
WALL_PRODUCTS: Final = 5
WALL_AGREEMENTS: Final = 6
# The facilitator's buttons make a plan from two visitors on.
PLANNED_AT_LEAST: Final = 2


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
class LiveSummary:
    checkouts: int
    organisations: int
    provinces: int
    agreements: int
    products: list[ProductPopularity]  # most_chosen order


def product_popularity(event: Event) -> list[ProductPopularity]:
    """Every product in the event's baskets with its want/have split (`most_chosen`)."""
    return most_chosen(intent_counts(event), product_name_map())


def live_summary(event: Event) -> LiveSummary:
    baskets = event_index(event).baskets()
    return LiveSummary(
        checkouts=len(baskets),
        organisations=len({b.organisation for b in baskets}),
        provinces=len({b.province for b in baskets} - {UNKNOWN_PROVINCE}),
        agreements=count_agreements([event]),
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
    names = (
        versions.CATALOG,
        versions.EVENTS,
        *versions.event_names(event_id),
        versions.event_round(event_id),
        *series_dependencies(event_id),
    )
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
    ranked = most_chosen({p.product: (p.want, p.have) for p in counted.products}, names)
    shown = [p.product for p in ranked[:HEATMAP_PRODUCTS]]
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
    """Per product someone wants: who wants it, who already does it, and from which
    organisations; most "wil ik" first (ties in `most_chosen` order).

    A product that every holder already does ("doen we al"), such as a statutory duty, is no
    conversation: nobody has a question about it, so it has no group (`done_by_all`)."""
    products = {p.slug: p for p in all_products()}
    index = event_index(event)
    holders: dict[str, list[Basket]] = {}
    for basket in index.baskets():
        for product in basket.items:
            holders.setdefault(product, []).append(basket)
    groups = []
    names = {slug: product.name for slug, product in products.items()}
    for ranked in most_chosen(index.intent_counts(), names):
        slug, baskets = ranked.product, holders[ranked.product]
        found = products.get(slug)
        groups.append(
            ProductGroup(
                product=slug,
                name=ranked.name,
                owner=found.owner if found else "",
                wanting=[staff_visitor(b) for b in baskets if b.items[slug] == "want"],
                doing=[staff_visitor(b) for b in baskets if b.items[slug] == "have"],
                organisations=sorted({b.organisation_name for b in baskets if b.share_contact}),
            )
        )
    wanted = [group for group in groups if group.wanting]
    # sorted() is stable: equal wants keep the most_chosen order.
    return sorted(wanted, key=lambda group: -len(group.wanting))


def done_by_all(event: Event) -> list[str]:
    """Names of the chosen products that every holder already does (no conversation group),
    in `most_chosen` order."""
    return [
        ranked.name
        for ranked in most_chosen(event_index(event).intent_counts(), product_name_map())
        if ranked.want == 0
    ]


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


def _size_message(problem: TableSizeProblem) -> str:
    if problem is TableSizeProblem.NOT_WHOLE:
        return str(_l("Vul een heel getal in."))
    if problem is TableSizeProblem.OUT_OF_RANGE:
        return str(_l("Kies %(low)d tot en met %(high)d.", low=MIN_TABLE_SIZE, high=MAX_TABLE_SIZE))
    return str(_l("Mag niet groter zijn dan het grootste aantal."))


def table_sizes_or_error(min_size: object, max_size: object) -> tuple[int, int]:
    """The sizes as ints under the table-size rule (`check_table_sizes`); a ValidationError
    names each field that breaks it, in Dutch."""
    try:
        return check_table_sizes(min_size, max_size)
    except TableSizeError as error:
        fields = {name: _size_message(problem) for name, problem in error.problems.items()}
        raise ValidationError(str(_l("De tafelgrootte klopt niet.")), fields) from None


def _event_baskets(event: Event, limit: int, too_many: str, minimum: int) -> list[Basket]:
    baskets = event_index(event).baskets()
    if len(baskets) < minimum:
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


def make_table_plan(
    event: Event,
    min_size: object = DEFAULT_MIN_SIZE,
    max_size: object = DEFAULT_MAX_SIZE,
    *,
    minimum_checkouts: int = 0,
) -> ConversationPlan:
    """Seat every checkout of the event at a table (`seat_tables`) and store the plan as the
    event's newest, which the tables page and the wall show.

    `plan` holds the API's answer: {"tables": [{"topic", "members", "score"}],
    "total_score"}. Raises ValidationError for sizes that break the table-size rule, above
    the TABLES_LIMIT setting, or below `minimum_checkouts` checkouts (the facilitator's
    button asks for PLANNED_AT_LEAST; the API takes any event: no checkouts, no tables).
    """
    min_size, max_size = table_sizes_or_error(min_size, max_size)
    limit = current_app.config["TABLES_LIMIT"]
    baskets = _event_baskets(
        event,
        limit,
        str(
            _l(
                "Tafels indelen kan tot %(limit)d bezoekers; dit evenement heeft er meer.",
                limit=limit,
            )
        ),
        minimum_checkouts,
    )
    seating = seat_tables(baskets, min_size=min_size, max_size=max_size)
    return _store_plan(
        event, "tables", _tables_json(seating), len(baskets), min_size=min_size, max_size=max_size
    )


def _tables_json(seating: TablePlan) -> dict[str, Any]:
    return {
        "tables": [
            {"topic": t.topic, "members": list(t.members), "score": t.score} for t in seating.tables
        ],
        "total_score": seating.total_score,
    }


@dataclass(frozen=True, slots=True)
class SeatedLatecomer:
    number: int
    table: int  # as the screens number tables (`plans.table_numbers`)


def seat_latecomers_in_plan(event: Event) -> list[SeatedLatecomer]:
    """Seat everyone who checked out after the event's table plan was made, without moving
    anyone already seated or changing a topic (`seat_latecomers`), and store the plan.

    Returns who was seated at which table, by receipt number (empty when nobody was
    waiting). Raises ValidationError when there is no table plan yet, or above the
    TABLES_LIMIT setting.
    """
    stored = latest_plan(event, "tables")
    if stored is None:
        raise ValidationError(str(_l("Er is nog geen tafelindeling. Deel eerst de tafels in.")))
    limit = current_app.config["TABLES_LIMIT"]
    baskets = _event_baskets(
        event,
        limit,
        str(
            _l(
                "Tafels indelen kan tot %(limit)d bezoekers; dit evenement heeft er meer.",
                limit=limit,
            )
        ),
        0,
    )
    tables = [SeatedTable(t["topic"], tuple(t["members"])) for t in stored.plan.get("tables", [])]
    already = {number for table in tables for number in table.members}
    seating = seat_latecomers(
        tables,
        baskets,
        stored.min_size or DEFAULT_MIN_SIZE,
        stored.max_size or DEFAULT_MAX_SIZE,
    )
    # A new dict, so the JSON column is written (and the event's versions bumped).
    stored.plan = _tables_json(seating)
    stored.checkouts = len(baskets)
    db.session.flush()
    numbers = table_numbers(event)
    return [
        SeatedLatecomer(basket.number, numbers[basket.number])
        for basket in baskets
        if basket.number not in already and basket.number in numbers
    ]


def _pair_baskets(event: Event, minimum: int) -> list[Basket]:
    """The event's baskets for 1:1 pairs, refused above the PAIRS_LIMIT setting."""
    limit = current_app.config["PAIRS_LIMIT"]
    too_many = _l(
        "Duo's maken kan tot %(limit)d bezoekers; deel de zaal op in tafels.", limit=limit
    )
    return _event_baskets(event, limit, str(too_many), minimum)


def make_pair_plan(event: Event) -> ConversationPlan:
    """Pair up the event's checkouts for 1:1 conversations and store the pairs; an odd one
    out joins a pair as a trio (`with_trios`). `plan` holds {"pairs": [[number, ...]],
    "unpaired": [number]}: groups of two or three.

    Raises ValidationError with fewer than two checkouts or above the PAIRS_LIMIT setting.
    """
    baskets = _pair_baskets(event, PLANNED_AT_LEAST)
    conversation = with_trios(conversation_pairs(baskets), baskets)
    plan = {
        "pairs": [list(group) for group in conversation.groups],
        "unpaired": conversation.unpaired,
    }
    return _store_plan(event, "pairs", plan, len(baskets))


@dataclass(frozen=True, slots=True)
class PairedLatecomer:
    number: int
    group: tuple[int, ...]  # the whole duo or trio they are now in, by receipt number


def pair_latecomers_in_plan(event: Event) -> list[PairedLatecomer]:
    """Give everyone who checked out after the event's pairs were made (and anyone whose
    partner erased) a duo or a trio, without splitting a group that still talks
    (`pair_latecomers`), and store the round.

    Returns who joined which group, by receipt number (empty when nobody was waiting).
    Raises ValidationError when there are no pairs yet, or above the PAIRS_LIMIT setting.
    """
    stored = latest_plan(event, "pairs")
    if stored is None:
        raise ValidationError(str(_l("Er zijn nog geen duo's. Maak eerst de duo's.")))
    baskets = _pair_baskets(event, 0)
    groups = stored.plan.get("pairs", [])
    conversation = pair_latecomers(groups, baskets)
    # A new dict, so the JSON column is written (and the event's versions bumped).
    stored.plan = {
        "pairs": [list(group) for group in conversation.groups],
        "unpaired": conversation.unpaired,
    }
    stored.checkouts = len(baskets)
    db.session.flush()
    present = {basket.number for basket in baskets}
    talking = {  # still in a group of two or more: they did not move
        number for group in groups if len(present.intersection(group)) >= 2 for number in group
    }
    joined = [
        PairedLatecomer(number, group)
        for group in conversation.groups
        for number in group
        if number not in talking
    ]
    return sorted(joined, key=lambda latecomer: latecomer.number)


@dataclass(frozen=True, slots=True)
class PlanTable:
    number: int
    topic: str
    topic_name: str
    members: list[StaffVisitor]
    score: float
    # Receipt numbers of the members who already do the topic ("doen we al"): ask them.
    doing: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class PlanGroup:
    """A duo or trio of a pairs plan, with a line to start the conversation (or None)."""

    members: list[StaffVisitor]
    starter: str | None


def _who(number: int, people: Sequence[StaffVisitor]) -> str:
    for person in people:
        if person.number == number:
            return person.first_name or str(_l("bon %(number)d", number=number))
    return str(_l("bon %(number)d", number=number))


def _starter_text(
    starter: Starter | None, people: Sequence[StaffVisitor], names: dict[str, str]
) -> str | None:
    """The starter in one Dutch line, naming people as staff screens do (first name with
    consent, else receipt number)."""
    if starter is None:
        return None
    product = names.get(starter.product, starter.product)
    doing = str(_l(" en ")).join(_who(n, people) for n in starter.doing)
    wanting = str(_l(" en ")).join(_who(n, people) for n in starter.wanting)
    if starter.doing and starter.wanting:
        if len(starter.doing) > 1:
            line = _l(
                "%(doing)s doen %(product)s al, %(wanting)s wil het: vraag hoe.",
                doing=doing,
                product=product,
                wanting=wanting,
            )
        elif len(starter.wanting) > 1:
            line = _l(
                "%(doing)s doet %(product)s al, %(wanting)s willen het: vraag hoe.",
                doing=doing,
                product=product,
                wanting=wanting,
            )
        else:
            line = _l(
                "%(doing)s doet %(product)s al, %(wanting)s wil het: vraag hoe.",
                doing=doing,
                product=product,
                wanting=wanting,
            )
        return str(line)
    trio = len(people) > 2
    if starter.wanting:
        if starter.everyone and trio:
            return str(_l("Jullie willen alle drie %(product)s.", product=product))
        if starter.everyone:
            return str(_l("Jullie willen allebei %(product)s.", product=product))
        return str(_l("%(who)s willen allebei %(product)s.", who=wanting, product=product))
    if starter.everyone and trio:
        return str(_l("Jullie doen alle drie %(product)s al: wat werkt?", product=product))
    if starter.everyone:
        return str(_l("Jullie doen allebei %(product)s al: wat werkt?", product=product))
    return str(_l("%(who)s doen allebei %(product)s al: wat werkt?", who=doing, product=product))


@dataclass(frozen=True, slots=True)
class PlanView:
    """A stored plan as it stands now: erased visitors left out, newcomers listed apart."""

    kind: str
    created_at: datetime
    min_size: int | None
    max_size: int | None
    tables: list[PlanTable] = field(default_factory=list)
    # Groups of two or three, each with its conversation starter (None: nothing shared).
    pairs: list[PlanGroup] = field(default_factory=list)
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
    pairs: list[PlanGroup] = []
    unpaired: list[StaffVisitor] = []
    for table in stored.plan.get("tables", []):
        planned.update(table["members"])
        members = [staff_visitor(present[n]) for n in table["members"] if n in present]
        if members:
            topic = table["topic"]
            doing = frozenset(
                n
                for n in table["members"]
                if n in present and present[n].items.get(topic) == "have"
            )
            tables.append(
                PlanTable(
                    len(tables) + 1, topic, names.get(topic, topic), members, table["score"], doing
                )
            )
    holders = Counter(product for basket in present.values() for product in basket.items)
    for group in stored.plan.get("pairs", []):
        planned.update(group)
        still = [present[n] for n in group if n in present]
        if len(still) >= 2:
            starter = conversation_starter(still, holders, len(present))
            people = [staff_visitor(basket) for basket in still]
            pairs.append(PlanGroup(people, _starter_text(starter, people, names)))
        else:
            unpaired.extend(staff_visitor(basket) for basket in still)
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
class WallSeat:
    """One line of the wall's "bon → tafel" list."""

    number: int
    table: int


@dataclass(frozen=True, slots=True)
class WallView:
    checkouts: int
    products: list[ProductPopularity]
    tables: PlanView | None
    pairs: PlanView | None
    agreements: list[AgreementLine]
    round: RoundState

    @property
    def seats(self) -> list[WallSeat]:
        """Every seated visitor's table, by receipt number: what people look up at the wall."""
        if self.tables is None:
            return []
        seats = [WallSeat(v.number, t.number) for t in self.tables.tables for v in t.members]
        return sorted(seats, key=lambda seat: seat.number)


def wall_view(event: Event) -> WallView:
    """What the wall shows; its template prints receipt numbers, never names."""
    return WallView(
        checkouts=len(event_index(event)),
        products=product_popularity(event)[:WALL_PRODUCTS],
        tables=plan_view(event, "tables"),
        pairs=plan_view(event, "pairs"),
        agreements=event_agreements(event, limit=WALL_AGREEMENTS),
        round=round_state(event),
    )
