"""Hiding a checkout or an agreement, and showing it again.

A hidden checkout leaves matching, receipts, the wall, the staff screens' counts, the
statistics and the exports at once: the match index leaves it out (`basket.index`) and
every query that counts checkouts asks for visible ones only. A hidden agreement leaves
the wall, the receipts and the counts. Hiding changes the checkout's row, so the event's
versions move on and every kept copy is rebuilt on every worker. Nothing is deleted:
showing it again undoes it. Checkouts are free of address limits (a venue shares one
address), so this is the store's answer to a flood of fake checkouts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..agreements.models import Agreement
from ..basket.models import Checkout
from ..db import utcnow
from ..errors import NotFoundError
from ..events.models import Event
from ..extensions import db
from .models import ModerationAction


@dataclass(frozen=True, slots=True)
class Moderator:
    """The staff member who moderates, as the log records them."""

    id: int
    username: str


def _checkout(event: Event, number: int) -> Checkout:
    found = db.session.execute(
        select(Checkout).where(Checkout.event_id == event.id, Checkout.number == number)
    ).scalar_one_or_none()
    if found is None:
        raise NotFoundError(str(_l("Bon %(number)d bestaat niet (meer).", number=number)))
    return found


def _agreement(event: Event, agreement_id: int) -> Agreement:
    found = db.session.get(Agreement, agreement_id)
    if found is None or found.event_id != event.id:
        raise NotFoundError(str(_l("Deze afspraak bestaat niet (meer).")))
    return found


def _log(event: Event, target: str, ref: int, action: str, by: Moderator) -> None:
    db.session.add(
        ModerationAction(
            event_id=event.id,
            target=target,
            target_ref=ref,
            action=action,
            staff_user_id=by.id,
            staff_username=by.username,
        )
    )


def set_checkout_hidden(event: Event, number: int, hidden: bool, by: Moderator) -> Checkout:
    """Hide receipt `number` of the event, or show it again; a repeat changes nothing."""
    checkout = _checkout(event, number)
    if (checkout.hidden_at is not None) != hidden:
        checkout.hidden_at = utcnow() if hidden else None
        _log(event, "checkout", number, "hide" if hidden else "show", by)
        db.session.flush()
    return checkout


def set_agreement_hidden(event: Event, agreement_id: int, hidden: bool, by: Moderator) -> Agreement:
    """Hide an agreement of the event, or show it again; a repeat changes nothing."""
    agreement = _agreement(event, agreement_id)
    if (agreement.hidden_at is not None) != hidden:
        agreement.hidden_at = utcnow() if hidden else None
        _log(event, "agreement", agreement_id, "hide" if hidden else "show", by)
        db.session.flush()
    return agreement


@dataclass(frozen=True, slots=True)
class HiddenCheckout:
    number: int
    hidden_at: datetime


def hidden_checkouts(event: Event) -> list[HiddenCheckout]:
    """The event's hidden receipts, most recently hidden first (for showing them again)."""
    rows = db.session.execute(
        select(Checkout.number, Checkout.hidden_at)
        .where(Checkout.event_id == event.id, Checkout.hidden_at.is_not(None))
        .order_by(Checkout.hidden_at.desc(), Checkout.number)
    )
    return [HiddenCheckout(number, hidden_at) for number, hidden_at in rows if hidden_at]


def moderation_log(event: Event, limit: int = 50) -> list[ModerationAction]:
    """The newest moderation actions of the event."""
    query = (
        select(ModerationAction)
        .where(ModerationAction.event_id == event.id)
        .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())
