"""Agreements between two visitors: recording one, and reading them back per visitor or event.

An agreement can only be made with someone the visitor is shown as a match or colleague at
that moment, about a product both of them chose. Who appears by name follows the consent
rule (docs/architecture.md): a visitor who did not share contact details is shown by receipt
number only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import aliased

from ..basket.models import Checkout
from ..catalog.services import get_product
from ..errors import ConflictError, ValidationError
from ..events.models import Event
from ..extensions import db
from ..matching import Match
from ..organisations import display_name
from ..receipts.services import checkout_view
from ..validation import FreeText
from .models import TEXT_LIMIT, Agreement

# A visitor records a handful of agreements at most; more is someone filling the wall.
MAX_AGREEMENTS_PER_VISITOR = 20
# One line: it stands on both receipts and on the wall screen.
AGREEMENT_TEXT = FreeText(TEXT_LIMIT)


@dataclass(frozen=True, slots=True)
class Party:
    """One side of an agreement as others may see it: `name` and `organisation` are None
    unless that visitor shared contact details (and has not been erased)."""

    number: int
    name: str | None
    organisation: str | None

    @classmethod
    def of(cls, checkout: Checkout) -> Party:
        # A purged visitor has no name left and no longer consents.
        if not checkout.share_contact or checkout.visitor_name is None:
            return cls(checkout.number, None, None)
        return cls(
            checkout.number,
            checkout.visitor_name,
            display_name(checkout.organisation_key, checkout.organisation_name),
        )


@dataclass(frozen=True, slots=True)
class AgreementLine:
    """An agreement as one receipt page, a staff screen or the wall shows it."""

    id: int
    product: str
    product_name: str
    text: str
    created_at: datetime
    author: Party
    partner: Party
    hidden: bool = False

    def other_than(self, number: int) -> Party:
        """The party that is not the visitor with this receipt number."""
        return self.partner if self.author.number == number else self.author


def _line(agreement: Agreement) -> AgreementLine:
    return AgreementLine(
        id=agreement.id,
        product=agreement.product.slug,
        product_name=agreement.product.name,
        text=agreement.text,
        created_at=agreement.created_at,
        author=Party.of(agreement.author),
        partner=Party.of(agreement.partner),
        hidden=agreement.hidden_at is not None,
    )


def agreement_partners(checkout: Checkout) -> list[Match]:
    """Whom the visitor may record an agreement with now: their matches, then colleagues."""
    view = checkout_view(checkout)
    return [*view.matches, *view.colleagues]


def record_agreement(
    checkout: Checkout, partner_number: int | None, product: str | None, text: str | None
) -> Agreement:
    """Record that `checkout`'s visitor and receipt `partner_number` will work on `product`.

    The partner must be one of the visitor's current matches or colleagues and the product
    one they both hold; the text is one line of 1 to 200 characters. Raises ValidationError
    (fields `choice`, `text`) or ConflictError when the same two already agreed on it.
    """
    fields: dict[str, str] = {}
    text = AGREEMENT_TEXT.check(fields, "text", text)
    match = next((m for m in agreement_partners(checkout) if m.number == partner_number), None)
    if match is None:
        fields["choice"] = str(_l("Kies iemand uit je gesprekspartners of collega's."))
    elif product not in {shared.product for shared in match.shared}:
        fields["choice"] = str(_l("Kies een product dat jullie allebei kozen."))
    if fields:
        raise ValidationError(str(_l("De afspraak is niet vastgelegd.")), fields)
    assert match is not None and product is not None and text is not None
    partner = db.session.execute(
        select(Checkout).where(
            Checkout.event_id == checkout.event_id, Checkout.number == match.number
        )
    ).scalar_one()
    stored_product = get_product(product, active_only=False)
    assert stored_product is not None  # a product in two baskets is in the catalog
    pair = or_(
        and_(Agreement.author_id == checkout.id, Agreement.partner_id == partner.id),
        and_(Agreement.author_id == partner.id, Agreement.partner_id == checkout.id),
    )
    exists = db.session.execute(
        select(Agreement.id).where(pair, Agreement.product_id == stored_product.id)
    ).first()
    if exists:
        raise ConflictError(
            str(
                _l(
                    "Jullie afspraak over %(product)s staat al op je bon.",
                    product=stored_product.name,
                )
            ),
            {"choice": str(_l("Kies een ander product of iemand anders."))},
        )
    authored = db.session.execute(
        select(func.count(Agreement.id)).where(Agreement.author_id == checkout.id)
    ).scalar_one()
    if authored >= MAX_AGREEMENTS_PER_VISITOR:
        raise ConflictError(
            str(_l("Je hebt al %(n)d afspraken vastgelegd.", n=MAX_AGREEMENTS_PER_VISITOR))
        )
    agreement = Agreement(
        event_id=checkout.event_id,
        author_id=checkout.id,
        partner_id=partner.id,
        product_id=stored_product.id,
        text=text,
    )
    db.session.add(agreement)
    db.session.flush()
    return agreement


def _shown() -> Any:
    """Agreements that are not hidden and whose two visitors are not hidden either."""
    author, partner = aliased(Checkout), aliased(Checkout)
    return Agreement.id.in_(
        select(Agreement.id)
        .join(author, author.id == Agreement.author_id)
        .join(partner, partner.id == Agreement.partner_id)
        .where(
            Agreement.hidden_at.is_(None),
            author.hidden_at.is_(None),
            partner.hidden_at.is_(None),
        )
    )


def agreements_of(checkout: Checkout) -> list[AgreementLine]:
    """The agreements a visitor made or was named in, oldest first."""
    query = (
        select(Agreement)
        .where(
            or_(Agreement.author_id == checkout.id, Agreement.partner_id == checkout.id),
            _shown(),
        )
        .order_by(Agreement.created_at, Agreement.id)
    )
    return [_line(agreement) for agreement in db.session.execute(query).scalars()]


def event_agreements(
    event: Event, limit: int | None = None, *, include_hidden: bool = False
) -> list[AgreementLine]:
    """The event's shown agreements, newest first (at most `limit`); with `include_hidden`
    the hidden ones too (for the facilitator's moderation)."""
    query = (
        select(Agreement)
        .where(Agreement.event_id == event.id, true() if include_hidden else _shown())
        .order_by(Agreement.created_at.desc(), Agreement.id.desc())
        .limit(limit)
    )
    return [_line(agreement) for agreement in db.session.execute(query).scalars()]


def count_agreements(events: Iterable[Event]) -> int:
    """How many shown agreements visitors recorded at these events, taken together.

    The one count every screen shows (live overview, statistics, comparison); an erased
    visitor's agreements are gone with them, and hidden ones count nowhere.
    """
    event_ids = [event.id for event in events]
    query = select(func.count(Agreement.id)).where(Agreement.event_id.in_(event_ids), _shown())
    return int(db.session.execute(query).scalar_one())
