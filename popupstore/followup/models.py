"""The outbox of mails, the per-event follow-up settings and the evaluation answers.

Personal data live in their owner's row only: an outbox row points at its checkout and
reads the address from there when it is sent, so an erasure or a purge of the checkout
reaches every mail at once. Every row here goes with its checkout (ON DELETE CASCADE).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..basket.models import Checkout
from ..catalog.models import Product
from ..db import UTCDateTime, utcnow
from ..extensions import db

# The two mails a visitor who ticked "mail mij mijn bon" gets: the receipt link at once,
# and one follow-up on the event's follow-up date.
RECEIPT = "receipt"
FOLLOW_UP = "follow_up"
KINDS = (RECEIPT, FOLLOW_UP)

# pending: waiting (maybe until `not_before`); sending: claimed by a run; sent; failed: the
# server refused it for good, or it kept refusing; cancelled: erased, purged, unsubscribed.
PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
CANCELLED = "cancelled"
STATUSES = (PENDING, SENDING, SENT, FAILED, CANCELLED)

# "Contact gehad?" about a partner or colleague on the receipt.
CONTACT_ANSWERS = ("yes", "planned", "no")
# "Hoe staat het?" about a product the visitor wanted.
PRODUCT_STATUSES = ("started", "preparing", "not")
RATINGS = (1, 2, 3, 4, 5)

MISSED_LIMIT = 1000
MAIL_TEXT_LIMIT = 2000
ERROR_LIMIT = 300


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class OutboxMail(db.Model):  # type: ignore[name-defined]
    """One mail to one visitor: the source of truth of what is still to be sent.

    The receipt mail carries the receipt token, sealed (`outbox.seal_token`) because only
    its hash is kept with the checkout; the seal is emptied once the mail is sent,
    cancelled or failed. `base_url` is the store's address at checkout, for the links.
    """

    __tablename__ = "outbox_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkout.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    locale: Mapped[str] = mapped_column(String(8))
    base_url: Mapped[str] = mapped_column(String(200))
    token_sealed: Mapped[bytes | None] = mapped_column(LargeBinary(128))
    attempts: Mapped[int] = mapped_column(default=0)
    # A mail the server refused for now waits until then (back-off).
    not_before: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The server's answer, never with the address in it.
    last_error: Mapped[str | None] = mapped_column(String(ERROR_LIMIT))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    checkout: Mapped[Checkout] = relationship()

    __table_args__ = (
        UniqueConstraint("checkout_id", "kind"),
        CheckConstraint(_one_of("kind", KINDS), name="kind"),
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        Index("ix_outbox_mail_status_kind", "status", "kind"),
    )

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} {self.kind} {self.status}>"


class FollowUpSettings(db.Model):  # type: ignore[name-defined]
    """An organiser's choices for one event's follow-up; no row means the defaults."""

    __tablename__ = "follow_up_settings"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    # None: the default, FOLLOW_UP_DAYS after the event.
    send_on: Mapped[dt.date | None] = mapped_column(Date)
    # None: the default text, in the visitor's language.
    text: Mapped[str | None] = mapped_column(String(MAIL_TEXT_LIMIT))
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Evaluation(db.Model):  # type: ignore[name-defined]
    """A visitor's evaluation: the rating and what they missed; answers about partners and
    products are rows of their own. Saving again keeps the latest answers."""

    __tablename__ = "evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkout_id: Mapped[int] = mapped_column(
        ForeignKey("checkout.id", ondelete="CASCADE"), unique=True
    )
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    # "Wat miste je in de winkel?": free text that may name people, so a purge empties it.
    missed: Mapped[str | None] = mapped_column(String(MISSED_LIMIT))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),)


class EvaluationContact(db.Model):  # type: ignore[name-defined]
    """ "Contact gehad?" about one partner or colleague; goes when either of them is erased."""

    __tablename__ = "evaluation_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkout.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("checkout.id", ondelete="CASCADE"))
    answer: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("checkout_id", "partner_id"),
        CheckConstraint(_one_of("answer", CONTACT_ANSWERS), name="answer"),
        Index("ix_evaluation_contact_partner", "partner_id"),
    )


class EvaluationProduct(db.Model):  # type: ignore[name-defined]
    """ "Hoe staat het?" about one product the visitor wanted."""

    __tablename__ = "evaluation_product"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkout.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(12))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    product: Mapped[Product] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("checkout_id", "product_id"),
        CheckConstraint(_one_of("status", PRODUCT_STATUSES), name="status"),
        Index("ix_evaluation_product_product", "product_id"),
    )
