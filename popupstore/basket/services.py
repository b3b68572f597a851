"""The visitor's basket, the checkout and the receipt.

A checkout is one transaction: it takes the next receipt number of the event (the
event row is the lock that keeps numbers unique and gap-free), stores the visitor
and all basket lines, and, when an Idempotency-Key came with it, the answer to
replay. The caller commits once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import CursorResult, Select, bindparam, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..agreements.models import Agreement
from ..catalog.models import Product
from ..catalog.services import products_by_slug
from ..db import utcnow
from ..errors import ConflictError, ValidationError
from ..events.models import Event
from ..extensions import db
from ..matching import Basket, Collaboration, EventIndex, Match
from ..organisations import ORGANISATION_TYPES, normalise_organisation
from ..pagecache import freshness
from ..validation import FreeText
from .matchindex import basket_of, event_index
from .models import INTENTS, BasketLine, Checkout, IdempotencyRecord

MAX_ITEMS = 50
NAME_LIMIT = 80
ORGANISATION_LIMIT = 120
ROLE_LIMIT = 80
EMAIL_LIMIT = 254
IDEMPOTENCY_KEY = re.compile(r"^[\x20-\x7e]{1,80}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_BYTES = 24  # 192 random bits


# --- the basket kept in the visitor's signed session --------------------------------------


class SessionBasket:
    """The products a visitor picked, kept in the (signed) session: slug -> intent."""

    KEY = "basket"

    def __init__(self, session: MutableMapping[str, Any]) -> None:
        self._session = session

    def items(self) -> dict[str, str]:
        stored = self._session.get(self.KEY)
        if not isinstance(stored, dict):
            return {}
        return {str(k): v for k, v in stored.items() if v in INTENTS}

    def __len__(self) -> int:
        return len(self.items())

    def __contains__(self, slug: object) -> bool:
        return slug in self.items()

    def intent(self, slug: str) -> str | None:
        return self.items().get(slug)

    def put(self, product: Product, intent: str) -> None:
        """Add a product or switch its intent; each product is in the basket once."""
        if intent not in INTENTS:
            raise ValidationError(
                str(_l("Kies 'Wil ik' of 'Doen we al'.")), {"intent": "want|have"}
            )
        if not product.active:
            raise ValidationError(str(_l("Dit product is niet meer te koop.")), {"product": ""})
        items = self.items()
        if product.slug not in items and len(items) >= MAX_ITEMS:
            raise ValidationError(
                str(_l("Je mandje is vol: hoogstens %(n)d producten.", n=MAX_ITEMS)),
                {"product": ""},
            )
        items[product.slug] = intent
        self._session[self.KEY] = items

    def remove(self, slug: str) -> None:
        items = self.items()
        if items.pop(slug, None) is not None:
            self._session[self.KEY] = items

    def clear(self) -> None:
        self._session.pop(self.KEY, None)


# --- what a checkout carries -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VisitorDetails:
    name: str
    organisation: str
    organisation_type: str | None = None
    role: str | None = None
    email: str | None = None
    share_contact: bool = False


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    items: tuple[tuple[str, str], ...]
    visitor: VisitorDetails


def _optional_text(fields: dict[str, str], path: str, value: Any, limit: int) -> str | None:
    return FreeText(limit, required=False).check(fields, path, value)


def _required_text(fields: dict[str, str], path: str, value: Any, limit: int) -> str:
    return FreeText(limit).check(fields, path, value) or ""


def valid_email(value: str) -> bool:
    return len(value) <= EMAIL_LIMIT and EMAIL.match(value) is not None


def parse_visitor(data: Any, fields: dict[str, str], prefix: str = "visitor.") -> VisitorDetails:
    """Validate visitor details (contract §4); problems go into `fields` by dotted path."""
    if not isinstance(data, dict):
        fields[prefix.rstrip(".")] = str(_l("Moet een object zijn."))
        return VisitorDetails(name="", organisation="")
    name = _required_text(fields, prefix + "name", data.get("name"), NAME_LIMIT)
    organisation = _required_text(
        fields, prefix + "organisation", data.get("organisation"), ORGANISATION_LIMIT
    )
    organisation_type = _optional_text(
        fields, prefix + "organisation_type", data.get("organisation_type"), 40
    )
    if organisation_type is not None and organisation_type not in ORGANISATION_TYPES:
        fields[prefix + "organisation_type"] = str(
            _l("Kies een van: %(types)s.", types=", ".join(ORGANISATION_TYPES))
        )
        organisation_type = None
    role = _optional_text(fields, prefix + "role", data.get("role"), ROLE_LIMIT)
    email = _optional_text(fields, prefix + "email", data.get("email"), EMAIL_LIMIT)
    if email is not None and not valid_email(email):
        fields[prefix + "email"] = str(_l("Dit is geen geldig e-mailadres."))
        email = None
    share_contact = data.get("share_contact", False)
    if share_contact is None:
        share_contact = False
    if not isinstance(share_contact, bool):
        fields[prefix + "share_contact"] = str(_l("Moet true of false zijn."))
        share_contact = False
    return VisitorDetails(name, organisation, organisation_type, role, email, share_contact)


def parse_items(data: Any, fields: dict[str, str]) -> tuple[tuple[str, str], ...]:
    if not isinstance(data, list):
        fields["items"] = str(_l("Moet een lijst zijn."))
        return ()
    if not data:
        fields["items"] = str(_l("Je mandje is leeg."))
        return ()
    if len(data) > MAX_ITEMS:
        fields["items"] = str(_l("Hoogstens %(n)d producten.", n=MAX_ITEMS))
        return ()
    items: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, entry in enumerate(data):
        path = f"items.{index}"
        if not isinstance(entry, dict):
            fields[path] = str(_l("Moet een object zijn."))
            continue
        product = entry.get("product")
        intent = entry.get("intent")
        if not isinstance(product, str) or not product:
            fields[path + ".product"] = str(_l("Vul een product in."))
        elif product in seen:
            fields[path + ".product"] = str(_l("Dit product staat al in het mandje."))
        if intent not in INTENTS:
            fields[path + ".intent"] = str(_l("Moet 'want' of 'have' zijn."))
        if isinstance(product, str) and product and product not in seen and intent in INTENTS:
            seen.add(product)
            items.append((product, intent))
    return tuple(items)


def parse_checkout_payload(data: Any) -> CheckoutRequest:
    """Turn a JSON checkout body into a CheckoutRequest, or raise ValidationError (422)."""
    fields: dict[str, str] = {}
    if not isinstance(data, dict):
        raise ValidationError(str(_l("De inhoud moet een object zijn.")))
    items = parse_items(data.get("items"), fields)
    visitor = parse_visitor(data.get("visitor"), fields)
    if fields:
        raise ValidationError(str(_l("De bestelling klopt niet.")), fields)
    return CheckoutRequest(items=items, visitor=visitor)


def request_fingerprint(body: Any) -> str:
    """A hash of the parsed body that ignores key order and white space."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def hash_receipt_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- the checkout itself -----------------------------------------------------------------


