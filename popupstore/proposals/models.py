"""A product proposed by a visitor ("Wij doen iets wat hier niet ligt") and its review."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalog.models import Product
from ..db import UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import db

PENDING = "pending"
APPROVED = "approved"
MERGED = "merged"
DECLINED = "declined"
STATUSES = (PENDING, APPROVED, MERGED, DECLINED)

# Where a proposal came from: a visitor's form, or an answer to the evaluation.
FROM_VISITOR = "visitor"
FROM_EVALUATION = "evaluation"
SOURCES = (FROM_VISITOR, FROM_EVALUATION)

NAME_LIMIT = 120
PITCH_LIMIT = 200
DESCRIPTION_LIMIT = 1500
DESCRIPTION_WORDS = 150
ORGANISATION_LIMIT = 160
CONTACT_LIMIT = 200
REASON_LIMIT = 300


class Proposal(db.Model):  # type: ignore[name-defined]
    """An approach a visitor runs that the store does not sell yet.

    `contact` is personal data: a visitor's erasure and an event's purge empty it
    (`privacy.erasure`). The organisation stays only as the credit of an approved or merged
    product ("aangedragen door ..."), which the form tells the proposer. Only staff see
    pending and declined proposals; the proposer sees their own on their receipt.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    # The proposer's checkout, when they had checked out; None after their erasure.
    checkout_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkout.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[str] = mapped_column(String(16), default=FROM_VISITOR)
    name: Mapped[str] = mapped_column(String(NAME_LIMIT))
    pitch: Mapped[str] = mapped_column(String(PITCH_LIMIT))
    description: Mapped[str] = mapped_column(Text)
    # None for a proposal made from an evaluation answer, until the organiser fills it in.
    organisation: Mapped[str | None] = mapped_column(String(ORGANISATION_LIMIT))
    contact: Mapped[str | None] = mapped_column(String(CONTACT_LIMIT))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    # The product it became (approved) or was merged into.
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="SET NULL"))
    decline_reason: Mapped[str | None] = mapped_column(String(REASON_LIMIT))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    event: Mapped[Event] = relationship(lazy="joined")
    product: Mapped[Product | None] = relationship(lazy="joined")

    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'merged', 'declined')", name="status"),
        CheckConstraint("source IN ('visitor', 'evaluation')", name="source"),
        Index("ix_proposal_status_created", "status", "created_at"),
        Index("ix_proposal_event", "event_id"),
        Index("ix_proposal_product", "product_id"),
    )

    @property
    def decided(self) -> bool:
        return self.status != PENDING

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.status}>"
