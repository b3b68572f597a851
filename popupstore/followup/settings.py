"""The mail settings: where mail goes (`POPUPSTORE_MAIL_URL`) and whom it comes from.

Both are checked when the app starts, so a typo stops the start instead of the first mail.
Without a mail URL the store works as before and sends nothing: mails wait in the outbox
and the organiser's screens say that mail is off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import current_app

# The ports a mail URL without one uses: SMTP submission would be 587, but a relay on the
# same host (the usual set-up) listens on 25; smtps is 465 everywhere.
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
DEFAULT_SENDER = "popupstore@localhost"
MAIL_SERVER = "popupstore_mail_server"


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


def parse_mail_url(value: str, setting: str = "POPUPSTORE_MAIL_URL") -> MailServer:
    """`smtp://[user:pass@]host[:port]` or `smtps://…`; user and password may be %-encoded."""
    text = value.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise MailSettingError(
            f"{setting} has a port that is not a number between 0 and 65535"
        ) from None
    if parts.scheme not in DEFAULT_PORTS:
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
        port=port or DEFAULT_PORTS[parts.scheme],
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def check_sender(value: Any, setting: str = "POPUPSTORE_MAIL_FROM") -> str:
    """The sender address: one `@` with something on both sides, no spaces or line breaks."""
    text = str(value or "").strip()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or any(c.isspace() or c in "<>," for c in text):
        raise MailSettingError(f"{setting} must be one e-mail address, e.g. popupstore@example.nl")
    return text


def mail_server() -> MailServer | None:
    """The mail server of the running app, or None when mail is off."""
    found: MailServer | None = current_app.extensions.get(MAIL_SERVER)
    return found


def mail_enabled() -> bool:
    return mail_server() is not None


def sender_address() -> str:
    return str(current_app.config["MAIL_FROM"])
