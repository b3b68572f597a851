"""Events and the one active event the kiosk sells for."""

from __future__ import annotations

import datetime as dt
import re
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from .. import versions
from ..errors import ConflictError, NotFoundError, ValidationError
from ..extensions import db
from ..validation import FreeText
from .models import LATEST_EVENT_DATE, Event

EVENT_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def get_event(slug: str) -> Event:
    event = db.session.execute(select(Event).where(Event.slug == slug)).scalar_one_or_none()
    if event is None:
        raise NotFoundError(str(_l("Evenement '%(slug)s' bestaat niet.", slug=slug)))
    return event


def active_event() -> Event | None:
    query = select(Event).where(Event.is_active.is_(True))
    return db.session.execute(query).scalar_one_or_none()


def active_event_id() -> int | None:
    """The id of the active event, reused by a worker until an event changes."""
    found: int | None = versions.memo(
        "active-event",
        (versions.EVENTS,),
        lambda: db.session.execute(select(Event.id).where(Event.is_active.is_(True))).scalar(),
    )
    return found


def event_id_for(slug: str) -> int | None:
    """The id of the event with this slug, reused by a worker until an event changes."""
    found: int | None = versions.memo(
        ("event-id", slug),
        (versions.EVENTS,),
        lambda: db.session.execute(select(Event.id).where(Event.slug == slug)).scalar(),
    )
    return found


def list_events() -> list[Event]:
    query = select(Event).order_by(Event.date.desc(), Event.name)
    return list(db.session.execute(query).scalars())


EVENT_NAME = FreeText(120)
EVENT_CITY = FreeText(80)
EVENT_VENUE = FreeText(160, required=False)


def check_event_date(fields: dict[str, str], day: date | None) -> None:
    """An event needs a date that a retention date can still follow."""
    if not isinstance(day, dt.date):
        fields["date"] = str(_l("Vul een datum in (JJJJ-MM-DD)."))
    elif day > LATEST_EVENT_DATE:
        fields["date"] = str(
            _l("Kies een datum tot en met %(last)s.", last=LATEST_EVENT_DATE.isoformat())
        )


def _check_details(
    fields: dict[str, str], *, name: str, city: str, date: date | None, venue: str | None
) -> dict[str, Any]:
    """The checked name, city, date and venue of an event; raise listing every problem."""
    details = {
        "name": EVENT_NAME.check(fields, "name", name),
        "city": EVENT_CITY.check(fields, "city", city),
        "date": date,
        "venue": EVENT_VENUE.check(fields, "venue", venue),
    }
    check_event_date(fields, date)
    if fields:
        raise ValidationError(str(_l("Het evenement klopt niet.")), fields)
    return details


def create_event(
    slug: str,
    *,
    name: str,
    city: str,
    date: date,
    venue: str | None = None,
    activate: bool = False,
) -> Event:
    fields: dict[str, str] = {}
    slug = (slug or "").strip()
    if not EVENT_SLUG.match(slug) or len(slug) > 64:
        fields["slug"] = str(_l("Alleen kleine letters, cijfers en koppeltekens (hoogstens 64)."))
    details = _check_details(fields, name=name, city=city, date=date, venue=venue)
    exists = db.session.execute(select(Event.id).where(Event.slug == slug)).first()
    if exists:
        raise ConflictError(
            str(_l("Evenement '%(slug)s' bestaat al.", slug=slug)),
            {"slug": str(_l("Al in gebruik."))},
        )
    event = Event(slug=slug, **details)
    db.session.add(event)
    db.session.flush()
    if activate:
        activate_event(event)
    return event


def update_event(
    event: Event, *, name: str, city: str, date: date | None, venue: str | None = None
) -> Event:
    """Change an event's name, city, date and venue; its slug stays (links and exports use it)."""
    details = _check_details({}, name=name, city=city, date=date, venue=venue)
    for key, value in details.items():
        setattr(event, key, value)
    db.session.flush()
    return event


def activate_event(event: Event) -> Event:
    """Make `event` the only active one."""
    db.session.execute(
        update(Event)
        .where(Event.is_active.is_(True), Event.id != event.id)
        .values(is_active=False)
        .execution_options(bumps=(versions.EVENTS,))
    )
    # The partial unique index needs the old one switched off before this one is switched on.
    db.session.flush()
    event.is_active = True
    db.session.flush()
    return event
