"""The visitor's short evaluation after the day, and the texts of what they missed.

The questions come from the receipt as it is now: "Contact gehad?" for each partner and
colleague on it, "Hoe staat het?" for each product the visitor wanted, a rating of the
store and "Wat miste je in de winkel?". Saving again keeps the latest answers (one row per
question, upserted); a question left open keeps its earlier answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..basket.models import Checkout
from ..catalog.models import Product
from ..db import utcnow
from ..errors import ValidationError
from ..events.models import Event
from ..extensions import db
from ..i18n import today
from ..receipts.services import checkout_view
from ..validation import FreeText
from .models import (
    CONTACT_ANSWERS,
    MISSED_LIMIT,
    PRODUCT_STATUSES,
    RATINGS,
    Evaluation,
    EvaluationContact,
    EvaluationProduct,
)

MISSED = FreeText(MISSED_LIMIT, required=False, multiline=True)


@dataclass(frozen=True, slots=True)
class PartnerQuestion:
    """ "Contact gehad?" about someone on the receipt."""

    number: int
    name: str
    organisation: str
    colleague: bool
    answer: str | None

    @property
    def field(self) -> str:
        return f"contact-{self.number}"


@dataclass(frozen=True, slots=True)
class ProductQuestion:
    """ "Hoe staat het?" about a product the visitor wanted."""

    slug: str
    name: str
    status: str | None

    @property
    def field(self) -> str:
        return f"product-{self.slug}"


@dataclass(frozen=True, slots=True)
class EvaluationState:
    """The questions of one visitor's evaluation, with their answers so far."""

    checkout: Checkout
    partners: list[PartnerQuestion]
    products: list[ProductQuestion]
    rating: int | None
    missed: str | None
    saved_at: dt.datetime | None


def evaluation_open(event: Event) -> bool:
    """The receipt page offers the evaluation from the day after the event on."""
    return today() > event.date


def evaluation_state(checkout: Checkout) -> EvaluationState:
    view = checkout_view(checkout)
    people = [(m, False) for m in view.matches] + [(m, True) for m in view.colleagues]
    ids = _checkout_ids(checkout.event_id, [m.number for m, _ in people])
    contacts = dict(
        db.session.execute(
            select(EvaluationContact.partner_id, EvaluationContact.answer).where(
                EvaluationContact.checkout_id == checkout.id
            )
        ).all()
    )
    statuses = dict(
        db.session.execute(
            select(EvaluationProduct.product_id, EvaluationProduct.status).where(
                EvaluationProduct.checkout_id == checkout.id
            )
        ).all()
    )
    evaluation = _evaluation_of(checkout.id)
    return EvaluationState(
        checkout=checkout,
        partners=[
            PartnerQuestion(
                number=match.number,
                name=match.name,
                organisation=match.organisation,
                colleague=colleague,
                answer=contacts.get(ids.get(match.number, 0)),
            )
            for match, colleague in people
        ],
        products=[
            ProductQuestion(line.product.slug, line.product.name, statuses.get(line.product_id))
            for line in checkout.lines
            if line.intent == "want"
        ],
        rating=evaluation.rating if evaluation else None,
        missed=evaluation.missed if evaluation else None,
        saved_at=evaluation.updated_at if evaluation else None,
    )


def _evaluation_of(checkout_id: int) -> Evaluation | None:
    return db.session.execute(
        select(Evaluation).where(Evaluation.checkout_id == checkout_id)
    ).scalar_one_or_none()


def _checkout_ids(event_id: int, numbers: list[int]) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Checkout.number, Checkout.id).where(
                Checkout.event_id == event_id, Checkout.number.in_(numbers)
            )
        ).all()
    )


def _upsert(model: Any, values: dict[str, Any], keys: list[str], changes: list[str]) -> None:
    """Insert a row, or change `changes` of the row with the same `keys`: one statement, so
    two saves at the same moment cannot both insert."""
    connection = db.session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = insert(model).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={name: statement.excluded[name] for name in changes}
    )
    db.session.execute(statement)


