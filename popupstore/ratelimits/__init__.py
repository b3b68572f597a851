"""Limits on failed attempts: logins, kiosk PINs, secret-token look-ups.

Only failures count, and only the places that can fail this way are limited, so the limits
are kept with the `limits` library (the one Flask-Limiter is built on) directly at those
places rather than with decorators and a check before every request the store answers.

Where the counts live (`RATELIMIT_STORAGE_URI`): by default in the application database
(`database://`, storage.py), else in Redis (`redis://host:port`). Either way every worker
of every server counts in the same place, so a limit holds however many processes serve
the store; a per-process `memory://` is refused at start.

Strategy: fixed windows (`FixedWindowRateLimiter`). A window opens at a client's first
counted failure and lasts the limit's period, e.g. a minute for "10 per minute". In a
table that is one row per key, counted with one atomic upsert; the moving window would
need a row per attempt and a lock per key to count and decide at once. The price: right
at the turn of a window a client may fail up to twice the limit in a short time, never
more than the limit per window.

Who a budget counts:

- `LOGIN`: per account (the username as typed, normalised) with `RATELIMIT_LOGIN`, and
  per client address with the much larger `RATELIMIT_LOGIN_ADDRESS`: a venue shares one
  public address, so a burst of wrong passwords for one account must not lock out the
  other staff there. An attempt counts before its password is checked (so parallel
  requests cannot test more passwords than the budget allows) and is given back when
  the password was right.
- `KIOSK_PIN`: per client address; an attempt counts before the PIN is checked and is
  given back when it unlocked the kiosk.
- `TOKEN_LOOKUPS`: per client address, one budget for every route that looks up a secret
  token; only look-ups that find nothing count.

Checkouts are never limited by address: a whole venue shares one.

Privacy: a key holds the budget's name and a keyed hash (HMAC with the secret key) of
the address or username, never the value itself, and lives only as long as its window.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
import unicodedata
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.errors import ConfigurationError
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from ..config import ENV_PREFIX, ConfigError
from .storage import DATABASE_SCHEME, DatabaseStorage, supports_database

EXTENSION = "popupstore_rate_limits"
# Keyed hashes are cut to 128 bits: plenty to keep clients apart, short keys.
PSEUDONYM_HEX_DIGITS = 32


@cache
def _parsed(limit: str) -> RateLimitItem:
    return parse(limit)


def _limiter() -> FixedWindowRateLimiter:
    limiter: FixedWindowRateLimiter = current_app.extensions[EXTENSION]
    return limiter


def _pseudonym(kind: str, value: str) -> str:
    """A stable stand-in for an address or username that the counts' storage may keep."""
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    message = f"{kind}\0{value}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_DIGITS]


def client_address() -> str:
    """Who the per-address budgets count: the client's address (pseudonymised)."""
    # Behind trusted proxies ProxyFix has put the visitor's address here (web.py).
    return _pseudonym("address", request.remote_addr or "unknown")


def account(username: str) -> str:
    """Who the per-account budget counts: the username as typed, pseudonymised.

    Normalised (Unicode NFKC, trimmed, case folded), so "Fien " and "fien" share one
    budget; names that no account has are counted the same way, so the answer never
    tells whether an account exists.
    """
    return _pseudonym("account", unicodedata.normalize("NFKC", username).strip().casefold())


@dataclass(frozen=True, slots=True)
class Budget:
    """Failed attempts one client may make, e.g. "10 per minute" from a setting."""

    name: str
    setting: str

    def _item(self) -> RateLimitItem:
        return _parsed(str(current_app.config[self.setting]))

    def _refusal(self, item: RateLimitItem, who: str) -> TooManyRequests:
        window_ends = _limiter().get_window_stats(item, self.name, who).reset_time
        return TooManyRequests(retry_after=max(1, math.ceil(window_ends - time.time())))

    def check(self, who: str) -> None:
        """Refuse (429) before trying when `who` has no failures left."""
        item = self._item()
        if not _limiter().test(item, self.name, who):
            raise self._refusal(item, who)

    def spend(self, who: str) -> None:
        """Count one failure of `who`; refuse (429) when it is one too many."""
        item = self._item()
        if not _limiter().hit(item, self.name, who):
            raise self._refusal(item, who)

    def take(self, who: str) -> None:
        """Count an attempt before making it; refuse (429), uncounted, when none is left."""
        item = self._item()
        if not _limiter().hit(item, self.name, who):
            self.give_back(who)
            raise self._refusal(item, who)

    def give_back(self, who: str) -> None:
        """Undo one counted attempt of `who` (it did not fail, or was not made)."""
        item = self._item()
        _limiter().storage.incr(item.key_for(self.name, who), item.get_expiry(), amount=-1)


