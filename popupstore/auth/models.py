from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utcnow
from ..extensions import db
from .roles import ORGANISER, ROLES


def session_user_id(user_id: int, session_version: int) -> str:
    """What a staff session cookie names: the user and the session version it was made in.

    Flask-Login stores this (its "alternative token") at login and hands it back to the
    user loader on each request; a logout or password change moves the version on, so
    every cookie made before names a version that no longer loads.
    """
    return f"{user_id}:{session_version}"


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    """A staff member. Visitors have no account."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Moves on at logout and at a password change: sessions of an older version are over.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint("role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")", name="role"),
    )

    @property
    def is_organiser(self) -> bool:
        return self.role == ORGANISER

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def get_id(self) -> str:
        return session_user_id(self.id, self.session_version)


class ApiToken(db.Model):  # type: ignore[name-defined]
    """A bearer token for the staff API; only its SHA-256 hash is stored.

    A token works until `expires_at`; revoking deletes the row, so nothing of a token that
    can no longer be used is kept.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="tokens", lazy="joined")
