"""A store to try out: what `make run` sets up on a fresh machine.

`bootstrap_demo` makes the schema, the catalog, a demo event and organiser. `fill_demo`
adds simulated visitors to the demo event and to an earlier demo day of the same demo
series: municipalities of one province and chain partners working there, their wants and
haves drawn from the catalog with a realistic skew, about 60 % consenting, a few
agreements, a table plan and one proposal waiting for the organiser. Simulated visitors
only ever go into demo events (`Event.is_demo`), and a demo event never shares a series
with a real one, so they never meet real visitors.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .auth.models import User
from .auth.roles import ORGANISER
from .auth.services import create_user
from .catalog.services import load_products
from .db_setup import upgrade_schema
from .errors import ConflictError
from .events.models import Event
from .events.services import activate_event, active_event, create_event
from .extensions import db
from .resources import resource_path

DEMO_EVENT = "demo"
DEMO_USER = "organisator"
EARLIER_DEMO_EVENT = "demo-eerder"
DEMO_SERIES = "demo-reeks"


def seed_file() -> Path:
    found = resource_path("seed_products.yaml")
    if not found.exists():
        raise FileNotFoundError("seed_products.yaml not found")
    return found


def bootstrap_demo(products_path: Path | None = None) -> list[str]:
    """Idempotent: schema, catalog, an active event if none, a demo organiser once."""
    lines: list[str] = []
    upgrade_schema()
    path = products_path or seed_file()
    report = load_products(path)
    lines.append(
        f"Catalog {path.name}: {len(report.created)} new, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged."
    )
    if active_event() is None:
        existing = db.session.execute(select(Event).where(Event.slug == DEMO_EVENT)).scalar()
        if existing is None:
            existing = create_event(
                DEMO_EVENT,
                name="Samen Organiseren — demodag",
                city="Utrecht",
                date=date.today(),
                venue="Demo",
            )
            existing.is_demo = True
        activate_event(existing)
        lines.append(f"Active event: {existing.slug} ({existing.name}).")
    else:
        lines.append(f"Active event: {active_event().slug}.")  # type: ignore[union-attr]
    has_user = db.session.execute(select(User.id).where(User.username == DEMO_USER)).first()
    if not has_user:
        password = secrets.token_urlsafe(12)
        create_user(DEMO_USER, password, ORGANISER)
        lines.append(f"Demo organiser login: {DEMO_USER} / {password}  (shown only now)")
    else:
        lines.append(f"Demo organiser: {DEMO_USER} (password was shown when it was created).")
    return lines


# --- simulated visitors ------------------------------------------------------------------------

# Municipalities of one province, the larger ones more than once: they send more people.
DEMO_MUNICIPALITIES = (
    ("Breda", 4),
    ("Tilburg", 4),
    ("Eindhoven", 4),
    ("'s-Hertogenbosch", 3),
    ("Helmond", 2),
    ("Oss", 2),
    ("Roosendaal", 2),
    ("Bergen op Zoom", 2),
    ("Oosterhout", 1),
    ("Waalwijk", 1),
    ("Veldhoven", 1),
    ("Meierijstad", 1),
    ("Etten-Leur", 1),
    ("Moerdijk", 1),
    ("Dongen", 1),
    ("Vught", 1),
)
DEMO_PROVINCE = "Noord-Brabant"
# Chain partners with the province as their work area.
DEMO_PARTNERS = (
    ("Kredietbank West-Brabant", "kredietbank"),
    ("Woonstichting De Brabantse Wal", "woningcorporatie"),
    ("Brabant Water", "energie-water"),
    ("Zorgverzekeraar CZ", "zorgverzekeraar"),
    ("UWV", "rijk"),
    ("Belastingdienst", "rijk"),
    ("CJIB", "rijk"),
    ("Humanitas Brabant", "hulporganisatie"),
    ("SchuldHulpMaatje Breda", "hulporganisatie"),
    ("Bewindvoerderskantoor Baronie", "bewindvoerder"),
    ("Avans Hogeschool", "kennisorganisatie"),
)
DEMO_NAMES = (
    "Anouk", "Bram", "Cor", "Daan", "Esther", "Fatima", "Gert", "Hanneke", "Ilse", "Joost",
    "Karin", "Lars", "Mirjam", "Noor", "Okke", "Petra", "Quinten", "Roos", "Sanne", "Thijs",
    "Ufuk", "Vera", "Wim", "Yara", "Zeynep", "Marco", "Linda", "Hamid", "Ellen", "Ruud",
)  # fmt: skip
DEMO_ROLES = (
    "Schuldhulpverlening",
    "Vroegsignalering",
    "Werk en inkomen",
    "Wijkteam",
    "Beleid",
    "Klantmanager",
    "Incasso en debiteurenbeheer",
)
DEMO_AGREEMENT_TEXTS = (
    "We plannen een werkbezoek bij elkaar, nog voor de zomer.",
    "We delen onze werkinstructies en evalueren samen na drie maanden.",
    "We trekken samen op richting de wethouders in onze regio.",
    "We sluiten aan bij elkaars intervisie voor consulenten.",
    "We zetten samen een proef op met twintig huishoudens.",
)
DEMO_PROPOSAL = {
    "name": "Budgetcafé in de bibliotheek",
    "pitch": "Elke week een inloop in de bibliotheek waar vrijwilligers helpen met "
    "post, toeslagen en een begroting.",
    "description": "Inwoners lopen zonder afspraak binnen met hun post of vragen over geld. "
    "Getrainde vrijwilligers helpen ter plekke en verwijzen zo nodig door naar "
    "schuldhulpverlening. De bibliotheek is een plek waar mensen zonder schaamte komen.",
    "organisation": "Bibliotheek Midden-Brabant",
}
CONSENT_SHARE = 0.6
ACROSS_SERIES_SHARE = 0.55


@dataclass(frozen=True, slots=True)
class DemoVisitor:
    name: str
    organisation: str
    organisation_type: str | None
    province: str | None
    role: str
    share_contact: bool
    across_series: bool
    items: tuple[tuple[str, str], ...]


def simulated_visitors(count: int, products: list[str], seed: int) -> list[DemoVisitor]:
    """`count` plausible visitors: three in five from a municipality, the others chain
    partners of the same province; each picks two to five products, the popular ones more
    often (a Zipf-like skew over a fixed order of the catalog), wants more than haves."""
    rng = random.Random(seed)
    order = sorted(products)
    random.Random(2019).shuffle(order)  # the same favourites in every run
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(order))]
    have_odds = {slug: random.Random(f"{slug}-have").uniform(0.15, 0.55) for slug in order}
    towns = [name for name, weight in DEMO_MUNICIPALITIES for _ in range(weight)]
    visitors = []
    for _ in range(count):
        if rng.random() < 0.6:
            organisation, kind, province = rng.choice(towns), None, None
        else:
            organisation, kind = rng.choice(DEMO_PARTNERS)
            province = DEMO_PROVINCE
        chosen: list[str] = []
        size = min(len(order), rng.choice((2, 3, 3, 4, 4, 5)))
        while len(chosen) < size:
            slug = rng.choices(order, weights=weights)[0]
            if slug not in chosen:
                chosen.append(slug)
        share = rng.random() < CONSENT_SHARE
        visitors.append(
            DemoVisitor(
                name=rng.choice(DEMO_NAMES),
                organisation=organisation,
                organisation_type=kind,
                province=province,
                role=rng.choice(DEMO_ROLES),
                share_contact=share,
                across_series=rng.random() < ACROSS_SERIES_SHARE,
                items=tuple(
                    (slug, "have" if rng.random() < have_odds[slug] else "want") for slug in chosen
                ),
            )
        )
    return visitors


def _demo_event(slug: str) -> Event | None:
    return db.session.execute(select(Event).where(Event.slug == slug)).scalar_one_or_none()


def _checkouts_of(event: Event) -> int:
    from .basket.models import Checkout

    query = select(func.count(Checkout.id)).where(Checkout.event_id == event.id)
    return int(db.session.execute(query).scalar_one())


def check_demo_is_active() -> None:
    """Raise ConflictError unless the demo event is the active one, or none is active yet
    (`bootstrap_demo` then makes it): simulated visitors only go into demo events, and the
    kiosk stays with the real event it sells for."""
    current = active_event()
    if current is not None and current.slug != DEMO_EVENT:
        raise ConflictError(
            str(
                _l(
                    "Gesimuleerde bezoekers komen alleen in het demo-evenement, en dat is niet "
                    "het actieve evenement (dat is %(active)s). Maak eerst 'demo' actief.",
                    active=current.slug,
                )
            )
        )


def prepare_demo_series() -> tuple[Event, Event]:
    """The demo event (active) and an earlier demo day, both in the demo series.

    Raises ConflictError when a real event is active (`check_demo_is_active`).
    """
    from .series.models import EventSeries
    from .series.services import add_event_to_series, create_series

    check_demo_is_active()
    demo = _demo_event(DEMO_EVENT)
    current = active_event()
    if demo is None or current is None or current.id != demo.id:
        raise ConflictError(
            str(
                _l(
                    "Gesimuleerde bezoekers komen alleen in het demo-evenement, en dat is niet "
                    "het actieve evenement (dat is %(active)s). Maak eerst 'demo' actief.",
                    active=current.slug if current else "-",
                )
            )
        )
    demo.is_demo = True
    earlier = _demo_event(EARLIER_DEMO_EVENT)
    if earlier is None:
        earlier = create_event(
            EARLIER_DEMO_EVENT,
            name="Samen Organiseren — eerdere demodag",
            city="'s-Hertogenbosch",
            date=demo.date - timedelta(days=28),
            venue="Demo",
        )
        earlier.is_demo = True
    series = db.session.execute(
        select(EventSeries).where(EventSeries.slug == DEMO_SERIES)
    ).scalar_one_or_none()
    if series is None:
        series = create_series(DEMO_SERIES, name="Samen Organiseren — demoreeks")
    add_event_to_series(series, earlier)
    add_event_to_series(series, demo)
    db.session.flush()
    return demo, earlier


def place_demo_visitors(event: Event, target: int, seed: int) -> int:
    """Check simulated visitors out at the demo `event` until it has `target` checkouts;
    returns how many were added. The event is made active for it and the demo event
    active again afterwards (one transaction: the kiosk never sees the switch)."""
    from .basket.checkout import place_checkout
    from .basket.payload import CheckoutRequest, VisitorDetails
    from .catalog.services import active_products

    assert event.is_demo, "simulated visitors only go into demo events"
    missing = target - _checkouts_of(event)
    if missing <= 0:
        return 0
    demo = active_event()
    activate_event(event)
    products = [p.slug for p in active_products()]
    for visitor in simulated_visitors(missing, products, seed + _checkouts_of(event)):
        details = VisitorDetails(
            name=visitor.name,
            organisation=visitor.organisation,
            organisation_type=visitor.organisation_type,
            role=visitor.role,
            share_contact=visitor.share_contact,
            province=visitor.province,
            across_series=visitor.across_series,
        )
        place_checkout(event, CheckoutRequest(visitor.items, details))
    if demo is not None:
        activate_event(demo)
    return missing


def add_demo_activity(event: Event) -> list[str]:
    """A few agreements, a table plan and one proposal in the queue, each once (the
    checkouts must be committed: agreements are made with current matches)."""
    from .agreements.models import Agreement
    from .agreements.services import record_agreement
    from .basket.models import Checkout
    from .errors import DomainError
    from .facilitator.services import latest_plan, make_table_plan
    from .proposals.models import Proposal
    from .proposals.services import submit_proposal
    from .receipts.services import checkout_view

    lines = []
    assert event.is_demo, "simulated activity only goes into demo events"
    has = db.session.execute(select(Agreement.id).where(Agreement.event_id == event.id)).first()
    if not has:
        made = 0
        checkouts = db.session.execute(
            select(Checkout).where(Checkout.event_id == event.id).order_by(Checkout.number)
        ).scalars()
        for checkout in checkouts:
            matches = checkout_view(checkout).matches
            if not matches:
                continue
            partner = matches[0]
            try:
                record_agreement(
                    checkout,
                    partner.number,
                    partner.shared[0].product,
                    DEMO_AGREEMENT_TEXTS[made % len(DEMO_AGREEMENT_TEXTS)],
                )
            except DomainError:
                continue
            made += 1
            if made == 4:
                break
        lines.append(f"Demo agreements: {made}.")
    if _checkouts_of(event) >= 2 and latest_plan(event, "tables") is None:
        make_table_plan(event)
        lines.append("Demo table plan made.")
    has = db.session.execute(select(Proposal.id).where(Proposal.event_id == event.id)).first()
    if not has:
        proposer = db.session.execute(
            select(Checkout).where(Checkout.event_id == event.id).order_by(Checkout.number)
        ).scalar()
        submit_proposal(event, DEMO_PROPOSAL, checkout=proposer)
        lines.append("Demo proposal waiting in the organiser's queue.")
    return lines
