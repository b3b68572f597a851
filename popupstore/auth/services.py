"""Staff accounts, password checks, staff sessions and API tokens."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, cast

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CursorResult, bindparam, delete, select, update
from werkzeug.security import check_password_hash

from ..db import utcnow
from ..errors import ConflictError, NotFoundError, ValidationError
from ..extensions import db
from ..passwords import hash_secret, stand_in_hash
from ..tokens import hash_token
from .models import ApiToken, User, session_user_id
from .roles import ORGANISER, ROLES

USERNAME = re.compile(r"^[A-Za-z0-9._-]{2,64}$")
MIN_PASSWORD_LENGTH = 10
# How long an API token works unless `create-token --days` says otherwise, and the most it
# may be given: a token that never really expires defeats the point of expiry.
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 3650


def _dummy_hash() -> str:
    """Checked against when the username is unknown, so both paths cost one hash check."""
    return stand_in_hash()


def prepare_password_checks() -> None:
    """Make the stand-in hash now, so the first unknown username costs no extra hash."""
    _dummy_hash()


@dataclass(frozen=True)
class StaffUser(UserMixin):
    """The logged-in staff member as a request sees them (Flask-Login's current_user).

    Not the ORM row: it is read with one small query per request and cannot be changed by
    accident. `session_version` is the version the session cookie was made in.
    """

    id: int
    username: str
    role: str
    session_version: int

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def is_organiser(self) -> bool:
        return self.role == ORGANISER

    def get_id(self) -> str:
        return session_user_id(self.id, self.session_version)


# Built once: a staff screen polling every few seconds asks this on every request, and
# building the statement cost more than running it.
_STAFF_MEMBER = select(User.id, User.username, User.role, User.session_version).where(
    User.id == bindparam("user_id"), User.session_version == bindparam("version")
)


def load_staff_user(session_user: str) -> StaffUser | None:
    """The staff member a session names (see `session_user_id`), or None.

    None as well when the session was made before that member's last logout or password
    change: the version it names is no longer theirs. Asked on every staff request, so a
    session ended at one worker or server is over at all of them at once.
    """
    user_id, _, version = session_user.partition(":")
    if not (user_id.isdigit() and version.isdigit()):
        return None
    row = (
        db.session.connection()
        .execute(_STAFF_MEMBER, {"user_id": int(user_id), "version": int(version)})
        .first()
    )
    if row is None:
        return None
    return StaffUser(row.id, row.username, row.role, row.session_version)


def end_sessions(user_id: int) -> None:
    """End every session of this staff member, on every device, worker and server."""
    db.session.execute(
        update(User).where(User.id == user_id).values(session_version=User.session_version + 1)
    )


def get_user(username: str) -> User:
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFoundError(str(_l("Gebruiker '%(name)s' bestaat niet.", name=username)))
    return user


def create_user(username: str, password: str, role: str) -> User:
    fields: dict[str, str] = {}
    if not USERNAME.match(username or ""):
        fields["username"] = str(
            _l("2–64 tekens: letters, cijfers, punt, streepje, liggend streepje.")
        )
    if role not in ROLES:
        fields["role"] = str(_l("Kies facilitator of organiser."))
    if password_problem := _password_problem(password):
        fields["password"] = password_problem
    if fields:
        raise ValidationError(str(_l("De gebruiker klopt niet.")), fields)
    taken = db.session.execute(select(User.id).where(User.username == username)).first()
    if taken:
        raise ConflictError(
            str(_l("Gebruiker '%(name)s' bestaat al.", name=username)),
            {"username": str(_l("Deze naam is al in gebruik."))},
        )
    user = User(username=username, password_hash=hash_secret(password), role=role)
    db.session.add(user)
    db.session.flush()
    return user


def _password_problem(password: str) -> str | None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return str(_l("Minstens %(n)d tekens.", n=MIN_PASSWORD_LENGTH))
    return None


def set_password(user: User, password: str) -> None:
    """Give `user` a new password; every session they had is over (API tokens stay)."""
    if problem := _password_problem(password):
        raise ValidationError(str(_l("Het wachtwoord is te kort.")), {"password": problem})
    user.password_hash = hash_secret(password)
    end_sessions(user.id)
    db.session.flush()


def authenticate(username: str, password: str) -> User | None:
    """The user with these credentials, or None; costs the same whether the user exists."""
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    user.last_login_at = utcnow()
    return user


class IssuedToken(NamedTuple):
    """A new API token as handed out once: the token itself and when it stops working."""

    token: str
    expires_at: datetime


def create_token(user: User, days: int = DEFAULT_TOKEN_DAYS) -> IssuedToken:
    """A new API token for `user`, valid `days` days (1 to MAX_TOKEN_DAYS).

    The plain token is returned once; only its hash is kept.
    """
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError(
            str(
                _l(
                    "Een API-token is 1 tot %(max)d dagen geldig, niet %(days)s.",
                    max=MAX_TOKEN_DAYS,
                    days=days,
                )
            )
        )
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=days)
    db.session.add(ApiToken(user=user, token_hash=hash_token(token), expires_at=expires_at))
    db.session.flush()
    return IssuedToken(token, expires_at)


def revoke_tokens(user: User) -> int:
    """Make every API token of `user` stop working at once; how many there were.

    The rows are deleted: a revoked token can never work again, so nothing of it is kept.
    """
    result = cast(
        CursorResult[Any],
        db.session.execute(
            delete(ApiToken)
            .where(ApiToken.user_id == user.id)
            .execution_options(synchronize_session=False)
        ),
    )
    db.session.expire(user, ["tokens"])
    return int(result.rowcount)


def user_for_token(token: str) -> User | None:
    """The staff member whose unexpired, unrevoked API token this is, or None."""
    if not token:
        return None
    query = select(ApiToken).where(
        ApiToken.token_hash == hash_token(token), ApiToken.expires_at > utcnow()
    )
    found = db.session.execute(query).scalar_one_or_none()
    if found is None:
        return None
    return found.user