@dataclass(slots=True)
class CheckoutOutcome:
    """A stored checkout and its answer; `replayed` when an idempotent repeat."""

    response: dict[str, Any]
    checkout: Checkout | None = None
    token: str | None = None
    replayed: bool = False


ResponseBuilder = Callable[["CheckoutView"], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class CheckoutView:
    """What a receipt shows: the checkout with its matches, colleagues and collaborations."""

    checkout: Checkout
    basket: Basket
    matches: list[Match]
    colleagues: list[Match]
    collaborations: list[Collaboration]
    token: str | None = None


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


def _find_replay(event: Event, key: str, fingerprint: str) -> dict[str, Any] | None:
    record = db.session.execute(
        select(IdempotencyRecord).where(
            IdempotencyRecord.event_id == event.id, IdempotencyRecord.key == key
        )
    ).scalar_one_or_none()
    if record is None:
        return None
    if not hmac.compare_digest(record.request_hash, fingerprint):
        raise ConflictError(
            str(_l("Deze Idempotency-Key is al gebruikt voor een andere bestelling."))
        )
    replay: dict[str, Any] = json.loads(record.response)
    return replay


def _next_number(event: Event) -> int:
    """Take the event's next receipt number; the row stays locked until commit."""
    number = db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .values(last_number=Event.last_number + 1)
        .returning(Event.last_number)
    ).scalar_one()
    return int(number)


