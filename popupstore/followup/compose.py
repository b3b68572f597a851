"""What a mail says: subject, plain text and HTML, in the visitor's language.

Mails are rendered outside any request (the sender runs in a thread after the checkout, or
in `popupstore send-mail`), so the templates get everything they show as arguments and
no request context is needed. The HTML has no images at all (no tracking pixel, nothing
fetched from elsewhere) and its only links are the store's own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..db import utcnow
from ..events.models import Event
from .services import paragraphs

TEMPLATES = "followup/mail/"
STORE_NAME = "Pop-up store"


@dataclass(frozen=True, slots=True)
class MailContent:
    """A mail's subject and its two parts; `body` is the HTML part's main text alone (for
    the organiser's preview, inside a page of the store)."""

    subject: str
    text: str
    html: str
    body: Markup = Markup("")


def _render(template: str, **context: Any) -> str:
    # Straight from the Jinja environment: the app's context processors read the session
    # of a request, and a mail has none.
    return current_app.jinja_env.get_template(TEMPLATES + template).render(**context)


def _event_line(event: Event) -> dict[str, Any]:
    return {"event_name": event.name, "event_city": event.city, "event_date": event.date}


def receipt_content(
    *,
    locale: str,
    name: str,
    event: Event,
    receipt_url: str,
    unsubscribe_url: str,
    privacy_url: str,
    follow_up_on: dt.date,
) -> MailContent:
    """The mail with the link to the visitor's receipt, sent right after the checkout."""
    context = {
        "name": name,
        "receipt_url": receipt_url,
        "unsubscribe_url": unsubscribe_url,
        "privacy_url": privacy_url,
        "follow_up_on": follow_up_on,
        **_event_line(event),
    }
    with force_locale(locale):
        return MailContent(
            subject=_("Je bon van %(event)s", event=event.name),
            text=_render("receipt.txt", **context),
            html=_render("receipt.html", lang=locale, **context),
        )


def follow_up_content(
    *,
    locale: str,
    name: str,
    event: Event,
    evaluation_url: str,
    unsubscribe_url: str,
    privacy_url: str,
    text: str | None,
) -> MailContent:
    """The one follow-up after the event: the organiser's text (or the default one) and
    the link to the evaluation."""
    with force_locale(locale):
        context = {
            "name": name,
            "evaluation_url": evaluation_url,
            "unsubscribe_url": unsubscribe_url,
            "privacy_url": privacy_url,
            "paragraphs": paragraphs(text) if text else default_follow_up_paragraphs(event),
            **_event_line(event),
        }
        return MailContent(
            subject=_("Hoe ging het na %(event)s?", event=event.name),
            text=_render("follow_up.txt", **context),
            html=_render("follow_up.html", lang=locale, **context),
            body=Markup(_render("_follow_up_body.html", **context)),
        )


def default_follow_up_paragraphs(event: Event) -> list[str]:
    """The follow-up's text when the organiser wrote none, in the current language."""
    return [
        _(
            "Op %(event)s heb je in de pop-up store producten gekozen en mensen gevonden "
            "die met hetzelfde bezig zijn.",
            event=event.name,
        ),
        _(
            "We zijn benieuwd wat ervan gekomen is. Heb je contact gehad met de mensen op je "
            "bon? Ben je al met een product begonnen? Het invullen kost twee minuten."
        ),
    ]


def message_id(mail_id: int, sender: str) -> str:
    """The same Message-ID for every attempt at one mail: mail systems that see a copy
    again (a run that died between the server's answer and its own record) drop it."""
    secret = str(current_app.secret_key or "").encode("utf-8")
    tag = hmac.new(secret, f"outbox-mail:{mail_id}".encode(), hashlib.sha256).hexdigest()[:24]
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<popupstore.{mail_id}.{tag}@{domain}>"


def build_message(
    content: MailContent,
    *,
    sender: str,
    recipient: str,
    locale: str,
    unsubscribe_url: str,
    identifier: str,
    moment: dt.datetime | None = None,
) -> EmailMessage:
    """A multipart/alternative message (plain text first, then HTML) with a one-click
    unsubscribe (List-Unsubscribe with List-Unsubscribe-Post, RFC 8058).

    Raises ValueError (or a subclass) when `recipient` is no usable address.
    """
    message = EmailMessage()
    # The parts first: setting content clears every Content-* header set before.
    message.set_content(content.text, subtype="plain", charset="utf-8")
    message.add_alternative(content.html, subtype="html", charset="utf-8")
    message["From"] = Address(display_name=STORE_NAME, addr_spec=sender)
    message["To"] = Address(addr_spec=recipient)
    message["Subject"] = content.subject
    message["Date"] = format_datetime(moment or utcnow())
    message["Message-ID"] = identifier
    message["Content-Language"] = locale
    # Sent by a program, not a person: vacation responders should stay quiet.
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message
