from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalog.models import Product
from ..db import UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import db

INTENTS = ("want", "have")


class Checkout(db.Model):  # type: ignore[name-defined]
    """A visitor's basket at one event, with the details needed to match them.

    Only a hash of the receipt token is kept. Personal fields (name, e-mail, token)
    are emptied when the visitor or an organiser erases them; the basket stays.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    number: Mapped[int]
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    visitor_name: Mapped[str | None] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(120))
    organisation_key: Mapped[str] = mapped_column(String(160))
    organisation_name: Mapped[str] = mapped_column(String(120))
    organisation_type: Mapped[str] = mapped_column(String(32))
    province: Mapped[str] = mapped_column(String(32))
    role: Mapped[str | None] = mapped_column(String(80))
    share_contact: Mapped[bool] = mapped_column(default=False)
    # The receipt link by e-mail, and one follow-up mail after the event.
    follow_up: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Also match with consenting visitors of the other events of the event's series.
    across_series: Mapped[bool] = mapped_column(default=False, server_default="0")
    # Hidden by a facilitator (spam, abuse): counted nowhere and shown nowhere until shown
    # again; `popupstore.moderation` keeps the log of who did it when.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # How many partners and colleagues the receipt named at checkout (for the statistics).
    matches_shown: Mapped[int] = mapped_column(default=0, server_default="0")
    checked_out_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped[Event] = relationship()
    lines: Mapped[list[BasketLine]] = relationship(
        back_populates="checkout",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="BasketLine.id",
    )

    __table_args__ = (
        UniqueConstraint("event_id", "number"),
        Index("ix_checkout_event_org", "event_id", "organisation_key"),
    )

    def __repr__(self) -> str:
        return f"<Checkout {self.event_id}#{self.number}>"


class BasketLine(db.Model):  # type: ignore[name-defined]
    id: Mapped[int] = mapped_column(primary_key=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkout.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="RESTRICT"))
    intent: Mapped[str] = mapped_column(String(4))

    checkout: Mapped[Checkout] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("checkout_id", "product_id"),
        CheckConstraint("intent IN ('want', 'have')", name="intent"),
        Index("ix_basket_line_product", "product_id"),
    )


class IdempotencyRecord(db.Model):  # type: ignore[name-defined]
    """What answers a checkout repeated under its Idempotency-Key (`basket.replays`):
    digests and an encrypted token, never a name, an e-mail address or a clear token."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    key_digest: Mapped[str] = mapped_column(String(64))
    request_digest: Mapped[str] = mapped_column(String(64))
    # None once the visitor erased their checkout: the key stays used (a replay is a 404).
    checkout_id: Mapped[int | None] = mapped_column(ForeignKey("checkout.id", ondelete="SET NULL"))
    token_sealed: Mapped[bytes] = mapped_column(LargeBinary(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    __table_args__ = (UniqueConstraint("event_id", "key_digest"),)
