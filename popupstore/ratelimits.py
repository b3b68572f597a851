"""Limits on failed attempts per client address: logins, kiosk PINs, secret-token look-ups.

Only failures count, and only the three places that can fail this way are limited, so the
limits are kept with the `limits` library (the one Flask-Limiter is built on) directly at
those places: a login or PIN attempt checks its budget first and spends it when it fails;
a token look-up spends it when it finds nothing. Flask-Limiter would express the same with
decorators and `deduct_when`, at the price of a before-request check and two after-request
hooks on every request the store answers — about a tenth of a kept page (bench/README.md).

Checkouts are never limited by address: a whole venue shares one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.errors import ConfigurationError
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from .config import ENV_PREFIX, ConfigError

EXTENSION = "popupstore_rate_limits"


@cache
def _parsed(limit: str) -> RateLimitItem:
    return parse(limit)


def _limiter() -> MovingWindowRateLimiter:
    limiter: MovingWindowRateLimiter = current_app.extensions[EXTENSION]
    return limiter


@dataclass(frozen=True, slots=True)
class Budget:
    """Failed attempts a client address may make, e.g. "10 per minute" from a setting."""

    name: str
    setting: str

    def _item(self) -> RateLimitItem:
        return _parsed(str(current_app.config[self.setting]))

    def _refuse(self, item: RateLimitItem) -> TooManyRequests:
        return TooManyRequests(retry_after=int(item.get_expiry()))

    def check(self) -> None:
        """Refuse (429) before trying when this address has no failures left."""
        item = self._item()
        if not _limiter().test(item, self.name, _client()):
            raise self._refuse(item)

    def spend(self) -> None:
        """Count one failure; refuse (429) when it is one too many."""
        item = self._item()
        if not _limiter().hit(item, self.name, _client()):
            raise self._refuse(item)


def _client() -> str:
    # Behind trusted proxies ProxyFix has put the visitor's address here (web.py).
    return request.remote_addr or "unknown"


LOGIN = Budget("login", "RATELIMIT_LOGIN")
KIOSK_PIN = Budget("kiosk-pin", "RATELIMIT_KIOSK_PIN")
# One budget for every route that looks up a secret token (receipt pages, their QR codes
# and live parts, agreements, the receipts API, staff API tokens), so a guesser cannot
# spread attempts over routes.
TOKEN_LOOKUPS = Budget("token-lookups", "RATELIMIT_TOKEN_LOOKUP")


def init_rate_limits(app: Flask) -> None:
    uri = str(app.config["RATELIMIT_STORAGE_URI"])
    try:
        storage = storage_from_string(uri)
    except ConfigurationError as error:
        # A storage whose client library is missing: say so at start, in one line.
        raise ConfigError(f"{ENV_PREFIX}RATELIMIT_STORAGE_URI: {error}") from None
    app.extensions[EXTENSION] = MovingWindowRateLimiter(storage)


def rate_limit_storage(app: Flask) -> Storage:
    limiter: MovingWindowRateLimiter = app.extensions[EXTENSION]
    return limiter.storage
