from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, utcnow
from ..extensions import db

PLAN_KINDS = ("tables", "pairs")


class ConversationPlan(db.Model):  # type: ignore[name-defined]
    """A seating plan or a set of 1:1 pairs made for an event, kept so every screen shows it.

    `plan` holds receipt numbers and product slugs only, never names. Screens compare it with
    the event's current checkouts: who came in later is listed as not seated yet, and anyone
    erased since is left out.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    min_size: Mapped[int | None]
    max_size: Mapped[int | None]
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    checkouts: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        CheckConstraint("kind IN ('tables', 'pairs')", name="kind"),
        Index("ix_conversation_plan_event_kind", "event_id", "kind"),
    )


class WallLink(db.Model):  # type: ignore[name-defined]
    """A read-only link to one event's wall screen, for a screen left on all day.

    A staff login ends after STAFF_IDLE_MINUTES without activity, and a wall that only
    refreshes itself is not activity; this link needs no login and shows only what the wall
    shows (receipt numbers, products, agreements: never a name). One per event; only the
    token's hash is kept (`tokens.hash_token`). Making a new link replaces the old one, which
    stops working at once; deleting it revokes the link.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RoundTimer(db.Model):  # type: ignore[name-defined]
    """The round timer of one event, shared by every screen that shows it.

    Idle: neither `ends_at` nor `left_ms`. Running: `ends_at` (over once it has passed).
    Paused: `left_ms`, what was left at the pause. Screens get the milliseconds left from
    the server at each refresh and count down themselves, so their clocks need not agree
    with the server's.
    """

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    minutes: Mapped[int]
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    left_ms: Mapped[int | None]

    __table_args__ = (
        CheckConstraint("minutes BETWEEN 1 AND 90", name="minutes"),
        CheckConstraint("ends_at IS NULL OR left_ms IS NULL", name="one_state"),
    )
