"""What a receipt shows, computed from the event as it is now, and which receipt a token opens.

A receipt is never stored: every page, poll and API answer recomputes it from the event's
match index, so later visitors appear in earlier visitors' receipts and an erased, purged or
hidden visitor disappears from everyone's at once.
"""

from __future__ import annotations

import hmac
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from flask import current_app
from sqlalchemy import bindparam, select

from .. import versions
from ..basket.index import basket_of, event_index
from ..basket.models import Checkout
from ..catalog.services import product_owners
from ..extensions import db
from ..facilitator.plans import table_numbers
from ..matching import Basket, Collaboration, EventIndex, Match, SeriesMatch
from ..organisations import UNKNOWN_PROVINCE
from ..series.services import (
    SeriesInfo,
    series_matches_of,
    series_names,
    series_of_event,
    series_of_event_at,
)
from ..tokens import hash_token

TOKEN_MEMORY = "popupstore_receipt_tokens"
TOKEN_LIMIT = 128


@dataclass(frozen=True, slots=True)
class CheckoutView:
    """What a receipt shows: the checkout with its matches, colleagues and collaborations,
    and, for an event in a series, the series and the visitor's matches at its other days."""

    checkout: Checkout
    basket: Basket
    matches: list[Match]
    colleagues: list[Match]
    collaborations: list[Collaboration]
    series: SeriesInfo | None = None
    series_matches: list[SeriesMatch] = field(default_factory=list)


LOOK_UP: Final[Literal["look up"]] = "look up"


def checkout_view(
    checkout: Checkout,
    *,
    owners: Mapping[str, str] | None = None,
    index: EventIndex | None = None,
    series: SeriesInfo | None | Literal["look up"] = LOOK_UP,
) -> CheckoutView:
    """Matches, colleagues and collaborations of a checkout, computed from the event now
    (or from `index`, the event's index before a checkout not yet committed).

    Series matches are computed for committed checkouts only (no `index` given): the
    series' index is built from every event's shared index, which must never take in a
    checkout that is not committed. The answer to a new checkout carries none anyway.
    `series` is the event's series when the caller knows it (a receipt's state does).
    """
    committed = index is None
    if index is None:
        index = event_index(checkout.event)
    basket = index.get(checkout.number) if checkout.number in index else basket_of(checkout)
    if series == LOOK_UP:
        series = series_of_event(checkout.event_id) if committed else None
    assert not isinstance(series, str)
    series_matches = series_matches_of(basket, checkout.event_id, series) if committed else []
    return CheckoutView(
        checkout=checkout,
        basket=basket,
        matches=index.partner_matches(basket),
        colleagues=index.colleague_matches(basket),
        collaborations=index.collaborations(
            basket, owners if owners is not None else product_owners()
        ),
        series=series,
        series_matches=series_matches,
    )


@dataclass(frozen=True, slots=True)
class Partner:
    """Someone a receipt names: the match, their role (they consented to be shown, so
    their role may be) and their table in the facilitator's newest table plan."""

    match: Match
    role: str | None
    table: int | None

    @property
    def does_what_i_want(self) -> bool:
        """They already do at least one thing the receipt's visitor wants: ask them how."""
        return any(s.mine == "want" and s.theirs == "have" for s in self.match.shared)


@dataclass(frozen=True, slots=True)
class ReceiptPartners:
    """The people on a receipt, in the groups a visitor acts on.

    `ask_how`: partners who already do something the visitor wants ("Doet het al — vraag
    hoe"); `same_wish`: the other partners ("Wil hetzelfde"); both by score as the
    matching rules order them. `own_table` is the visitor's table once the facilitator made
    a table plan that seats them. `province` is the visitor's own ("onbekend" when their
    organisation is no municipality and they gave no work area).
    """

    ask_how: list[Partner]
    same_wish: list[Partner]
    colleagues: list[Partner]
    own_table: int | None
    province: str

    @property
    def province_known(self) -> bool:
        return self.province != UNKNOWN_PROVINCE


def receipt_partners(view: CheckoutView) -> ReceiptPartners:
    """Who a receipt page names and how: the partners split by what they can offer, each
    with their role and table, and the visitor's own table (two queries, however many)."""
    numbers = [m.number for m in (*view.matches, *view.colleagues)]
    roles: dict[int, str | None] = {}
    if numbers:
        roles = dict(
            db.session.execute(
                select(Checkout.number, Checkout.role).where(
                    Checkout.event_id == view.checkout.event_id, Checkout.number.in_(numbers)
                )
            ).all()
        )
    tables = table_numbers(view.checkout.event)

    def partner(match: Match) -> Partner:
        return Partner(match, roles.get(match.number), tables.get(match.number))

    partners = [partner(m) for m in view.matches]
    return ReceiptPartners(
        ask_how=[p for p in partners if p.does_what_i_want],
        same_wish=[p for p in partners if not p.does_what_i_want],
        colleagues=[partner(m) for m in view.colleagues],
        own_table=tables.get(view.checkout.number),
        province=view.basket.province,
    )


