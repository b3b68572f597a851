"""Kiosk mode, the staff PIN and resetting the tablet for the next visitor.

Kiosk mode belongs to a device, not to a visitor: it lives in its own long-lived signed
cookie, so clearing the visitor's session (idle reset, "Klaar") leaves the tablet a kiosk.
A visitor's own phone never gets that cookie, so an idle phone keeps its basket.
"""

from __future__ import annotations

import re

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.security import check_password_hash
from werkzeug.wrappers import Response

from ..db import utcnow
from ..errors import ValidationError
from ..extensions import db
from ..passwords import hash_secret
from .models import PIN_ROW, KioskPin

KIOSK_COOKIE = "popupstore_kiosk"
KIOSK_SALT = "popupstore.kiosk-mode"
# Chromium keeps no cookie longer than 400 days; the tablet is re-enabled per season anyway.
KIOSK_COOKIE_DAYS = 400
PIN_PATTERN = re.compile(r"^[0-9]{4,12}$")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key or "", salt=KIOSK_SALT)


def kiosk_mode() -> bool:
    """Whether this request comes from a device that staff put in kiosk mode."""
    # Most requests carry no kiosk cookie; say so without parsing every cookie they send.
    if KIOSK_COOKIE not in request.environ.get("HTTP_COOKIE", ""):
        return False
    value = request.cookies.get(KIOSK_COOKIE)
    if not value:
        return False
    try:
        return bool(_serializer().loads(value) == {"kiosk": True})
    except BadSignature:
        return False


def turn_kiosk_on(response: Response) -> None:
    response.set_cookie(
        KIOSK_COOKIE,
        _serializer().dumps({"kiosk": True}),
        max_age=KIOSK_COOKIE_DAYS * 24 * 3600,
        httponly=True,
        samesite="Strict",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure,
    )


def turn_kiosk_off(response: Response) -> None:
    response.delete_cookie(KIOSK_COOKIE, httponly=True, samesite="Strict")


# --- the PIN -------------------------------------------------------------------------------


def _stored_pin() -> KioskPin | None:
    return db.session.get(KioskPin, PIN_ROW)


def pin_hash() -> str | None:
    """The PIN set on the command line, else the one in the configuration, else None."""
    stored = _stored_pin()
    if stored is not None:
        return stored.pin_hash
    configured = current_app.config.get("KIOSK_PIN_HASH")
    return str(configured) if configured else None


def pin_is_set() -> bool:
    return pin_hash() is not None


def set_pin(pin: str) -> None:
    """Store a new PIN (4 to 12 digits), hashed; it replaces the previous one."""
    if not PIN_PATTERN.match(pin or ""):
        raise ValidationError(
            str(_l("De PIN moet uit 4 tot 12 cijfers bestaan.")),
            {"pin": str(_l("4 tot 12 cijfers"))},
        )
    hashed = hash_secret(pin)
    stored = _stored_pin()
    if stored is None:
        db.session.add(KioskPin(id=PIN_ROW, pin_hash=hashed))
    else:
        stored.pin_hash = hashed
        stored.updated_at = utcnow()
    db.session.flush()


def pin_matches(pin: str) -> bool:
    hashed = pin_hash()
    if hashed is None or not PIN_PATTERN.match(pin or ""):
        return False
    return check_password_hash(hashed, pin)
