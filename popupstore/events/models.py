from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, utcnow
from ..extensions import db


class Event(db.Model):  # type: ignore[name-defined]
    """A network day at which the store stands. Exactly one event is active at a time."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80))
    date: Mapped[dt.date] = mapped_column(Date)
    venue: Mapped[str | None] = mapped_column(String(160))
    is_active: Mapped[bool] = mapped_column(default=False)
    # Receipt numbers are handed out from here, so an erased checkout's number is never reused.
    last_number: Mapped[int] = mapped_column(default=0)
    # Bumped whenever checkouts disappear or change, so per-process caches know to rebuild.
    data_version: Mapped[int] = mapped_column(default=0)
    retention_until: Mapped[dt.date | None] = mapped_column(Date)
    personal_data_purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        Index(
            "uq_event_single_active",
            "is_active",
            unique=True,
            sqlite_where=text("is_active"),
            postgresql_where=text("is_active"),
        ),
    )

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"
