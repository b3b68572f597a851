"""Hashes of staff passwords and the kiosk PIN, made with the app's PASSWORD_HASH_METHOD.

Check them with `werkzeug.security.check_password_hash`, which reads the method and its
cost from the hash itself, so hashes made with another setting keep working.
"""

from __future__ import annotations

import secrets
from functools import cache

from flask import current_app
from werkzeug.security import generate_password_hash


def hash_secret(secret: str) -> str:
    """A salted hash of `secret` with the configured method (werkzeug's scrypt by default)."""
    return generate_password_hash(secret, method=current_app.config["PASSWORD_HASH_METHOD"])


def stand_in_hash() -> str:
    """A hash of a random secret that costs as much to check as a real one: checked when a
    username is unknown, so an unknown name and a wrong password take equally long."""
    return _stand_in_hash(current_app.config["PASSWORD_HASH_METHOD"])


@cache
def _stand_in_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)