@dataclass(frozen=True, slots=True)
class Attempt:
    """Attempts counted before they were made; `succeeded` gives them back."""

    taken: tuple[tuple[Budget, str], ...]

    def succeeded(self) -> None:
        for budget, who in self.taken:
            budget.give_back(who)


def _take_all(taken: tuple[tuple[Budget, str], ...]) -> Attempt:
    done: list[tuple[Budget, str]] = []
    try:
        for budget, who in taken:
            budget.take(who)
            done.append((budget, who))
    except TooManyRequests:
        Attempt(tuple(done)).succeeded()
        raise
    return Attempt(tuple(done))


@dataclass(frozen=True, slots=True)
class LoginBudgets:
    """Wrong passwords per account, and many more per client address."""

    per_account: Budget
    per_address: Budget

    def _clients(self, username: str) -> tuple[tuple[Budget, str], ...]:
        return ((self.per_account, account(username)), (self.per_address, client_address()))

    def check(self, username: str) -> None:
        """Refuse (429) when this account, or this address, has no failures left."""
        for budget, who in self._clients(username):
            budget.check(who)

    def attempt(self, username: str) -> Attempt:
        """Count a login attempt as failed before its password is checked (429 when one
        too many); call `succeeded()` on the result when the password was right."""
        return _take_all(self._clients(username))


@dataclass(frozen=True, slots=True)
class AddressBudget:
    """Failures per client address."""

    budget: Budget

    def check(self) -> None:
        """Refuse (429) before trying when this address has no failures left."""
        self.budget.check(client_address())

    def spend(self) -> None:
        """Count one failure; refuse (429) when it is one too many."""
        self.budget.spend(client_address())

    def attempt(self) -> Attempt:
        """Count an attempt as failed before it is made (429 when one too many); call
        `succeeded()` on the result when it succeeded."""
        return _take_all(((self.budget, client_address()),))


LOGIN = LoginBudgets(
    Budget("login-account", "RATELIMIT_LOGIN"),
    Budget("login-address", "RATELIMIT_LOGIN_ADDRESS"),
)
KIOSK_PIN = AddressBudget(Budget("kiosk-pin", "RATELIMIT_KIOSK_PIN"))
# One budget for every route that looks up a secret token (receipt pages, their QR codes
# and live parts, agreements, the receipts API, staff API tokens), so a guesser cannot
# spread attempts over routes.
TOKEN_LOOKUPS = AddressBudget(Budget("token-lookups", "RATELIMIT_TOKEN_LOOKUP"))


def _storage(app: Flask, uri: str) -> Storage:
    if urlsplit(uri).scheme == DATABASE_SCHEME:
        from ..extensions import db

        with app.app_context():
            engine = db.engine
        if not supports_database(engine):
            raise ConfigError(
                f"{ENV_PREFIX}RATELIMIT_STORAGE_URI: the counts can be kept in a SQLite or "
                f"PostgreSQL database, not in {engine.dialect.name}; use redis://host:port"
            )
        return DatabaseStorage(engine)
    try:
        storage = storage_from_string(uri)
    except ConfigurationError as error:
        # A storage whose client library is missing: say so at start, in one line.
        raise ConfigError(f"{ENV_PREFIX}RATELIMIT_STORAGE_URI: {error}") from None
    if not isinstance(storage, Storage):
        raise ConfigError(f"{ENV_PREFIX}RATELIMIT_STORAGE_URI: {uri!r} is not a storage")
    return storage


def init_rate_limits(app: Flask) -> None:
    storage = _storage(app, str(app.config["RATELIMIT_STORAGE_URI"]))
    app.extensions[EXTENSION] = FixedWindowRateLimiter(storage)


def rate_limit_storage(app: Flask) -> Storage:
    limiter: FixedWindowRateLimiter = app.extensions[EXTENSION]
    return limiter.storage
