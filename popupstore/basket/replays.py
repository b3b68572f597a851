"""The replay store: what an Idempotency-Key needs to answer a repeated checkout.

A client that sends a checkout again under the same Idempotency-Key (a retry after a lost
answer, a double tap on the kiosk) gets the first checkout back instead of a second one.
The store keeps no copy of that answer, and nothing personal: a record holds

* a digest of the key (HMAC with the app's secret key), to find the record;
* a digest of the key and the request body together, to tell the same request from
  another one under the same key (409);
* the checkout's id, so the answer is built from the checkout as it is now (once the
  visitor erased it, the key stays used without a checkout, and a replay is a 404);
* the receipt token, encrypted (AES-GCM) under a key derived from the Idempotency-Key and
  the app's secret key: the server never stores the Idempotency-Key, so it can only read
  the token back when the client sends the key again.

Records are kept `REPLAY_HOURS` hours, then forgotten (a later request under the same key
is a new checkout). A purge of the event removes them all.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..db import utcnow
from ..errors import ConflictError, NotFoundError
from ..events.models import Event
from ..extensions import db
from ..tokens import hash_token
from .models import Checkout, IdempotencyRecord
from .payload import CheckoutRequest, request_fingerprint

REPLAY_HOURS = 24
NONCE_BYTES = 12


@dataclass(frozen=True, slots=True)
class Replay:
    checkout: Checkout
    token: str


def _derive(purpose: str, event: Event, key: str, extra: str = "") -> bytes:
    secret = str(current_app.secret_key or "").encode("utf-8")
    message = "\x00".join((purpose, str(event.id), key, extra)).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).digest()


def _key_digest(event: Event, key: str) -> str:
    return _derive("replay-key", event, key).hex()


def _request_digest(event: Event, key: str, request: CheckoutRequest) -> str:
    return _derive("replay-request", event, key, request_fingerprint(request.as_json())).hex()


def _seal(event: Event, key: str, token: str) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(_derive("replay-seal", event, key)).encrypt(nonce, token.encode("utf-8"), None)
    return nonce + sealed


def _unseal(event: Event, key: str, sealed: bytes) -> str | None:
    try:
        plain = AESGCM(_derive("replay-seal", event, key)).decrypt(
            sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], None
        )
    except InvalidTag:
        return None
    return plain.decode("utf-8")


def _oldest_kept() -> object:
    return utcnow() - timedelta(hours=REPLAY_HOURS)


def find(event: Event, key: str, request: CheckoutRequest) -> Replay | None:
    """The earlier checkout under `key` for this same request, or None when there is none.

    Raises ConflictError when the key was used for another request.
    """
    record = db.session.execute(
        select(IdempotencyRecord).where(
            IdempotencyRecord.event_id == event.id,
            IdempotencyRecord.key_digest == _key_digest(event, key),
            IdempotencyRecord.created_at >= _oldest_kept(),
        )
    ).scalar_one_or_none()
    if record is None:
        return None
    if not hmac.compare_digest(record.request_digest, _request_digest(event, key, request)):
        raise ConflictError(
            str(_l("Deze Idempotency-Key is al gebruikt voor een andere bestelling."))
        )
    if record.checkout_id is None:
        raise NotFoundError(str(_l("Deze bestelling is gewist.")))
    checkout = db.session.get(Checkout, record.checkout_id)
    token = _unseal(event, key, record.token_sealed)
    if checkout is None or token is None or checkout.token_hash != hash_token(token):
        # Purged since: the receipt no longer opens, so neither does its replay.
        return None
    return Replay(checkout, token)


def keep(
    event: Event, key: str, request: CheckoutRequest, checkout: Checkout, token: str
) -> Replay | None:
    """Keep a replay record for a checkout just stored. When the same key won a race at
    the same moment, roll back and return that winner's checkout instead."""
    forget_expired(event)
    db.session.add(
        IdempotencyRecord(
            event_id=event.id,
            key_digest=_key_digest(event, key),
            request_digest=_request_digest(event, key, request),
            checkout_id=checkout.id,
            token_sealed=_seal(event, key, token),
        )
    )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        winner = find(event, key, request)
        if winner is None:  # pragma: no cover - the winner rolled back in between
            raise ConflictError(str(_l("Probeer het nog eens."))) from None
        return winner
    return None


def forget_expired(event: Event | None = None) -> int:
    """Delete replay records older than REPLAY_HOURS (of one event, or of all)."""
    statement = delete(IdempotencyRecord).where(IdempotencyRecord.created_at < _oldest_kept())
    if event is not None:
        statement = statement.where(IdempotencyRecord.event_id == event.id)
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
