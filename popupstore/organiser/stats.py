"""Statistics of one event or of several, for the organiser's report and the stats API.

The baskets come from the event index the matching engine keeps (`basket.index`), so
an erased checkout counts nowhere here either; what baskets do not carry (organisation
type, role, matches shown) is counted in the database over the same checkouts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..agreements.services import count_agreements, event_agreements
from ..basket.index import event_index
from ..basket.models import Checkout
from ..catalog.services import ProductPopularity, most_chosen
from ..events.models import Event
from ..extensions import db
from ..matching import Basket, PairCount, ProductCount, overlap
from ..organisations import (
    UNKNOWN_PROVINCE,
    clean_text,
    find_municipality,
    fold,
    municipalities,
    provinces,
)

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


def event_baskets(events: Iterable[Event]) -> list[Basket]:
    """The current baskets of these events, for `statistics` and `report_figures` to share."""
    return [basket for event in events for basket in event_index(event).baskets()]


def statistics(events: Iterable[Event], baskets: Sequence[Basket] | None = None) -> Statistics:
    """The statistics of these events taken together (one event, or all of them);
    `baskets` are their `event_baskets` when the caller has them already."""
    events = list(events)
    if baskets is None:
        baskets = event_baskets(events)
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


# --- the figures the report answers with -------------------------------------------------------


def reported_events(events: Iterable[Event]) -> list[Event]:
    """The events a report or export over "all events" counts: demo events stay out, since
    their visitors are simulated (`popupstore.demo`) and must never pass for real ones."""
    return [event for event in events if not event.is_demo]


@dataclass(frozen=True, slots=True)
class ProvinceReach:
    """How many of a province's municipalities had at least one visitor, out of how many."""

    province: str
    reached: int
    total: int

    @property
    def percentage(self) -> int:
        return round(100 * self.reached / self.total) if self.total else 0


@dataclass(frozen=True, slots=True)
class ProductGap:
    """A product's demand against its experience: checkouts that want it and that have it.

    `gap` is want minus have: above 0, more visitors want to start than can tell how.
    """

    product: str
    name: str
    want: int
    have: int

    @property
    def gap(self) -> int:
        return self.want - self.have


@dataclass(frozen=True, slots=True)
class RouteSide:
    """The organisations on one side of a knowledge route: those that may be named (a
    consenting visitor chose the product for them), sorted, and how many others there are."""

    named: tuple[str, ...]
    unnamed: int

    @property
    def total(self) -> int:
        return len(self.named) + self.unnamed


@dataclass(frozen=True, slots=True)
class KnowledgeRoute:
    """A "kennisroute": organisations that already run a product, and organisations that
    want to start it and could learn from them (an organisation on both sides counts as
    having it only)."""

    product: str
    name: str
    have: RouteSide
    want: RouteSide


@dataclass(frozen=True, slots=True)
class ReportFigures:
    """What the report adds to the statistics, over the same checkouts.

    `reach` holds the twelve provinces in name order; `gaps` every chosen product, the
    largest gap first (then by name); `routes` the products with organisations on both
    sides, the most wanting organisations first; `agreements` per product, most first;
    `role_kinds` every kind in `ROLE_KINDS` order with "other" and "not given" last.
    """

    reach: list[ProvinceReach]
    gaps: list[ProductGap]
    routes: list[KnowledgeRoute]
    agreements: list[Count]
    role_kinds: list[Count]

    @property
    def municipalities_reached(self) -> int:
        return sum(r.reached for r in self.reach)

    @property
    def municipalities_total(self) -> int:
        return sum(r.total for r in self.reach)


@dataclass(frozen=True, slots=True)
class RoleKind:
    """A few kinds of work that the free-text roles fall into, found by word parts."""

    label: str
    keywords: tuple[str, ...]


# In this order: the first kind with a word part in the folded role wins, so the narrower
# kinds come before the broader ones ("schuldhulpmaatje vrijwilliger" is a volunteer,
# "beleidsmedewerker schuldhulp" works in debt help, "wethouder sociaal domein" in policy).
ROLE_KINDS: tuple[RoleKind, ...] = (
    RoleKind(_l("Vroegsignalering"), ("vroegsignal", "signaler")),
    RoleKind(_l("Vrijwilliger"), ("vrijwillig", "maatje", "buddy")),
    RoleKind(
        _l("Incasso en belastingen"),
        ("incasso", "debiteur", "belasting", "invorder", "deurwaard", "inning", "vordering"),
    ),
    RoleKind(
        _l("Schuldhulpverlening"),
        ("schuld", "budget", "geldzaken", "financ", "bewind", "krediet"),
    ),
    RoleKind(
        _l("Werk en inkomen"),
        (
            "werk en inkomen",
            "inkomen",
            "klantmanager",
            "uitkering",
            "participatie",
            "integratie",
            "jobcoach",
        ),
    ),
    RoleKind(
        _l("Beleid en bestuur"),
        ("beleid", "bestuur", "wethouder", "directeur", "strateg", "leidinggevend"),
    ),
    RoleKind(
        _l("Wijkteam en zorg"),
        ("wijk", "sociaal", "maatschappelijk", "zorg", "jeugd", "welzijn", "hulpverlen"),
    ),
)
OTHER_ROLE_KIND = _l("Andere rol")
NO_ROLE_KIND = _l("Niet ingevuld")


