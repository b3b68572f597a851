"""Settings: defaults, then `instance/config.py`, then POPUPSTORE_* environment variables.

Nothing is read at import time; `load_config` runs inside the app factory.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask

ENV_PREFIX = "POPUPSTORE_"
# The rate limiter's own storage: counts in the store's database
# (`popupstore.ratelimits.storage`), the default.
RATELIMIT_DATABASE_SCHEME = "database"
SECRET_KEY_FILE = "secret_key"
DEFAULT_IDLE_SECONDS = 60
DEFAULT_STAFF_IDLE_MINUTES = 30


class ConfigError(RuntimeError):
    """A setting has a value the store cannot run with."""


class Defaults:
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    BASE_URL: str | None = None
    KIOSK_IDLE_SECONDS = DEFAULT_IDLE_SECONDS
    # The whole request body for forms and uploads; the JSON API lowers this to 256 KiB.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    API_MAX_BODY_BYTES = 256 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "popupstore_session"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    # Over HTTPS Flask-WTF would also demand a Referer from this host, but every page says
    # `Referrer-Policy: no-referrer` (receipt tokens are in addresses), so browsers send
    # none and every form would fail. The token tied to the session, SameSite=Lax, Secure
    # cookies and HSTS are the protection.
    WTF_CSRF_SSL_STRICT = False
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Amsterdam"
    LANGUAGES = ("nl", "en")
    # Where every worker of every server counts failures: the application database, or
    # one Redis (redis://host:6379). See popupstore/ratelimits/.
    RATELIMIT_STORAGE_URI = f"{RATELIMIT_DATABASE_SCHEME}://"
    # Wrong passwords per account, and per client address: a venue's staff share one
    # public address, so that budget is much larger than one account's.
    RATELIMIT_LOGIN = "10 per minute"
    RATELIMIT_LOGIN_ADDRESS = "100 per minute"
    RATELIMIT_KIOSK_PIN = "5 per minute"
    RATELIMIT_TOKEN_LOOKUP = "30 per minute"
    SECRET_KEY_REQUIRED = False
    # Rendered pages kept per worker (pagecache.py), and how long a worker may reuse what it
    # read about the database's state before asking again (what other workers changed
    # shows within this many seconds; its own changes at once).
    PAGE_CACHE = True
    PAGE_CACHE_SIZE = 512
    FRESHNESS_SECONDS = 1.0
    # Staff are logged out after this much inactivity: the booth tablet is shared.
    STAFF_IDLE_MINUTES = DEFAULT_STAFF_IDLE_MINUTES
    # How staff passwords and the kiosk PIN are hashed (werkzeug's method string): scrypt with
    # werkzeug's own cost. The test suite lowers the cost for speed; production never should.
    PASSWORD_HASH_METHOD = "scrypt"
    # Table plans and 1:1 pairs are made within the request; larger events are refused with
    # a reason. Seating 2,000 visitors takes about 1.2 s and 100 MB (3,000: 5 s, 200 MB);
    # pairing grows as n^3: about 1 s for 1,000 visitors, 20 s for 2,000.
    TABLES_LIMIT = 2_000
    PAIRS_LIMIT = 1_000
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host.
    # 0 (the default) trusts none of those headers; anyone could forge them.
    TRUSTED_PROXIES = 0
    # Mail after the day (popupstore/followup/): off while MAIL_URL is unset.
    MAIL_URL: str | None = None
    MAIL_FROM = "popupstore@localhost"
    # A mail the server refused for now (4xx) is tried again after MAIL_RETRY_SECONDS, then
    # twice as long each time up to MAIL_RETRY_MAX_SECONDS; after MAIL_MAX_ATTEMPTS tries it
    # counts as failed and the organiser sees it.
    MAIL_RETRY_SECONDS = 60
    MAIL_RETRY_MAX_SECONDS = 6 * 3600
    MAIL_MAX_ATTEMPTS = 10
    # A mail claimed by a run that died (killed between the server's answer and its own
    # commit) is taken up again after this long; far longer than one SMTP conversation.
    MAIL_CLAIM_SECONDS = 15 * 60
    MAIL_TIMEOUT_SECONDS = 30


def _database_url(app: Flask, value: str | None) -> str:
    if not value:
        return "sqlite:///" + str(Path(app.instance_path) / "popupstore.db")
    # psycopg 3 is the driver we ship; a bare postgresql:// would ask for psycopg2.
    for bare in ("postgresql://", "postgres://"):
        if value.startswith(bare):
            return "postgresql+psycopg://" + value[len(bare) :]
    return value


def _whole_number(name: str, value: Any, *, minimum: int, unit: str) -> int:
    if isinstance(value, bool):
        raise ConfigError(f"{name} must be a whole number of {unit}, got {value!r}")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a whole number of {unit}, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {number}")
    return number


def _positive_int(name: str, value: Any, unit: str = "seconds") -> int:
    return _whole_number(name, value, minimum=1, unit=unit)


# Storages of `limits` that each process keeps for itself: a limit would not hold across
# workers and servers.
PER_PROCESS_RATELIMIT_STORAGES = frozenset({"memory"})
RATELIMIT_SETTINGS = (
    "RATELIMIT_LOGIN",
    "RATELIMIT_LOGIN_ADDRESS",
    "RATELIMIT_KIOSK_PIN",
    "RATELIMIT_TOKEN_LOOKUP",
)


def _storage_uri(value: Any) -> str:
    """The rate limiter's storage, checked now so a typo fails at start, not at first login."""
    from limits.storage import SCHEMES

    uri = str(value or "").strip()
    scheme = urlsplit(uri).scheme
    shared = {RATELIMIT_DATABASE_SCHEME} | {
        s for s in SCHEMES if not s.startswith("async+") and s not in PER_PROCESS_RATELIMIT_STORAGES
    }
    if scheme in PER_PROCESS_RATELIMIT_STORAGES:
        raise ConfigError(
            f"{ENV_PREFIX}RATELIMIT_STORAGE_URI {uri!r} would count per worker process; "
            f"use {RATELIMIT_DATABASE_SCHEME}:// (the default) or redis://host:port"
        )
    if scheme not in shared:
        known = ", ".join(f"{s}://" for s in sorted(shared))
        raise ConfigError(
            f"{ENV_PREFIX}RATELIMIT_STORAGE_URI must start with one of {known}; got {uri!r}"
        )
    return uri


