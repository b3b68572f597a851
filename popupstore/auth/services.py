"""Staff accounts, password checks and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import select
from werkzeug.security import check_password_hash

from ..db import utcnow
from ..errors import ConflictError, NotFoundError, ValidationError
from ..extensions import db
from ..pagecache import freshness
from ..passwords import hash_secret, stand_in_hash
from .models import ROLES, ApiToken, User

USERNAME = re.compile(r"^[A-Za-z0-9._-]{2,64}$")
MIN_PASSWORD_LENGTH = 10


def _dummy_hash() -> str:
    """Checked against when the username is unknown, so both paths cost one hash check."""
    return stand_in_hash()


def prepare_password_checks() -> None:
    """Make the stand-in hash now, so the first unknown username costs no extra hash."""
    _dummy_hash()


@dataclass(frozen=True)
class StaffUser(UserMixin):
    """The logged-in staff member as a request sees them (Flask-Login's current_user).

    Not the ORM row: it is read with one small query, or reused from `freshness()` while
    staff screens poll every few seconds, and it cannot be changed by accident.
    """

    id: int
    username: str
    role: str

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def is_organiser(self) -> bool:
        return self.role == "organiser"


def load_staff_user(user_id: int) -> StaffUser | None:
    """The staff member with this id, for the session that names it."""

    def load() -> StaffUser | None:
        row = db.session.execute(
            select(User.id, User.username, User.role).where(User.id == user_id)
        ).first()
        return StaffUser(row.id, row.username, row.role) if row is not None else None

    found: StaffUser | None = freshness().get(("user", user_id), load)
    return found


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


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
    if len(password or "") < MIN_PASSWORD_LENGTH:
        fields["password"] = str(_l("Minstens %(n)d tekens.", n=MIN_PASSWORD_LENGTH))
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


def create_token(user: User) -> str:
    """A new API token for `user`; the plain token is returned once and only its hash kept."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=hash_token(token)))
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    if not token:
        return None
    query = select(ApiToken).where(ApiToken.token_hash == hash_token(token))
    found = db.session.execute(query).scalar_one_or_none()
    if found is None:
        return None
    return found.user