def role_kind(role: str | None) -> str:
    """The kind of work a free-text role falls under (`ROLE_KINDS`), else "other"; an empty
    role is "not given"."""
    folded = fold(role or "")
    if not folded:
        return str(NO_ROLE_KIND)
    for kind in ROLE_KINDS:
        if any(keyword in folded for keyword in kind.keywords):
            return str(kind.label)
    return str(OTHER_ROLE_KIND)


def _role_kinds(roles: Sequence[Count]) -> list[Count]:
    counts: Counter[str] = Counter()
    for role in roles:
        counts[role_kind(role.label)] += role.count
    order = [*(str(k.label) for k in ROLE_KINDS), str(OTHER_ROLE_KIND), str(NO_ROLE_KIND)]
    return [Count(label, counts.get(label, 0)) for label in order]


def _reach(baskets: Sequence[Basket]) -> list[ProvinceReach]:
    reached: dict[str, set[str]] = {}
    for basket in baskets:
        municipality = find_municipality(basket.organisation)
        if municipality is not None:
            reached.setdefault(municipality.province, set()).add(municipality.cbs_code)
    totals = Counter(m.province for m in municipalities())
    return [
        ProvinceReach(province, len(reached.get(province, ())), totals[province])
        for province in provinces()
    ]


def _consents(basket: Basket) -> bool:
    """Whether this visitor's organisation may be named for what they chose (an erased or
    purged visitor never consents)."""
    return basket.share_contact and basket.name is not None


def _side(chosen: Mapping[str, bool], names: Mapping[str, str]) -> RouteSide:
    named = sorted((names[key] for key, may in chosen.items() if may), key=fold)
    return RouteSide(tuple(named), sum(1 for may in chosen.values() if not may))


def _routes(baskets: Sequence[Basket], product_names: Mapping[str, str]) -> list[KnowledgeRoute]:
    # Per product and intent: organisation key -> whether a consenting visitor chose it.
    chosen: dict[tuple[str, str], dict[str, bool]] = {}
    names: dict[str, str] = {}
    for basket in baskets:
        names.setdefault(basket.organisation, basket.organisation_name)
        for product, chosen_intent in basket.items.items():
            side = chosen.setdefault((product, chosen_intent), {})
            side[basket.organisation] = side.get(basket.organisation, False) or _consents(basket)
    routes = []
    for (product, intent), having in chosen.items():
        if intent != "have":
            continue
        wanting = {
            key: may for key, may in chosen.get((product, "want"), {}).items() if key not in having
        }
        if wanting:
            routes.append(
                KnowledgeRoute(
                    product,
                    product_names.get(product, product),
                    _side(having, names),
                    _side(wanting, names),
                )
            )
    return sorted(routes, key=lambda r: (-r.want.total, -r.have.total, fold(r.name)))


def _agreements_by_product(events: Sequence[Event]) -> list[Count]:
    counts = Counter(line.product for event in events for line in event_agreements(event))
    return _ranked(counts)


def report_figures(
    events: Iterable[Event],
    stats: Statistics,
    product_names: Mapping[str, str],
    baskets: Sequence[Basket] | None = None,
) -> ReportFigures:
    """The report's own figures for these events (`stats` are their statistics, `baskets`
    their `event_baskets` if at hand): reach per province, the want-versus-have gap,
    knowledge routes, agreements and role kinds."""
    events = list(events)
    if baskets is None:
        baskets = event_baskets(events)
    gaps = [
        ProductGap(p.product, product_names.get(p.product, p.product), p.want, p.have)
        for p in stats.products
    ]
    return ReportFigures(
        reach=_reach(baskets),
        gaps=sorted(gaps, key=lambda g: (-g.gap, fold(g.name))),
        routes=_routes(baskets, product_names),
        agreements=_agreements_by_product(events),
        role_kinds=_role_kinds(stats.roles),
    )
