"""Erasing one visitor, and purging the personal data of a whole event.

Both reach every copy the store keeps: the rows themselves here, and through the event's
named versions (`popupstore.versions`) every worker's match index, kept pages and token
look-ups. The replay store keeps no personal data, and its records go too; so do the
contact details of product proposals (`popupstore.proposals`). The request or
the CLI command commits once and then calls `db_setup.scrub_erased_data()` so erased text
does not linger in the database files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, or_, select, update

from .. import versions
from ..agreements.models import Agreement
from ..basket.models import Checkout, IdempotencyRecord
from ..db import utcnow
from ..events.models import Event
from ..extensions import db
from ..proposals.models import DECLINED, PENDING, Proposal


def erase_checkout(checkout: Checkout) -> None:
    """Erase a visitor's personal data and basket; the checkout then counts nowhere.

    Their agreements go with them (ON DELETE CASCADE). A replay record of their checkout
    stays as a used key without a checkout (a replay is then a 404, not a new checkout),
    its encrypted token emptied. Their product proposals that were not taken into the
    catalog go too; one that was keeps only its organisation, as the product's credit
    (the form says so), and loses the contact and the link to the checkout. Their mails
    (sent or not) and evaluation go, and so do other visitors' evaluation answers about
    them.
    """
    # Imported here: the follow-up package uses the privacy package's retention rules.
    from ..followup.evaluation import delete_answers
    from ..followup.outbox import delete_mails

    delete_mails(checkout.id)
    delete_answers(checkout.id)
    db.session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.checkout_id == checkout.id)
        .values(checkout_id=None, token_sealed=b"")
    )
    proposals = (versions.event_proposals(checkout.event_id),)
    db.session.execute(
        delete(Proposal)
        .where(Proposal.checkout_id == checkout.id, Proposal.status.in_((PENDING, DECLINED)))
        .execution_options(synchronize_session=False, bumps=proposals)
    )
    db.session.execute(
        update(Proposal)
        .where(Proposal.checkout_id == checkout.id)
        .values(checkout_id=None, contact=None)
        .execution_options(synchronize_session=False, bumps=proposals)
    )
    db.session.delete(checkout)
    db.session.flush()


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What a purge changed: checkouts made anonymous, replay records removed, agreement
    texts emptied, contact details of product proposals removed, mails cancelled and
    evaluation texts emptied."""

    checkouts: int
    idempotency_records: int
    agreement_texts: int = 0
    proposal_contacts: int = 0
    mails_cancelled: int = 0
    evaluation_texts: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.checkouts
            or self.idempotency_records
            or self.agreement_texts
            or self.proposal_contacts
            or self.mails_cancelled
            or self.evaluation_texts
        )


def _holds_personal_data() -> Any:
    return or_(
        Checkout.visitor_name.is_not(None),
        Checkout.email.is_not(None),
        Checkout.token_hash.is_not(None),
    )


def events_with_personal_data() -> dict[int, int]:
    """Per event id: how many of its checkouts still hold a name, e-mail or receipt token.

    An event whose replay records or proposal contacts alone remain counts with 0 (still
    to purge).
    """
    counts: dict[int, int] = {
        event_id: count
        for event_id, count in db.session.execute(
            select(Checkout.event_id, func.count(Checkout.id))
            .where(_holds_personal_data())
            .group_by(Checkout.event_id)
        )
    }
    for (event_id,) in db.session.execute(select(IdempotencyRecord.event_id).distinct()):
        counts.setdefault(event_id, 0)
    contacts = select(Proposal.event_id).where(Proposal.contact.is_not(None)).distinct()
    for (event_id,) in db.session.execute(contacts):
        counts.setdefault(event_id, 0)
    return counts


def _rowcount(statement: Any) -> int:
    result = cast(CursorResult[Any], db.session.execute(statement))
    return int(result.rowcount or 0)


def purge_personal_data(event: Event) -> PurgeResult:
    """Erase names, e-mail addresses and receipt tokens of all of `event`'s visitors.

    The baskets stay as anonymous data (organisation, type, province, role, products,
    intents, times), so counts, statistics and exports add up as before; a purged visitor
    no longer consents, so they are nobody's partner any more (within the event and across
    its series). Replay records go, the texts of agreements (visitors may name people in
    them) and the contact details of product proposals made at the event. Receipts of the
    event no longer open. Mails not sent yet are cancelled and the evaluations' free texts
    emptied; the other evaluation answers stay, about visitors without a name, like the
    agreements. Idempotent: a second purge changes nothing.
    """
    from ..followup.evaluation import empty_missed_texts
    from ..followup.outbox import purge_mails

    changes = (versions.event_data(event.id),)
    of_event = select(Checkout.id).where(Checkout.event_id == event.id)
    cancelled = purge_mails(of_event)
    texts = empty_missed_texts(of_event)
    anonymised = _rowcount(
        update(Checkout)
        .where(Checkout.event_id == event.id, _holds_personal_data())
        .values(visitor_name=None, email=None, token_hash=None)
        .execution_options(synchronize_session=False, bumps=changes)
    )
    removed = _rowcount(
        delete(IdempotencyRecord)
        .where(IdempotencyRecord.event_id == event.id)
        .execution_options(synchronize_session=False)
    )
    emptied = _rowcount(
        update(Agreement)
        .where(Agreement.event_id == event.id, Agreement.text != "")
        .values(text="")
        .execution_options(synchronize_session=False, bumps=changes)
    )
    contacts = _rowcount(
        update(Proposal)
        .where(Proposal.event_id == event.id, Proposal.contact.is_not(None))
        .values(contact=None)
        .execution_options(synchronize_session=False, bumps=(versions.event_proposals(event.id),))
    )
    result = PurgeResult(
        checkouts=anonymised,
        idempotency_records=removed,
        agreement_texts=emptied,
        proposal_contacts=contacts,
        mails_cancelled=cancelled,
        evaluation_texts=texts,
    )
    if result.changed or event.personal_data_purged_at is None:
        event.personal_data_purged_at = utcnow()
    db.session.flush()
    db.session.expire_all()
    return result