def place_checkout(
    event: Event,
    request: CheckoutRequest,
    respond: ResponseBuilder,
    *,
    idempotency_key: str | None = None,
    fingerprint: str | None = None,
    owners: Mapping[str, str] | None = None,
) -> CheckoutOutcome:
    """Store a checkout for `event` and return the answer `respond` builds for it.

    With an idempotency key, a repeat of the same request (same `fingerprint`) gets the
    first answer back and stores nothing; another request under that key is a conflict.
    """
    if idempotency_key is not None:
        if not IDEMPOTENCY_KEY.match(idempotency_key):
            raise ValidationError(
                str(_l("Idempotency-Key: 1 tot 80 leesbare ASCII-tekens.")),
                {"Idempotency-Key": str(_l("Ongeldige sleutel."))},
            )
    # Contract order: the body (422) before the state (409: key reused, event not active).
    products = _check_products(request.items)
    if idempotency_key is not None:
        fingerprint = fingerprint or request_fingerprint(request_as_json(request))
        replay = _find_replay(event, idempotency_key, fingerprint)
        if replay is not None:
            return CheckoutOutcome(response=replay, replayed=True)
    if not event.is_active:
        raise ConflictError(str(_l("Evenement '%(slug)s' is niet actief.", slug=event.slug)))

    number = _next_number(event)
    # Read the event's baskets before this one is flushed: the shared cache must only
    # ever hold committed checkouts. The new basket is scored as if already added.
    index = event_index(event)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    visitor = request.visitor
    organisation = normalise_organisation(visitor.organisation, visitor.organisation_type)
    checkout = Checkout(
        event_id=event.id,
        number=number,
        token_hash=hash_receipt_token(token),
        visitor_name=visitor.name,
        email=visitor.email,
        organisation=visitor.organisation,
        organisation_key=organisation.key,
        organisation_name=organisation.name,
        organisation_type=organisation.organisation_type,
        province=organisation.province,
        role=visitor.role,
        share_contact=visitor.share_contact,
        lines=[BasketLine(product=products[slug], intent=intent) for slug, intent in request.items],
    )
    db.session.add(checkout)
    db.session.flush()
    forget_event_state(event.id)
    view = _view(index, checkout, basket_of(checkout), token, owners)
    checkout.matches_shown = len(view.matches) + len(view.colleagues)
    response = respond(view)
    if idempotency_key is not None:
        assert fingerprint is not None
        db.session.add(
            IdempotencyRecord(
                event_id=event.id,
                key=idempotency_key,
                request_hash=fingerprint,
                checkout_id=checkout.id,
                response=json.dumps(response, ensure_ascii=False),
            )
        )
        try:
            db.session.flush()
        except IntegrityError:
            # The same key arrived at the same moment and won: answer as it did.
            db.session.rollback()
            replay = _find_replay(event, idempotency_key, fingerprint)
            if replay is None:  # pragma: no cover - the winner rolled back in between
                raise ConflictError(str(_l("Probeer het nog eens."))) from None
            return CheckoutOutcome(response=replay, replayed=True)
    return CheckoutOutcome(response=response, checkout=checkout, token=token)


def request_as_json(request: CheckoutRequest) -> dict[str, Any]:
    visitor = request.visitor
    return {
        "items": [{"product": slug, "intent": intent} for slug, intent in request.items],
        "visitor": {
            "name": visitor.name,
            "organisation": visitor.organisation,
            "organisation_type": visitor.organisation_type,
            "role": visitor.role,
            "email": visitor.email,
            "share_contact": visitor.share_contact,
        },
    }


def product_owners() -> dict[str, str]:
    return {slug: owner for slug, owner in db.session.execute(select(Product.slug, Product.owner))}


def checkout_view(
    checkout: Checkout, *, token: str | None = None, owners: Mapping[str, str] | None = None
) -> CheckoutView:
    """Matches, colleagues and collaborations of a checkout, computed from the event now."""
    index = event_index(checkout.event)
    basket = index.get(checkout.number) if checkout.number in index else basket_of(checkout)
    return _view(index, checkout, basket, token, owners)


def _view(
    index: EventIndex,
    checkout: Checkout,
    basket: Basket,
    token: str | None,
    owners: Mapping[str, str] | None,
) -> CheckoutView:
    return CheckoutView(
        checkout=checkout,
        basket=basket,
        matches=index.partner_matches(basket),
        colleagues=index.colleague_matches(basket),
        collaborations=index.collaborations(
            basket, owners if owners is not None else product_owners()
        ),
        token=token,
    )


# --- receipts ------------------------------------------------------------------------------


def find_checkout_by_token(token: str) -> Checkout | None:
    """The checkout a receipt token belongs to; None for an unknown or erased one."""
    if not token or len(token) > 128:
        return None
    wanted = hash_receipt_token(token)
    checkout = db.session.execute(
        select(Checkout).where(Checkout.token_hash == wanted)
    ).scalar_one_or_none()
    if checkout is None or checkout.token_hash is None:
        return None
    if not hmac.compare_digest(checkout.token_hash, wanted):  # pragma: no cover - belt and braces
        return None
    return checkout


@dataclass(frozen=True, slots=True)
class ReceiptState:
    """What a receipt page shows, as versions: one cheap query per request.

    The page of `checkout_id` changes exactly when the event gains a checkout
    (`last_number`), loses or changes one (`data_version`), or gains an agreement.
    """

    checkout_id: int
    event_id: int
    version: tuple[int, int, int]

    @property
    def etag(self) -> str:
        return "r{}-{}-{}-{}".format(self.checkout_id, *self.version)


def _agreement_count() -> Any:
    return select(func.count(Agreement.id)).where(Agreement.event_id == Event.id).scalar_subquery()


@cache
def _receipt_state_query() -> Select[Any]:
    return (
        select(
            Checkout.id,
            Checkout.event_id,
            Checkout.token_hash,
            Event.last_number,
            Event.data_version,
            _agreement_count(),
        )
        .join(Event, Event.id == Checkout.event_id)
        .where(Checkout.token_hash == bindparam("wanted"))
    )


