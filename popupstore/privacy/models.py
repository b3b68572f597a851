from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, utcnow
from ..extensions import db


class PrivacyNotice(db.Model):  # type: ignore[name-defined]
    """The privacy page's text as an organiser set it; one row (absent: the default text).

    Four parts, each plain paragraphs separated by a blank line: who is responsible
    (controller and contact), what is collected and why, how long it is kept, and
    the visitor's rights.
    """

    __tablename__ = "privacy_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    controller: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(Text)
    retention: Mapped[str] = mapped_column(Text)
    rights: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