def find_checkout_by_token(token: str) -> Checkout | None:
    """The checkout a receipt token opens; None for an unknown, erased or purged one."""
    if not token or len(token) > TOKEN_LIMIT:
        return None
    wanted = hash_token(token)
    checkout = db.session.execute(
        select(Checkout).where(Checkout.token_hash == wanted)
    ).scalar_one_or_none()
    if checkout is None or not hmac.compare_digest(checkout.token_hash or "", wanted):
        return None
    return checkout


# --- the state of a receipt page, for kept pages and polls ----------------------------------


@dataclass(frozen=True, slots=True)
class ReceiptState:
    """Which checkout a token opens, and the versions of everything its receipt shows."""

    checkout_id: int
    event_id: int
    versions: tuple[tuple[str, int], ...]
    # The event's series as these versions know it (None: in no series).
    series: SeriesInfo | None = None

    @property
    def etag(self) -> str:
        return "r{}-{}".format(self.checkout_id, ".".join(str(v) for _, v in self.versions))


def receipt_dependencies(event_id: int) -> tuple[str, ...]:
    """The named versions every receipt of this event depends on: the events (which series
    the event is in), the catalog, the visitor's product proposals and the event itself.
    A receipt of an event in a series also depends on `series_names` (the other days'
    visitors appear in its series matches)."""
    return (
        versions.EVENTS,
        versions.CATALOG,
        versions.event_proposals(event_id),
        *versions.event_names(event_id),
    )


def _state(checkout_id: int, event_id: int) -> ReceiptState:
    """The receipt's versions: one query, and one more for an event in a series."""
    names = receipt_dependencies(event_id)
    values = versions.recent(*names)
    series = series_of_event_at(event_id, values[0])
    more = series_names(series, event_id)
    if more:
        names, values = (*names, *more), (*values, *versions.recent(*more))
    return ReceiptState(checkout_id, event_id, tuple(zip(names, values, strict=True)), series)


class _TokenMemory:
    """Per worker: token hash -> (checkout id, event id, the event's data version then).

    Which checkout a token opens only changes when the event's data change (an erasure or a
    purge bumps `event:<id>`), so a remembered answer is good while that version stands.
    """

    def __init__(self, size: int = 8192) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.entries: OrderedDict[str, tuple[int, int, int]] = OrderedDict()


def _token_memory() -> _TokenMemory:
    found = current_app.extensions.get(TOKEN_MEMORY)
    if found is None:
        found = current_app.extensions.setdefault(TOKEN_MEMORY, _TokenMemory())
    memory: _TokenMemory = found
    return memory


_TOKEN_QUERY = select(
    Checkout.id,
    Checkout.event_id,
    Checkout.token_hash,
    versions.version_of_sql(versions.event_data_sql(Checkout.event_id)),
).where(Checkout.token_hash == bindparam("wanted"))


def receipt_state(token: str) -> ReceiptState | None:
    """The state of the receipt a token opens; None for an unknown, erased or purged token.

    Every receipt page and poll starts here, polling phones included: the `recent` versions
    (one small query at most per FRESHNESS_SECONDS per worker), and the token look-up only
    when the event's data changed since this worker last looked it up.
    """
    if not token or len(token) > TOKEN_LIMIT:
        return None
    wanted = hash_token(token)
    memory = _token_memory()
    with memory.lock:
        known = memory.entries.get(wanted)
    if known is not None:
        checkout_id, event_id, checked_under = known
        state = _state(checkout_id, event_id)
        if dict(state.versions)[versions.event_data(event_id)] == checked_under:
            return state
    # The row and the version it is valid under, read in one statement.
    row = db.session.connection().execute(_TOKEN_QUERY, {"wanted": wanted}).first()
    if row is None or not hmac.compare_digest(row.token_hash or "", wanted):
        with memory.lock:
            memory.entries.pop(wanted, None)
        return None
    checkout_id, event_id, checked_under = row[0], row[1], int(row[3])
    with memory.lock:
        memory.entries[wanted] = (checkout_id, event_id, checked_under)
        memory.entries.move_to_end(wanted)
        while len(memory.entries) > memory.size:
            memory.entries.popitem(last=False)
    return _state(checkout_id, event_id)
