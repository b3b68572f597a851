"""Flask extensions, created unbound and initialised in the app factory."""

from __future__ import annotations

from flask import request
from flask_babel import Babel
from flask_login import LoginManager
from flask_login.utils import _create_identifier
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from .db import Base


class StoreLoginManager(LoginManager):
    """Flask-Login's manager, remembering the session identifier of clients it has seen.

    For its session protection Flask-Login hashes the client's address and user agent
    (SHA-512) each time it loads the user, to compare with the hash stored at login. A
    staff screen polls every few seconds with the same address and user agent, so a
    worker keeps the hash per (forwarded-for, address, user agent): the values Flask-Login
    reads, so the identifier is exactly Flask-Login's own.
    """

    IDENTIFIERS = 1024

    def __init__(self) -> None:
        super().__init__()
        self._identifiers: dict[tuple[str | None, ...], str] = {}
        self._session_identifier_generator = self._identifier

    def _identifier(self) -> str:
        environ = request.environ
        key = (
            environ.get("HTTP_X_FORWARDED_FOR"),
            environ.get("REMOTE_ADDR"),
            environ.get("HTTP_USER_AGENT"),
        )
        found = self._identifiers.get(key)
        if found is None:
            found = str(_create_identifier())
            if len(self._identifiers) >= self.IDENTIFIERS:
                self._identifiers.clear()
            self._identifiers[key] = found
        return found


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = StoreLoginManager()
babel = Babel()
