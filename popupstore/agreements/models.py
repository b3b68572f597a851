from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..basket.models import Checkout
from ..catalog.models import Product
from ..db import UTCDateTime, utcnow
from ..extensions import db

TEXT_LIMIT = 200


class Agreement(db.Model):  # type: ignore[name-defined]
    """What two visitors of one event agreed to do together about one shared product.

    `author` wrote it on their receipt page, `partner` was one of the author's matches or
    colleagues then. Erasing either checkout deletes the agreement (ON DELETE CASCADE): it
    names two people, and neither may outlive their own erasure in it.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("checkout.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("checkout.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(String(TEXT_LIMIT))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Hidden by a facilitator: off the wall, the receipts and the counts until shown again.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author: Mapped[Checkout] = relationship(foreign_keys=[author_id], lazy="joined")
    partner: Mapped[Checkout] = relationship(foreign_keys=[partner_id], lazy="joined")
    product: Mapped[Product] = relationship(lazy="joined")

    __table_args__ = (
        UniqueConstraint("author_id", "partner_id", "product_id"),
        Index("ix_agreement_event_created", "event_id", "created_at"),
        Index("ix_agreement_partner", "partner_id"),
    )

    def __repr__(self) -> str:
        return f"<Agreement {self.event_id}: {self.author_id}+{self.partner_id}>"
