"""Series of events: grouping events, which series an event is in, and what a series adds up to.

An event is in at most one series. Which series an event belongs to is a small fact every
receipt of the event needs, so a worker keeps it (`series_of_event`) until the `events`
version moves on (joining or leaving a series moves it, see `popupstore.versions`).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import versions
from ..basket.index import event_index
from ..errors import ConflictError, NotFoundError, ValidationError
from ..events.models import Event
from ..events.services import EVENT_SLUG
from ..extensions import db
from ..matching import Basket, ProductCount, SeriesMatch, overlap
from ..validation import FreeText
from .index import series_index
from .info import SeriesDay, SeriesInfo
from .models import EventSeries, SeriesMember

KNOWN_SERIES = "popupstore_known_series"
SLUG_LIMIT = 64
NAME_RULE = FreeText(120)
RISING_PRODUCTS = 8


# --- reading ---------------------------------------------------------------------------------


def get_series(slug: str) -> EventSeries:
    found = db.session.execute(
        select(EventSeries).where(EventSeries.slug == slug)
    ).scalar_one_or_none()
    if found is None:
        raise NotFoundError(str(_l("Reeks '%(slug)s' bestaat niet.", slug=slug)))
    return found


def list_series() -> list[SeriesInfo]:
    """Every series with its events, by name (two queries)."""
    rows = list(
        db.session.execute(
            select(EventSeries).order_by(EventSeries.name, EventSeries.slug)
        ).scalars()
    )
    days = _days_by_series([row.id for row in rows])
    return [SeriesInfo(row.id, row.slug, row.name, days.get(row.id, ())) for row in rows]


def _days_by_series(series_ids: list[int]) -> dict[int, tuple[SeriesDay, ...]]:
    if not series_ids:
        return {}
    query = (
        select(SeriesMember.series_id, Event)
        .join(Event, Event.id == SeriesMember.event_id)
        .where(SeriesMember.series_id.in_(series_ids))
        .order_by(Event.date, Event.slug)
    )
    found: dict[int, list[SeriesDay]] = {}
    for series_id, event in db.session.execute(query).all():
        found.setdefault(series_id, []).append(
            SeriesDay(event.id, event.slug, event.name, event.city, event.date, event.is_demo)
        )
    return {series_id: tuple(days) for series_id, days in found.items()}


def series_info(series: EventSeries) -> SeriesInfo:
    """The series with its events as they are now."""
    return SeriesInfo(
        series.id, series.slug, series.name, _days_by_series([series.id]).get(series.id, ())
    )


def _load_series_of_event(event_id: int) -> SeriesInfo | None:
    series = db.session.execute(
        select(EventSeries)
        .join(SeriesMember, SeriesMember.series_id == EventSeries.id)
        .where(SeriesMember.event_id == event_id)
    ).scalar_one_or_none()
    return series_info(series) if series is not None else None


class _KnownSeries:
    """Per worker: event id -> (the `events` version then, the event's series or None)."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.entries: OrderedDict[int, tuple[int, SeriesInfo | None]] = OrderedDict()


def _known_series() -> _KnownSeries:
    found = current_app.extensions.get(KNOWN_SERIES)
    if found is None:
        found = current_app.extensions.setdefault(KNOWN_SERIES, _KnownSeries())
    known: _KnownSeries = found
    return known


def series_of_event_at(event_id: int, events_version: int) -> SeriesInfo | None:
    """The series the event is in (None when in none), as of `events_version` (the version
    of `events` the caller read): loaded only when this worker knows it under another one.

    Joining or leaving a series, and any change of an event, moves `events` on."""
    known = _known_series()
    with known.lock:
        found = known.entries.get(event_id)
    if found is not None and found[0] == events_version:
        return found[1]
    info = _load_series_of_event(event_id)
    with known.lock:
        known.entries[event_id] = (events_version, info)
        known.entries.move_to_end(event_id)
        while len(known.entries) > known.size:
            known.entries.popitem(last=False)
    return info


def series_of_event(event_id: int) -> SeriesInfo | None:
    """The series the event is in (None when it is in none), reused by a worker until an
    event or a series changes (`versions.recent`)."""
    return series_of_event_at(event_id, versions.recent(versions.EVENTS)[0])


def series_names(info: SeriesInfo | None, event_id: int) -> tuple[str, ...]:
    """The named versions a page about the event depends on because of its series `info`:
    the series itself and every other event of it (empty for an event in no series)."""
    if info is None:
        return ()
    others = (
        name for day in info.days if day.id != event_id for name in versions.event_names(day.id)
    )
    return (versions.series_data(info.id), *others)


def series_dependencies(event_id: int) -> tuple[str, ...]:
    """`series_names` of the event's series as this worker knows it now."""
    return series_names(series_of_event(event_id), event_id)


# --- changing ------------------------------------------------------------------------------


def create_series(slug: str, *, name: str) -> EventSeries:
    """A new, empty series. Raises ValidationError (fields `slug`, `name`) or ConflictError
    for a slug in use."""
    fields: dict[str, str] = {}
    slug = (slug or "").strip()
    if not EVENT_SLUG.match(slug) or len(slug) > SLUG_LIMIT:
        fields["slug"] = str(_l("Alleen kleine letters, cijfers en koppeltekens (hoogstens 64)."))
    clean_name = NAME_RULE.check(fields, "name", name)
    if fields:
        raise ValidationError(str(_l("De reeks klopt niet.")), fields)
    exists = db.session.execute(select(EventSeries.id).where(EventSeries.slug == slug)).first()
    if exists:
        raise ConflictError(
            str(_l("Reeks '%(slug)s' bestaat al.", slug=slug)),
            {"slug": str(_l("Al in gebruik."))},
        )
    series = EventSeries(slug=slug, name=clean_name or "")
    db.session.add(series)
    db.session.flush()
    return series


def add_event_to_series(series: EventSeries, event: Event) -> None:
    """Put `event` in `series`; nothing changes when it is in it already.

    Raises ConflictError when the event is in another series (an event is in at most one),
    and ValidationError when a demo event and real events would share the series (demo
    visitors must never meet real ones).
    """
    current = db.session.get(SeriesMember, event.id)
    if current is not None:
        if current.series_id == series.id:
            return
        other = db.session.get(EventSeries, current.series_id)
        raise ConflictError(
            str(
                _l(
                    "Evenement '%(event)s' hoort al bij reeks '%(series)s'. Een evenement "
                    "hoort bij hoogstens één reeks: haal het daar eerst uit.",
                    event=event.slug,
                    series=other.name if other else current.series_id,
                )
            ),
            {"event": str(_l("Dit evenement hoort al bij een andere reeks."))},
        )
    kinds = set(
        db.session.execute(
            select(Event.is_demo)
            .join(SeriesMember, SeriesMember.event_id == Event.id)
            .where(SeriesMember.series_id == series.id)
            .distinct()
        ).scalars()
    )
    if kinds and kinds != {event.is_demo}:
        raise ValidationError(
            str(_l("Een demo-evenement en echte evenementen kunnen niet in één reeks.")),
            {"event": str(_l("Kies een evenement van dezelfde soort."))},
        )
    db.session.add(SeriesMember(event_id=event.id, series_id=series.id))
    db.session.flush()


def remove_event_from_series(series: EventSeries, event: Event) -> None:
    """Take `event` out of `series`; NotFoundError when it is not in it."""
    current = db.session.get(SeriesMember, event.id)
    if current is None or current.series_id != series.id:
        raise NotFoundError(
            str(
                _l(
                    "Evenement '%(event)s' hoort niet bij reeks '%(series)s'.",
                    event=event.slug,
                    series=series.name,
                )
            )
        )
    db.session.delete(current)
    db.session.flush()


# --- matching across the series ----------------------------------------------------------------


def series_matches_of(basket: Basket, event_id: int, info: SeriesInfo | None) -> list[SeriesMatch]:
    """The basket's `series_matches` in the event's series `info` (empty when the visitor
    did not tick `across_series` or the event is in no series)."""
    day = next((day for day in info.days if day.id == event_id), None) if info else None
    if info is None or day is None or not basket.across_series:
        return []
    return series_index(info).matches(basket, day.slug)


# --- what a series adds up to ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayCount:
    day: SeriesDay
    checkouts: int
    organisations: int


@dataclass(frozen=True, slots=True)
class ReturningOrganisation:
    """An organisation with checkouts at two or more events of the series; `name` is None
    unless one of its visitors there shares contact details (then it may be named)."""

    name: str | None
    days: tuple[str, ...]  # event slugs, by date


@dataclass(frozen=True, slots=True)
class RisingProduct:
    """A product chosen by a larger share of visitors at the latest day than before."""

    product: str
    counts: tuple[int, ...]  # holders per day, by date
    earlier_share: float
    latest_share: float

    @property
    def change(self) -> float:
        return self.latest_share - self.earlier_share


@dataclass(frozen=True, slots=True)
class SeriesStatistics:
    """What the visible checkouts of a series' events add up to, counted over all of them.

    `organisations` and `returning` tell organisations apart by normalised key.
    `products` holds products with a count above 0, by slug.
    """

    series: SeriesInfo
    checkouts: int
    organisations: int
    returning: list[ReturningOrganisation]
    products: list[ProductCount]
    days: list[DayCount]
    rising: list[RisingProduct]

    @property
    def returning_organisations(self) -> int:
        return len(self.returning)

    @property
    def unnamed_returning(self) -> int:
        return sum(1 for organisation in self.returning if organisation.name is None)

    def top_products(self, limit: int) -> list[ProductCount]:
        """The most chosen products over the series, then by slug."""
        return sorted(self.products, key=lambda p: (-(p.want + p.have), p.product))[:limit]


def _series_days_baskets(info: SeriesInfo) -> list[tuple[SeriesDay, list[Basket]]]:
    if not info.days:
        return []
    events = {
        event.id: event
        for event in db.session.execute(
            select(Event).where(Event.id.in_([day.id for day in info.days]))
        ).scalars()
    }
    return [(day, event_index(events[day.id]).baskets()) for day in info.days]


def _returning(days: list[tuple[SeriesDay, list[Basket]]]) -> list[ReturningOrganisation]:
    seen: dict[str, set[int]] = {}
    named: dict[str, str] = {}
    for position, (_day, baskets) in enumerate(days):
        for basket in baskets:
            seen.setdefault(basket.organisation, set()).add(position)
            if basket.share_contact and basket.organisation not in named:
                named[basket.organisation] = basket.organisation_name
    found = [
        ReturningOrganisation(
            named.get(key), tuple(days[position][0].slug for position in sorted(positions))
        )
        for key, positions in seen.items()
        if len(positions) >= 2
    ]
    # Most days first; named ones by name, the unnamed ones last.
    found.sort(key=lambda o: (-len(o.days), o.name is None, o.name or ""))
    return found


def _rising(days: list[tuple[SeriesDay, list[Basket]]]) -> list[RisingProduct]:
    held = [day for day in days if day[1]]
    if len(held) < 2:
        return []
    counts = [
        Counter(product for basket in baskets for product in basket.items) for _, baskets in days
    ]
    latest_position = max(i for i, (_, baskets) in enumerate(days) if baskets)
    latest_total = len(days[latest_position][1])
    earlier_total = sum(len(baskets) for _, baskets in days[:latest_position])
    found = []
    for product in set().union(*counts):
        latest = counts[latest_position][product] / latest_total
        earlier = sum(counts[i][product] for i in range(latest_position)) / earlier_total
        if latest > earlier:
            found.append(RisingProduct(product, tuple(c[product] for c in counts), earlier, latest))
    found.sort(key=lambda p: (-p.change, p.product))
    return found[:RISING_PRODUCTS]


def series_statistics(series: EventSeries | SeriesInfo) -> SeriesStatistics:
    """The statistics of a series, from its events' current baskets (hidden and erased
    checkouts count nowhere; a purged visitor's organisation is no longer named)."""
    info = series if isinstance(series, SeriesInfo) else series_info(series)
    days = _series_days_baskets(info)
    baskets = [basket for _, day_baskets in days for basket in day_baskets]
    return SeriesStatistics(
        series=info,
        checkouts=len(baskets),
        organisations=len({basket.organisation for basket in baskets}),
        returning=_returning(days),
        products=overlap(baskets).products,
        days=[
            DayCount(day, len(day_baskets), len({b.organisation for b in day_baskets}))
            for day, day_baskets in days
        ],
        rising=_rising(days),
    )