def _rate_limit(name: str, value: Any) -> str:
    """A limit such as "10 per minute", checked now so a typo fails at start."""
    from limits import parse

    text = str(value or "").strip()
    try:
        amount = parse(text).amount
    except ValueError:
        amount = 0
    if amount < 1:
        raise ConfigError(
            f"{ENV_PREFIX}{name} must be a limit such as '10 per minute', got {value!r}"
        )
    return text


# --- mail (popupstore/followup/) ----------------------------------------------------------

# The ports a mail URL without one uses: a relay on the same host (the usual set-up)
# listens on 25; smtps is 465 everywhere.
DEFAULT_MAIL_PORTS = {"smtp": 25, "smtps": 465}


class MailSettingError(ValueError):
    """A mail setting the store cannot work with; the message names the setting."""


@dataclass(frozen=True, slots=True)
class MailServer:
    """Where mail is handed over: `smtp` (STARTTLS when the server offers it) or `smtps`."""

    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    @property
    def implicit_tls(self) -> bool:
        return self.scheme == "smtps"

    def __repr__(self) -> str:
        # Never show the password, e.g. in a traceback or a log line.
        user = f"{self.username}@" if self.username else ""
        return f"MailServer({self.scheme}://{user}{self.host}:{self.port})"


def parse_mail_url(value: str, setting: str = f"{ENV_PREFIX}MAIL_URL") -> MailServer:
    """`smtp://[user:pass@]host[:port]` or `smtps://…`; user and password may be %-encoded."""
    text = value.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise MailSettingError(
            f"{setting} has a port that is not a number between 0 and 65535"
        ) from None
    if parts.scheme not in DEFAULT_MAIL_PORTS:
        raise MailSettingError(
            f"{setting} must start with smtp:// or smtps://, e.g. smtp://127.0.0.1:25"
        )
    if not parts.hostname:
        raise MailSettingError(f"{setting} names no host, e.g. smtp://mail.example.nl:587")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise MailSettingError(f"{setting} takes no path or query: smtp://[user:pass@]host:port")
    if parts.password is not None and not parts.username:
        raise MailSettingError(f"{setting} has a password without a user name")
    return MailServer(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or DEFAULT_MAIL_PORTS[parts.scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def check_sender(value: Any, setting: str = f"{ENV_PREFIX}MAIL_FROM") -> str:
    """The sender address: one `@` with something on both sides, no spaces or line breaks."""
    text = str(value or "").strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or any(c.isspace() or c in "<>," for c in text):
        raise MailSettingError(f"{setting} must be one e-mail address, e.g. popupstore@example.nl")
    return text


def _check_mail_settings(app: Flask) -> None:
    """The mail URL and sender, checked now so a typo fails at start (empty: mail off)."""
    url = str(app.config.get("MAIL_URL") or "").strip()
    try:
        if url:
            parse_mail_url(url, f"{ENV_PREFIX}MAIL_URL")
        sender = app.config.get("MAIL_FROM") or Defaults.MAIL_FROM
        app.config["MAIL_FROM"] = check_sender(sender, f"{ENV_PREFIX}MAIL_FROM")
    except MailSettingError as error:
        raise ConfigError(str(error)) from None
    app.config["MAIL_URL"] = url or None


def _instance_secret_key(app: Flask) -> str:
    """A development secret generated once and kept in the instance folder."""
    path = Path(app.instance_path) / SECRET_KEY_FILE
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Create with owner-only permissions; another process may have won the race.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def load_config(app: Flask, overrides: Mapping[str, Any] | None = None) -> None:
    """Fill `app.config` in the documented order; explicit overrides (tests) win."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    env = os.environ
    if f"{ENV_PREFIX}DATABASE_URL" in env:
        app.config["SQLALCHEMY_DATABASE_URI"] = env[f"{ENV_PREFIX}DATABASE_URL"]
    if env.get(f"{ENV_PREFIX}SECRET_KEY"):
        app.config["SECRET_KEY"] = env[f"{ENV_PREFIX}SECRET_KEY"]
    if f"{ENV_PREFIX}BASE_URL" in env:
        app.config["BASE_URL"] = env[f"{ENV_PREFIX}BASE_URL"]
    for name in (
        "KIOSK_IDLE_SECONDS",
        "STAFF_IDLE_MINUTES",
        "TRUSTED_PROXIES",
        "RATELIMIT_STORAGE_URI",
        *RATELIMIT_SETTINGS,
        "MAIL_URL",
        "MAIL_FROM",
    ):
        if f"{ENV_PREFIX}{name}" in env:
            app.config[name] = env[f"{ENV_PREFIX}{name}"]
    if overrides:
        app.config.update(overrides)

    app.config["SQLALCHEMY_DATABASE_URI"] = _database_url(
        app, app.config.get("SQLALCHEMY_DATABASE_URI")
    )
    app.config["KIOSK_IDLE_SECONDS"] = _positive_int(
        f"{ENV_PREFIX}KIOSK_IDLE_SECONDS", app.config["KIOSK_IDLE_SECONDS"]
    )
    app.config["STAFF_IDLE_MINUTES"] = _positive_int(
        f"{ENV_PREFIX}STAFF_IDLE_MINUTES", app.config["STAFF_IDLE_MINUTES"], unit="minutes"
    )
    app.config["TRUSTED_PROXIES"] = _whole_number(
        f"{ENV_PREFIX}TRUSTED_PROXIES", app.config["TRUSTED_PROXIES"], minimum=0, unit="proxies"
    )
    app.config["RATELIMIT_STORAGE_URI"] = _storage_uri(app.config["RATELIMIT_STORAGE_URI"])
    for name in RATELIMIT_SETTINGS:
        app.config[name] = _rate_limit(name, app.config[name])
    _check_mail_settings(app)
    base_url = app.config.get("BASE_URL")
    app.config["BASE_URL"] = base_url.rstrip("/") if base_url else None
    if app.config["BASE_URL"] and app.config["BASE_URL"].lower().startswith("https://"):
        # Served over HTTPS: the browser must never send the staff session over plain HTTP.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    if not app.config.get("SECRET_KEY"):
        if app.config["SECRET_KEY_REQUIRED"]:
            raise ConfigError(f"{ENV_PREFIX}SECRET_KEY must be set to run the production server")
        app.config["SECRET_KEY"] = _instance_secret_key(app)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(
        app.config["SQLALCHEMY_DATABASE_URI"], app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    )


def _engine_options(url: str, given: Mapping[str, Any]) -> dict[str, Any]:
    options = dict(given)
    # SQL logging and database errors would otherwise print the bound values: names and
    # e-mail addresses of visitors.
    options.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        # Wait for a writer instead of failing at once; WAL is switched on per connection.
        connect_args = dict(options.get("connect_args", {}))
        connect_args.setdefault("timeout", 30)
        options["connect_args"] = connect_args
    else:
        options.setdefault("pool_pre_ping", True)
    return options
