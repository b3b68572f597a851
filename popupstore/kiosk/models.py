from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, utcnow
from ..extensions import db

PIN_ROW = 1


class KioskPin(db.Model):  # type: ignore[name-defined]
    """The one PIN that lets staff leave kiosk mode; only its hash is stored."""

    __tablename__ = "kiosk_pin"

    id: Mapped[int] = mapped_column(primary_key=True)
    pin_hash: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    # A single row: setting the PIN again replaces it.
    __table_args__ = (CheckConstraint(f"id = {PIN_ROW}", name="single_row"),)