def save_evaluation(
    checkout: Checkout,
    *,
    contacts: Mapping[int, str],
    products: Mapping[str, str],
    rating: str | None,
    missed: str | None,
) -> EvaluationState:
    """Keep the visitor's answers; only the questions answered change.

    `contacts`: receipt number -> yes/planned/no, for people on the receipt now;
    `products`: slug -> started/preparing/not, for products the visitor wanted;
    `rating`: "1" … "5"; `missed`: the text (empty clears it, None leaves it).
    Raises ValidationError naming the fields (`contact-<number>`, `product-<slug>`,
    `rating`, `missed`); nothing is kept then.
    """
    state = evaluation_state(checkout)
    fields: dict[str, str] = {}
    on_receipt = {p.number for p in state.partners}
    for number, answer in contacts.items():
        if number not in on_receipt:
            fields[f"contact-{number}"] = str(_l("Deze persoon staat niet op je bon."))
        elif answer not in CONTACT_ANSWERS:
            fields[f"contact-{number}"] = str(_l("Kies ja, gepland of nee."))
    wanted = {p.slug for p in state.products}
    for slug, status in products.items():
        if slug not in wanted:
            fields[f"product-{slug}"] = str(_l("Dit product wilde je niet volgens je bon."))
        elif status not in PRODUCT_STATUSES:
            fields[f"product-{slug}"] = str(_l("Kies gestart, in voorbereiding of niet."))
    chosen_rating: int | None = None
    if rating is not None:
        chosen_rating = int(rating) if rating in {str(r) for r in RATINGS} else None
        if chosen_rating is None:
            fields["rating"] = str(_l("Kies een cijfer van 1 tot en met 5."))
    cleaned = MISSED.check(fields, "missed", missed) if missed is not None else None
    if fields:
        raise ValidationError(str(_l("Je antwoorden zijn niet opgeslagen.")), fields)

    now = utcnow()
    changes = ["updated_at"]
    values: dict[str, Any] = {
        "checkout_id": checkout.id,
        "created_at": now,
        "updated_at": now,
        "rating": chosen_rating,
        "missed": cleaned or None,
    }
    if rating is not None:
        changes.append("rating")
    if missed is not None:
        changes.append("missed")
    _upsert(Evaluation, values, ["checkout_id"], changes)
    ids = _checkout_ids(checkout.event_id, list(contacts))
    for number, answer in contacts.items():
        _upsert(
            EvaluationContact,
            {
                "checkout_id": checkout.id,
                "partner_id": ids[number],
                "answer": answer,
                "updated_at": now,
            },
            ["checkout_id", "partner_id"],
            ["answer", "updated_at"],
        )
    product_ids = dict(
        db.session.execute(
            select(Product.slug, Product.id).where(Product.slug.in_(list(products)))
        ).all()
    )
    for slug, status in products.items():
        _upsert(
            EvaluationProduct,
            {
                "checkout_id": checkout.id,
                "product_id": product_ids[slug],
                "status": status,
                "updated_at": now,
            },
            ["checkout_id", "product_id"],
            ["status", "updated_at"],
        )
    db.session.flush()
    db.session.expire_all()
    return evaluation_state(checkout)


# --- what visitors missed -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MissedText:
    """One visitor's answer to "Wat miste je in de winkel?", without who wrote it.

    `evaluation_id` identifies the answer, for a feature that turns it into a product
    proposal; the text itself is emptied when the event's personal data are purged.
    """

    evaluation_id: int
    event_id: int
    checkout_id: int
    text: str
    updated_at: dt.datetime


def _missed_query() -> Any:
    """Answers to "Wat miste je?" that may be shown: not empty, not of a hidden checkout."""
    return (
        select(
            Evaluation.id,
            Checkout.event_id,
            Checkout.id,
            Evaluation.missed,
            Evaluation.updated_at,
        )
        .join(Checkout, Checkout.id == Evaluation.checkout_id)
        .where(
            Checkout.hidden_at.is_(None),
            Evaluation.missed.is_not(None),
            Evaluation.missed != "",
        )
    )


def _missed(rows: Any) -> list[MissedText]:
    return [
        MissedText(evaluation_id=i, event_id=e, checkout_id=c, text=t or "", updated_at=u)
        for i, e, c, t, u in rows
    ]


def missed_texts(event: Event | None = None, events: list[Event] | None = None) -> list[MissedText]:
    """The "Wat miste je?" texts of an event (or of `events`), oldest first; hidden
    checkouts' texts are left out."""
    chosen = [event] if event is not None else list(events or [])
    query = _missed_query().where(Checkout.event_id.in_([e.id for e in chosen]))
    return _missed(db.session.execute(query.order_by(Evaluation.updated_at, Evaluation.id)))


def find_missed_text(evaluation_id: int) -> MissedText | None:
    """One answer to "Wat miste je?", or None when there is none to show (any more)."""
    found = _missed(db.session.execute(_missed_query().where(Evaluation.id == evaluation_id)))
    return found[0] if found else None


# --- erasure and purge ----------------------------------------------------------------------


def delete_answers(checkout_id: int) -> None:
    """A visitor's erasure: their evaluation, and every answer that names them."""
    for statement in (
        delete(Evaluation).where(Evaluation.checkout_id == checkout_id),
        delete(EvaluationProduct).where(EvaluationProduct.checkout_id == checkout_id),
        delete(EvaluationContact).where(
            or_(
                EvaluationContact.checkout_id == checkout_id,
                EvaluationContact.partner_id == checkout_id,
            )
        ),
    ):
        db.session.execute(statement.execution_options(synchronize_session=False))


def empty_missed_texts(checkout_ids: Any) -> int:
    """A purge: empty the free texts (they may name people); the answers to the other
    questions stay, about visitors who by then have no name left."""
    result = db.session.execute(
        update(Evaluation)
        .where(Evaluation.checkout_id.in_(checkout_ids), Evaluation.missed.is_not(None))
        .values(missed=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
