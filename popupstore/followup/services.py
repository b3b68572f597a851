"""An event's follow-up: its date and the text of its mail.

Services flush; the request commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..db import utcnow
from ..errors import ValidationError
from ..events.models import Event
from ..extensions import db
from ..validation import FreeText
from .models import MAIL_TEXT_LIMIT, FollowUpSettings

# The follow-up goes this many days after the event unless the organiser chose a date.
FOLLOW_UP_DAYS = 14
MAIL_TEXT = FreeText(MAIL_TEXT_LIMIT, required=False, multiline=True)


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
    cleaned = MAIL_TEXT.check(fields, "text", text)
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
