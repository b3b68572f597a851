"""The privacy notice, retention dates and purges of personal data.

Services flush; the request or the CLI command commits once and then calls
`db_setup.scrub_erased_data()` so erased text does not linger in the database files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..basket.models import BasketLine, Checkout
from ..errors import ValidationError
from ..events.models import MAX_RETENTION_DAYS, Event, days_after
from ..events.services import list_events
from ..extensions import db
from ..i18n import today
from ..validation import FreeText
from .erasure import PurgeResult, events_with_personal_data, purge_personal_data
from .models import PrivacyNotice

NOTICE_PART_LIMIT = 5000
NOTICE_PART = FreeText(NOTICE_PART_LIMIT, multiline=True)

DEFAULT_CONTROLLER = _l(
    "De organisator van de netwerkdag is verantwoordelijk voor de gegevens in deze "
    "pop-up store (de verwerkingsverantwoordelijke in de zin van de AVG).\n\n"
    "Vragen over je gegevens? Stel ze aan het team bij de pop-up store of aan de "
    "organisator van de netwerkdag."
)
DEFAULT_PURPOSE = _l(
    "We gebruiken je gegevens voor één doel: je in contact brengen met mensen die met "
    "dezelfde producten bezig zijn, en de dag samen evalueren.\n\n"
    "We vragen alleen wat daarvoor nodig is: wat je in je mandje legt ('Wil ik' of "
    "'Doen we al'), je organisatie, het soort organisatie, het werkgebied (provincie) van "
    "een organisatie die geen gemeente is, en je rol. Je voornaam staat op je eigen bon. "
    "Je e-mailadres is niet verplicht. Vink je 'Mail mij mijn bon, en over twee weken een "
    "korte vraag hoe het ging' aan, dan krijg je die twee mails, niet meer.\n\n"
    "Anderen zien je voornaam, organisatie en rol alleen als je bij het afrekenen zelf "
    "'Anderen mogen mij als gesprekspartner zien' aanvinkt. Met dat vinkje sta je ook op de "
    "contactlijst die de organisator na afloop kan downloaden om gesprekken op gang te "
    "helpen: je voornaam, organisatie, rol en, als je het invulde, je e-mailadres. Zonder "
    "vinkje zie jij wel je gesprekspartners, maar niemand ziet jou; de facilitatoren zien je "
    "dan alleen als bonnummer. Statistieken en de anonieme exports bevatten nooit namen of "
    "e-mailadressen. We gebruiken geen cookies om je te volgen: alleen een cookie dat je "
    "mandje en je bon op dit apparaat onthoudt. Op de tablet van de stand wist 'Klaar — "
    "volgende bezoeker' dat meteen, en anders gebeurt dat vanzelf als een tijdje niemand "
    "iets aanraakt."
)
DEFAULT_RETENTION = _l(
    "Je naam, je e-mailadres en de geheime code van je bon wissen we uiterlijk op de "
    "bewaardatum van het evenement (standaard 30 dagen na de netwerkdag). Daarna blijft "
    "alleen een anonieme telling over: welke organisaties welke producten kozen."
)
DEFAULT_RIGHTS = _l(
    "Je mag je gegevens inzien, laten verbeteren en laten wissen, en je toestemming "
    "intrekken. Wissen kan je zelf meteen doen: open je bon (via de link of de QR-code) en "
    "kies 'Mijn gegevens wissen'. Voor de rest kun je terecht bij de organisator.\n\n"
    "Ben je het niet eens met hoe we met je gegevens omgaan? Dan kun je een klacht "
    "indienen bij de Autoriteit Persoonsgegevens (autoriteitpersoonsgegevens.nl)."
)


@dataclass(frozen=True, slots=True)
class NoticeText:
    """The four parts of the privacy page, and when an organiser last changed them."""

    controller: str
    purpose: str
    retention: str
    rights: str
    updated_at: dt.datetime | None = None

    @staticmethod
    def paragraphs(part: str) -> list[str]:
        """A part as its paragraphs: blocks separated by an empty line."""
        blocks = part.replace("\r\n", "\n").split("\n\n")
        return [" ".join(block.split()) for block in blocks if block.strip()]


def default_notice() -> NoticeText:
    return NoticeText(
        controller=str(DEFAULT_CONTROLLER),
        purpose=str(DEFAULT_PURPOSE),
        retention=str(DEFAULT_RETENTION),
        rights=str(DEFAULT_RIGHTS),
    )


def _stored_notice() -> PrivacyNotice | None:
    return db.session.execute(
        select(PrivacyNotice).order_by(PrivacyNotice.id).limit(1)
    ).scalar_one_or_none()


def privacy_notice() -> NoticeText:
    """The privacy page's text: what an organiser saved, else the default text."""
    stored = _stored_notice()
    if stored is None:
        return default_notice()
    return NoticeText(
        controller=stored.controller,
        purpose=stored.purpose,
        retention=stored.retention,
        rights=stored.rights,
        updated_at=stored.updated_at,
    )


