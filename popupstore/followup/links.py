"""The links in a mail: signed for the evaluation and the unsubscribe, and the receipt's own.

A signed link names a checkout by its id and is signed with the app's secret key and a
salt per purpose (itsdangerous), so an evaluation link cannot unsubscribe and neither can
be made up. It opens only while its checkout exists with its personal data: an erasure or
a purge closes it. Mails are composed outside any request (by `popupstore send-mail` too),
so the links are built on the address kept with each mail, not with `url_for`.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

EVALUATION_SALT = "popupstore.follow-up.evaluation"
UNSUBSCRIBE_SALT = "popupstore.follow-up.unsubscribe"
# Signed tokens are short; anything much longer is not one of ours.
TOKEN_LIMIT = 200

# The paths, written once: the views register them, the mails link to them.
EVALUATION_PATH = "/evaluatie/<signed>"
UNSUBSCRIBE_PATH = "/mail/afmelden/<signed>"
RECEIPT_EVALUATION_PATH = "/r/<token>/evaluatie"


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key or "", salt=salt)


def _sign(salt: str, checkout_id: int) -> str:
    return str(_serializer(salt).dumps({"checkout": checkout_id}))


def _checkout_id(salt: str, signed: str) -> int | None:
    if not signed or len(signed) > TOKEN_LIMIT:
        return None
    try:
        payload = _serializer(salt).loads(signed)
    except BadSignature:
        return None
    found = payload.get("checkout") if isinstance(payload, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def evaluation_token(checkout_id: int) -> str:
    return _sign(EVALUATION_SALT, checkout_id)


def checkout_of_evaluation_token(signed: str) -> int | None:
    """The checkout id an evaluation link names, or None when it is not a valid one."""
    return _checkout_id(EVALUATION_SALT, signed)


def unsubscribe_token(checkout_id: int) -> str:
    return _sign(UNSUBSCRIBE_SALT, checkout_id)


def checkout_of_unsubscribe_token(signed: str) -> int | None:
    """The checkout id an unsubscribe link names, or None when it is not a valid one."""
    return _checkout_id(UNSUBSCRIBE_SALT, signed)


def _fill(path: str, name: str, value: str) -> str:
    return path.replace(f"<{name}>", value)


def evaluation_url(base_url: str, checkout_id: int) -> str:
    return base_url + _fill(EVALUATION_PATH, "signed", evaluation_token(checkout_id))


def unsubscribe_url(base_url: str, checkout_id: int) -> str:
    return base_url + _fill(UNSUBSCRIBE_PATH, "signed", unsubscribe_token(checkout_id))


def receipt_url(base_url: str, token: str) -> str:
    return f"{base_url}/r/{token}"


def receipt_evaluation_path(token: str) -> str:
    return _fill(RECEIPT_EVALUATION_PATH, "token", token)
