"""An event's follow-up: its date and text, and the rule for the free texts of this feature.

Services flush; the request commits.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..db import utcnow
from ..errors import ValidationError
from ..events.models import Event
from ..extensions import db
from .models import MAIL_TEXT_LIMIT, FollowUpSettings

# The follow-up goes this many days after the event unless the organiser chose a date.
FOLLOW_UP_DAYS = 14

# Bidirectional controls can make text read differently from what it says.
BIDI_CONTROLS = frozenset(
    {
        "\u061c",
        "\u200e",
        "\u200f",
        *map(chr, range(0x202A, 0x202F)),
        *map(chr, range(0x2066, 0x206A)),
    }
)
# Control characters that are white space: they collapse like a space (or end a line).
WHITESPACE_CONTROLS = frozenset("\t\n\x0b\x0c")
SPACES_IN_A_LINE = re.compile(r"[^\S\n]+")
EMPTY_LINES = re.compile(r"\n{3,}")


class TextProblem(ValueError):
    """A free text the store does not keep; the message says why, for the field."""


def clean_free_text(value: str, *, multiline: bool = False) -> str:
    """A free text cleaned by the store's rule for free text.

    Unicode NFC; white space collapses to one space and is trimmed (a multi-line text keeps
    its line breaks, at most one empty line in a row). Raises TextProblem for a control
    character, a bidirectional control, or a text with nothing visible left in it. An empty
    result means "not given".
    """
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    for char in text:
        if char in BIDI_CONTROLS:
            raise TextProblem(str(_l("Haal de tekens voor schrijfrichting weg.")))
        if unicodedata.category(char) == "Cc" and char not in WHITESPACE_CONTROLS:
            raise TextProblem(str(_l("Gebruik alleen gewone tekst, zonder stuurtekens.")))
    if multiline:
        lines = [SPACES_IN_A_LINE.sub(" ", line).strip() for line in text.split("\n")]
        text = EMPTY_LINES.sub("\n\n", "\n".join(lines)).strip()
    else:
        text = " ".join(text.split())
    if text and not any(unicodedata.category(char)[0] in "LNPSM" for char in text):
        raise TextProblem(str(_l("Hier staat geen zichtbare tekst in.")))
    return text


def paragraphs(text: str) -> list[str]:
    """A multi-line text as its paragraphs (blocks between empty lines), lines kept."""
    return [block.strip() for block in text.split("\n\n") if block.strip()]


# --- the follow-up date and text ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FollowUpPlan:
    """When an event's follow-up goes and with which text (None: the default text)."""

    event: Event
    send_on: dt.date
    text: str | None
    chosen_date: bool

    @property
    def after_retention(self) -> bool:
        """True when the addresses are purged before the follow-up date comes."""
        return self.send_on > self.event.retention_date


def default_follow_up_date(event: Event) -> dt.date:
    return event.date + dt.timedelta(days=FOLLOW_UP_DAYS)


def _settings(event: Event) -> FollowUpSettings | None:
    return db.session.get(FollowUpSettings, event.id)


def follow_up_plan(event: Event) -> FollowUpPlan:
    settings = _settings(event)
    chosen = settings.send_on if settings is not None else None
    return FollowUpPlan(
        event=event,
        send_on=chosen or default_follow_up_date(event),
        text=settings.text if settings is not None else None,
        chosen_date=chosen is not None,
    )


def follow_up_dates(events: Iterable[Event]) -> dict[int, dt.date]:
    """The follow-up date of each of these events (one query)."""
    events = list(events)
    chosen = dict(
        db.session.execute(
            select(FollowUpSettings.event_id, FollowUpSettings.send_on).where(
                FollowUpSettings.event_id.in_([e.id for e in events])
            )
        ).all()
    )
    return {e.id: chosen.get(e.id) or default_follow_up_date(e) for e in events}


def save_follow_up(
    event: Event, *, send_on: dt.date | None, text: str | None, by: str | None = None
) -> FollowUpSettings:
    """Set the follow-up date (None: the default) and the mail's text (empty: the default).

    The date must lie after the event and no later than its retention date, when the
    addresses are purged. Raises ValidationError with the fields `send_on` and `text`.
    """
    fields: dict[str, str] = {}
    if send_on is not None:
        first = event.date + dt.timedelta(days=1)
        last = event.retention_date
        if not first <= send_on <= last:
            fields["send_on"] = str(
                _l(
                    "Kies een datum van %(first)s tot en met %(last)s (de bewaardatum; "
                    "daarna zijn de e-mailadressen gewist).",
                    first=first.isoformat(),
                    last=last.isoformat(),
                )
            )
    cleaned: str | None = None
    try:
        cleaned = clean_free_text(text or "", multiline=True) or None
    except TextProblem as problem:
        fields["text"] = str(problem)
    if cleaned is not None and len(cleaned) > MAIL_TEXT_LIMIT:
        fields["text"] = str(_l("Hoogstens %(n)d tekens.", n=MAIL_TEXT_LIMIT))
    if fields:
        raise ValidationError(str(_l("De vervolgmail is niet opgeslagen.")), fields)
    settings = _settings(event)
    if settings is None:
        settings = FollowUpSettings(event_id=event.id)
        db.session.add(settings)
    settings.send_on = send_on
    settings.text = cleaned
    settings.updated_by = by
    settings.updated_at = utcnow()
    db.session.flush()
    return settings
