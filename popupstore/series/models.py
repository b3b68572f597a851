"""A series of events (e.g. the five regional network days of one year) and its members."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, utcnow
from ..extensions import db


class EventSeries(db.Model):  # type: ignore[name-defined]
    """Events that belong together, so a visitor may meet people of the other days."""

    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<EventSeries {self.slug}>"


class SeriesMember(db.Model):  # type: ignore[name-defined]
    """An event's place in a series. The event is the primary key: an event is in at most
    one series. A move is a delete and an insert, never a change of `series_id`, so the
    named versions of both series move on (`popupstore.versions`)."""

    __tablename__ = "series_event"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    series_id: Mapped[int] = mapped_column(
        ForeignKey("event_series.id", ondelete="CASCADE"), index=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