def update_privacy_notice(
    *, controller: str, purpose: str, retention: str, rights: str, by: str | None = None
) -> PrivacyNotice:
    """Save the privacy page's text; every part is required (the AVG asks for all four)."""
    fields: dict[str, str] = {}
    given = {"controller": controller, "purpose": purpose, "retention": retention, "rights": rights}
    parts = {name: NOTICE_PART.check(fields, name, value) or "" for name, value in given.items()}
    if fields:
        raise ValidationError(str(_l("De privacytekst is niet compleet.")), fields)
    notice = _stored_notice()
    if notice is None:
        notice = PrivacyNotice(**parts, updated_by=by)
        db.session.add(notice)
    else:
        for name, value in parts.items():
            setattr(notice, name, value)
        notice.updated_by = by
    db.session.flush()
    return notice


# --- retention ------------------------------------------------------------------------------


def latest_retention(event: Event) -> dt.date:
    return days_after(event.date, MAX_RETENTION_DAYS)


def set_retention(event: Event, until: dt.date | None) -> Event:
    """Set the last day `event`'s personal data may be kept: from the event day to a year on."""
    if until is None:
        raise ValidationError(
            str(_l("Kies een bewaardatum.")), {"retention_until": str(_l("Vul een datum in."))}
        )
    if until < event.date or until > latest_retention(event):
        raise ValidationError(
            str(_l("Deze bewaardatum kan niet.")),
            {
                "retention_until": str(
                    _l(
                        "Kies een datum van %(first)s tot en met %(last)s.",
                        first=event.date.isoformat(),
                        last=latest_retention(event).isoformat(),
                    )
                )
            },
        )
    event.retention_until = until
    db.session.flush()
    return event


@dataclass(frozen=True, slots=True)
class EventPrivacy:
    """An event as the organiser's privacy overview shows it."""

    event: Event
    checkouts: int
    basket_lines: int
    with_personal_data: int
    pending: bool

    @property
    def overdue(self) -> bool:
        return self.pending and self.event.retention_date < today()


def event_privacy_overview() -> list[EventPrivacy]:
    """Every event with its counts and whether personal data still wait to be purged."""
    personal = events_with_personal_data()
    checkouts = dict(
        db.session.execute(
            select(Checkout.event_id, func.count(Checkout.id)).group_by(Checkout.event_id)
        ).all()
    )
    lines = dict(
        db.session.execute(
            select(Checkout.event_id, func.count(BasketLine.id))
            .join(BasketLine, BasketLine.checkout_id == Checkout.id)
            .group_by(Checkout.event_id)
        ).all()
    )
    return [
        EventPrivacy(
            event=event,
            checkouts=int(checkouts.get(event.id, 0)),
            basket_lines=int(lines.get(event.id, 0)),
            with_personal_data=personal.get(event.id, 0),
            pending=event.id in personal,
        )
        for event in list_events()
    ]


def expired_events(on: dt.date) -> list[Event]:
    """Events past their retention date that still hold personal data."""
    pending = events_with_personal_data()
    if not pending:
        return []
    events = db.session.execute(
        select(Event).where(Event.id.in_(pending)).order_by(Event.date, Event.slug)
    ).scalars()
    return [event for event in events if event.retention_date < on]


def purge_expired(on: dt.date) -> list[tuple[Event, PurgeResult]]:
    """Purge every event whose retention date lies before `on`; nothing to do is fine."""
    return [(event, purge_personal_data(event)) for event in expired_events(on)]