@cache
def _event_state_query() -> Select[Any]:
    return select(Event.last_number, Event.data_version, _agreement_count()).where(
        Event.id == bindparam("event_id")
    )


def _event_state(event_id: int) -> tuple[int, int, int]:
    row = db.session.connection().execute(_event_state_query(), {"event_id": event_id}).one()
    return (row[0], row[1], row[2])


def receipt_state(token: str) -> ReceiptState | None:
    """The state of the receipt a token opens; None for an unknown or erased token.

    Every receipt request starts here, 240 polling phones included, so the answer comes
    from `freshness()` where it can: which checkout a token opens (as long as the event's
    data version, which every erasure bumps, is the one it was checked under) and the
    event's state (re-read after the freshness TTL).
    """
    if not token or len(token) > 128:
        return None
    wanted = hash_receipt_token(token)
    known = freshness()
    remembered = known.peek(("token", wanted))
    if remembered is not None:
        checkout_id, event_id, checked_under = remembered
        version = known.get(("event", event_id), lambda: _event_state(event_id))
        if version[1] == checked_under:
            return ReceiptState(checkout_id, event_id, version)
    row = db.session.connection().execute(_receipt_state_query(), {"wanted": wanted}).first()
    if row is None or not hmac.compare_digest(row.token_hash or "", wanted):
        return None
    version = (row.last_number, row.data_version, row[5])
    known.put(("token", wanted), (row.id, row.event_id, row.data_version))
    known.put(("event", row.event_id), version)
    return ReceiptState(row.id, row.event_id, version)


def forget_event_state(event_id: int) -> None:
    """This worker changed the event: do not answer from what it remembered about it."""
    freshness().forget(("event", event_id))
    freshness().forget(("live", event_id))
    freshness().forget("shop")


def erase_checkout(checkout: Checkout) -> None:
    """Erase a visitor's personal data and basket; the checkout then counts nowhere."""
    event_id = checkout.event_id
    db.session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.checkout_id == checkout.id)
    )
    db.session.delete(checkout)
    db.session.execute(
        update(Event).where(Event.id == event_id).values(data_version=Event.data_version + 1)
    )
    db.session.flush()
    forget_event_state(event_id)


# --- purging an event's personal data -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What a purge changed: checkouts made anonymous, idempotency records removed and
    agreement texts emptied."""

    checkouts: int
    idempotency_records: int
    agreement_texts: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.checkouts or self.idempotency_records or self.agreement_texts)


def _holds_personal_data() -> Any:
    return or_(
        Checkout.visitor_name.is_not(None),
        Checkout.email.is_not(None),
        Checkout.token_hash.is_not(None),
    )


def events_with_personal_data() -> dict[int, int]:
    """Per event id: how many of its checkouts still hold a name, e-mail or receipt token.

    An event whose idempotency records alone remain counts with 0 (still to purge).
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
    return counts


def _rowcount(statement: Any) -> int:
    result = cast(CursorResult[Any], db.session.execute(statement))
    return int(result.rowcount or 0)


def purge_personal_data(event: Event) -> PurgeResult:
    """Erase names, e-mail addresses and receipt tokens of all of `event`'s visitors.

    The baskets stay as anonymous data (organisation, type, province, role, products,
    intents, times), so counts, statistics and exports add up as before. Idempotency
    records go too: they hold earlier answers with tokens and names. Receipts of the
    event no longer open. Idempotent: a second purge changes nothing.
    """
    anonymised = _rowcount(
        update(Checkout)
        .where(Checkout.event_id == event.id, _holds_personal_data())
        .values(visitor_name=None, email=None, token_hash=None)
        .execution_options(synchronize_session=False)
    )
    removed = _rowcount(
        delete(IdempotencyRecord)
        .where(IdempotencyRecord.event_id == event.id)
        .execution_options(synchronize_session=False)
    )
    # Visitors write agreements freely and may name people in them; the agreements stay
    # (the statistics count them), their words go.
    emptied = _rowcount(
        update(Agreement)
        .where(Agreement.event_id == event.id, Agreement.text != "")
        .values(text="")
        .execution_options(synchronize_session=False)
    )
    result = PurgeResult(checkouts=anonymised, idempotency_records=removed, agreement_texts=emptied)
    if result.changed:
        # Cached indexes of other processes hold the names: make them rebuild.
        db.session.execute(
            update(Event)
            .where(Event.id == event.id)
            .values(data_version=Event.data_version + 1)
            .execution_options(synchronize_session=False)
        )
    if result.changed or event.personal_data_purged_at is None:
        event.personal_data_purged_at = utcnow()
    db.session.flush()
    forget_event_state(event.id)
    db.session.expire_all()
    return result
