"""The mail settings of the running app: where mail goes and whom it comes from.

`POPUPSTORE_MAIL_URL` and `POPUPSTORE_MAIL_FROM` are read and checked with the other
settings (`popupstore.config`), so a typo stops the start instead of the first mail.
Without a mail URL the store works as before and sends nothing: mails wait in the outbox
and the organiser's screens say that mail is off.
"""

from __future__ import annotations

from flask import current_app

from ..config import MailServer

MAIL_SERVER = "popupstore_mail_server"


def mail_server() -> MailServer | None:
    """The mail server of the running app, or None when mail is off."""
    found: MailServer | None = current_app.extensions.get(MAIL_SERVER)
    return found


def mail_enabled() -> bool:
    return mail_server() is not None


def sender_address() -> str:
    return str(current_app.config["MAIL_FROM"])
