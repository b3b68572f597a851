"""Fixtures of the organiser's tests: a logged-in organiser and a known set of checkouts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient

from popupstore.extensions import db

# Two events, five checkouts; every figure the tests expect follows from these lines.
BREDA = "breda-2026"
ZWOLLE = "zwolle-2026"
VISITORS: list[dict[str, Any]] = [
    {
        "event": BREDA,
        "items": {"geldfit": "want", "vroegsignalering": "have"},
        "name": "Anna",
        "organisation": "Gemeente Breda",
        "role": "Schuldhulpverlening",
        "email": "anna@breda.nl",
        "share_contact": True,
    },
    {
        "event": BREDA,
        "items": {"geldfit": "have", "vroegsignalering": "want", "gemeentepolis": "want"},
        "name": "Bram",
        "organisation": "breda",
        "role": "schuldhulpverlening",
        "share_contact": False,
    },
    {
        "event": BREDA,
        "items": {"gemeentepolis": "want"},
        "name": "Cas",
        "organisation": "Woonbron",
        "organisation_type": "woningcorporatie",
        "share_contact": True,
        "email": "cas@woonbron.nl",
    },
    {
        "event": BREDA,
        "items": {"schuldhulpmaatje": "have", "geldfit": "want"},
        "name": "Dewi",
        "organisation": "Tilburg",
        "role": "Wijkteam",
        "share_contact": True,
    },
    {
        "event": ZWOLLE,
        "items": {"vroegsignalering": "want"},
        "name": "Eva",
        "organisation": "Zwolle",
        "share_contact": False,
        "email": "eva@zwolle.nl",
    },
]


@pytest.fixture
def organiser(client: FlaskClient, login: Callable[[str], Any]) -> FlaskClient:
    """The test client, logged in as an organiser."""
    login("organiser")
    return client


@pytest.fixture
def two_events(store: Any, make_event: Callable[..., Any]) -> Any:
    """Breda (active, 12 Nov 2026) and Zwolle (past, 3 Mar 2026), with the test catalog."""
    make_event(ZWOLLE, name="Samen Organiseren Zwolle", city="Zwolle", day=date(2026, 3, 3))
    return store


@pytest.fixture
def shop(two_events: Any, make_checkout: Callable[..., dict[str, Any]]) -> list[dict[str, Any]]:
    """The checkouts of VISITORS; Zwolle is activated for its own checkout, then Breda again."""
    from popupstore.events.services import activate_event, get_event

    answers = []
    for visitor in VISITORS:
        fields = dict(visitor)
        slug = fields.pop("event")
        activate_event(get_event(slug))
        db.session.commit()
        answers.append(make_checkout(fields.pop("items"), event=slug, **fields))
    activate_event(get_event(BREDA))
    db.session.commit()
    return answers
