from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, utcnow
from ..extensions import db

# Personal data of an event's visitors are purged this many days after the event,
# unless an organiser sets another date.
DEFAULT_RETENTION_DAYS = 30
# Personal data need a reason to be kept; a year after the event there is none left.
MAX_RETENTION_DAYS = 365
# The last day an event may fall on: its retention date must still be a date.
LATEST_EVENT_DATE = dt.date.max - dt.timedelta(days=MAX_RETENTION_DAYS)


def days_after(day: dt.date, days: int) -> dt.date:
    """`day` plus `days`, or the last representable date when that lies beyond it.

    Events stored before their dates were checked may lie near the year 9999.
    """
    if day > dt.date.max - dt.timedelta(days=days):
        return dt.date.max
    return day + dt.timedelta(days=days)


def default_retention(day: dt.date) -> dt.date:
    return days_after(day, DEFAULT_RETENTION_DAYS)


def _retention_for_insert(context: Any) -> dt.date | None:
    day = context.get_current_parameters().get("date")
    return default_retention(day) if isinstance(day, dt.date) else None


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
    # After this date `popupstore purge-expired` erases the visitors' personal data.
    retention_until: Mapped[dt.date | None] = mapped_column(Date, default=_retention_for_insert)
    personal_data_purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # A demo event (`popupstore bootstrap-demo`): the only kind that takes simulated
    # visitors, and never in one series with real events.
    is_demo: Mapped[bool] = mapped_column(default=False, server_default="0")
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

    @property
    def retention_date(self) -> dt.date:
        """The last day personal data of this event may be kept."""
        return self.retention_until or default_retention(self.date)

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"
