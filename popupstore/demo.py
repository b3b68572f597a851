"""A store to try out: what `make run` sets up on a fresh machine."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path

from sqlalchemy import select

from .auth.models import User
from .auth.roles import ORGANISER
from .auth.services import create_user
from .catalog.services import load_products
from .db_setup import upgrade_schema
from .events.models import Event
from .events.services import activate_event, active_event, create_event
from .extensions import db
from .resources import resource_path

DEMO_EVENT = "demo"
DEMO_USER = "organisator"


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
