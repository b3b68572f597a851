"""The table where the rate limits count when they count in the application database."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

KEY_LENGTH = 255


class RateLimitCounter(db.Model):  # type: ignore[name-defined]
    """Failures counted under one key (a budget and a pseudonymous client) in one window.

    The key names no address and no username: the budget's client part is a keyed hash
    (see `popupstore.ratelimits`). A row is dead once `expires_at` (seconds since the
    epoch, the clock of the worker that opened the window) has passed; the next failure
    under the key starts a new window in the same row, and dead rows of other keys are
    deleted whenever some window starts.
    """

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)
