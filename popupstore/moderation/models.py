from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, utcnow
from ..extensions import db

TARGETS = ("checkout", "agreement")
ACTIONS = ("hide", "show")


class ModerationAction(db.Model):  # type: ignore[name-defined]
    """One hide or show of a checkout or an agreement: who did it, when.

    The log names the receipt number or the agreement, never the visitor: it outlives an
    erasure of what it points at.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(16))
    # The receipt number of a checkout, or the id of an agreement.
    target_ref: Mapped[int]
    action: Mapped[str] = mapped_column(String(8))
    staff_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    staff_username: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        CheckConstraint("target IN ('checkout', 'agreement')", name="target"),
        CheckConstraint("action IN ('hide', 'show')", name="action"),
        Index("ix_moderation_action_event_created", "event_id", "created_at"),
    )
