"""The checkout: one transaction that turns a basket into a stored, numbered receipt.

`place_checkout` takes the event's next receipt number (the event row is the lock that
keeps numbers unique and gap-free), stores the visitor and every basket line, and, when
an Idempotency-Key came with it, a replay record (`popupstore.basket.replays`), and when the
visitor asked for mail, its two mails in the outbox (`popupstore.followup.outbox`). The
caller commits once and turns the result into an answer (JSON, or a redirect to the receipt).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..catalog.models import Product
from ..catalog.services import products_by_slug
from ..errors import ConflictError, ValidationError
from ..events.models import Event
from ..extensions import db
from ..followup.outbox import queue_mails
from ..matching import EventIndex
from ..organisations import normalise_organisation
from ..tokens import hash_token
from . import replays
from .index import basket_of, event_index
from .models import BasketLine, Checkout
from .payload import CheckoutRequest

IDEMPOTENCY_KEY = re.compile(r"^[\x20-\x7e]{1,80}$")
TOKEN_BYTES = 24  # 192 random bits


@dataclass(frozen=True, slots=True)
class PlacedCheckout:
    """A checkout and its receipt token; `replayed` when an earlier one was answered again.

    `index` is the event's match index as it was before this checkout: an answer built
    before the commit must score the new basket against it (as if added), never load the
    uncommitted checkout into the index every request of this worker shares.
    """

    checkout: Checkout
    token: str
    replayed: bool = False
    index: EventIndex | None = None


def check_idempotency_key(key: str | None) -> None:
    """Refuse a malformed Idempotency-Key header (422 on the field `Idempotency-Key`)."""
    if key is not None and not IDEMPOTENCY_KEY.match(key):
        raise ValidationError(
            str(_l("Idempotency-Key: 1 tot 80 leesbare ASCII-tekens.")),
            {"Idempotency-Key": str(_l("Ongeldige sleutel."))},
        )


def _check_products(items: tuple[tuple[str, str], ...]) -> dict[str, Product]:
    products = products_by_slug(slug for slug, _ in items)
    fields: dict[str, str] = {}
    for index, (slug, _intent) in enumerate(items):
        product = products.get(slug)
        if product is None:
            fields[f"items.{index}.product"] = str(_l("Onbekend product '%(slug)s'.", slug=slug))
        elif not product.active:
            fields[f"items.{index}.product"] = str(
                _l("Product '%(slug)s' is niet meer te koop.", slug=slug)
            )
    if fields:
        raise ValidationError(str(_l("De bestelling klopt niet.")), fields)
    return products


def _next_number(event: Event) -> int:
    """Take the event's next receipt number; the row stays locked until commit."""
    number = db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .values(last_number=Event.last_number + 1)
        .returning(Event.last_number)
        # The checkout stored with this number bumps the event's versions itself.
        .execution_options(bumps=())
    ).scalar_one()
    return int(number)


def place_checkout(
    event: Event, request: CheckoutRequest, *, idempotency_key: str | None = None
) -> PlacedCheckout:
    """Store a checkout for `event`.

    With an idempotency key, a repeat of the same request answers with the first checkout
    (`replayed`) and stores nothing; another request under that key is a conflict (409);
    so is an event that is not active. Checks in the API's order: the body (422), then the
    state (409).
    """
    check_idempotency_key(idempotency_key)
    products = _check_products(request.items)
    if idempotency_key is not None:
        earlier = replays.find(event, idempotency_key, request)
        if earlier is not None:
            return PlacedCheckout(earlier.checkout, earlier.token, replayed=True)
    if not event.is_active:
        raise ConflictError(str(_l("Evenement '%(slug)s' is niet actief.", slug=event.slug)))

    number = _next_number(event)
    # The event's shared index must only ever hold committed checkouts: read it before this
    # one is flushed, and score the new basket as if it were added.
    index = event_index(event)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    visitor = request.visitor
    organisation = normalise_organisation(
        visitor.organisation, visitor.organisation_type, visitor.province
    )
    checkout = Checkout(
        event_id=event.id,
        number=number,
        token_hash=hash_token(token),
        visitor_name=visitor.name,
        email=visitor.email,
        organisation=visitor.organisation,
        organisation_key=organisation.key,
        organisation_name=organisation.name,
        organisation_type=organisation.organisation_type,
        province=organisation.province,
        role=visitor.role,
        share_contact=visitor.share_contact,
        follow_up=visitor.follow_up,
        across_series=visitor.across_series,
        lines=[BasketLine(product=products[slug], intent=intent) for slug, intent in request.items],
    )
    basket = basket_of(checkout)
    # For the statistics: how many people the receipt named at checkout. (Set before the
    # row is written: changing it afterwards would count as changing the event's data.)
    checkout.matches_shown = len(index.partner_matches(basket)) + len(
        index.colleague_matches(basket)
    )
    db.session.add(checkout)
    db.session.flush()
    if idempotency_key is not None:
        winner = replays.keep(event, idempotency_key, request, checkout, token)
        if winner is not None:  # the same key arrived at the same moment and won
            return PlacedCheckout(winner.checkout, winner.token, replayed=True)
    if visitor.follow_up:
        queue_mails(checkout, token)
    return PlacedCheckout(checkout, token, index=index)


def named_organisations(event_id: int) -> list[str]:
    """The organisations (not municipalities) that visitors of the event checked out for
    and may be named: consenting, not purged, not hidden. Offered to later visitors so
    that one organisation is typed one way ("Alwel", not also "Woonstichting Alwel")."""
    query = (
        select(Checkout.organisation_name)
        .where(
            Checkout.event_id == event_id,
            Checkout.organisation_type != "gemeente",
            Checkout.share_contact.is_(True),
            Checkout.visitor_name.is_not(None),
            Checkout.hidden_at.is_(None),
        )
        .distinct()
    )
    return sorted(db.session.execute(query).scalars(), key=str.casefold)
