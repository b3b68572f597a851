"""Fixtures of the series tests: a series of three network days, filled through the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from popupstore.events.services import activate_event, get_event
from popupstore.extensions import db

SERIES = "samen-2026"
BREDA, ZWOLLE, ASSEN = "breda-2026", "zwolle-2026", "assen-2027"
OUTSIDE = "utrecht-2026"  # an event in no series

# Every checkout of the seeded series, in checkout order; the expected results of the tests
# are computed from these lines, not read from the store.


def visitor(
    event: str, name: str, organisation: str, items: dict[str, str], share: bool, across: bool
) -> dict[str, Any]:
    return {
        "event": event,
        "name": name,
        "organisation": organisation,
        "items": items,
        "share": share,
        "across": across,
    }


VISITORS: list[dict[str, Any]] = [
    visitor(BREDA, "Anna", "Breda", {"geldfit": "want", "vroegsignalering": "have"}, True, True),
    visitor(BREDA, "Bart", "Tilburg", {"geldfit": "have"}, True, True),
    visitor(BREDA, "Cis", "Oss", {"gemeentepolis": "want", "geldfit": "want"}, True, False),
    visitor(ZWOLLE, "Dirk", "Zwolle", {"geldfit": "want", "gemeentepolis": "have"}, True, True),
    visitor(ZWOLLE, "Eva", "Gemeente Breda", {"geldfit": "have"}, True, True),
    visitor(ZWOLLE, "Fleur", "Deventer", {"vroegsignalering": "want"}, False, True),
    visitor(
        ZWOLLE,
        "Gijs",
        "Kampen",
        {"vroegsignalering": "want", "schuldhulpmaatje": "have"},
        True,
        True,
    ),
    visitor(ASSEN, "Hans", "Assen", {"geldfit": "want", "vroegsignalering": "want"}, True, True),
    visitor(ASSEN, "Ilse", "Tilburg", {"schuldhulpmaatje": "want"}, True, True),
    visitor(ASSEN, "Jan", "Emmen", {"geldfit": "have", "gemeentepolis": "want"}, True, False),
]
DATES = {BREDA: date(2026, 11, 12), ZWOLLE: date(2026, 12, 10), ASSEN: date(2027, 1, 14)}


def activate(slug: str) -> None:
    activate_event(get_event(slug))
    db.session.commit()


def checkout_at(client: FlaskClient, visitor: dict[str, Any]) -> dict[str, Any]:
    """Check a visitor out at their event through the API (the event is made active)."""
    activate(visitor["event"])
    body = {
        "items": [{"product": p, "intent": i} for p, i in visitor["items"].items()],
        "visitor": {
            "name": visitor["name"],
            "organisation": visitor["organisation"],
            "share_contact": visitor["share"],
            "across_series": visitor["across"],
        },
    }
    response = client.post(f"/api/v1/events/{visitor['event']}/checkouts", json=body)
    assert response.status_code == 201, response.get_json()
    result: dict[str, Any] = response.get_json()
    return result


@pytest.fixture
def series_events(
    app: Any, runner: FlaskCliRunner, load_test_products: Callable[[], None]
) -> dict[str, str]:
    """The series `samen-2026` with three events, made on the command line, and one event
    outside it; no checkouts yet."""
    load_test_products()
    result = runner.invoke(args=["create-series", SERIES, "--name", "Samen Organiseren 2026"])
    assert result.exit_code == 0, result.output
    for slug, city in ((BREDA, "Breda"), (ZWOLLE, "Zwolle"), (ASSEN, "Assen")):
        args = ["create-event", slug, "--name", f"Samen Organiseren {city}", "--city", city]
        args += ["--date", DATES[slug].isoformat(), "--series", SERIES]
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    args = ["create-event", OUTSIDE, "--name", "Utrecht", "--city", "Utrecht"]
    assert runner.invoke(args=[*args, "--date", "2026-11-20"]).exit_code == 0
    return {"series": SERIES}


@pytest.fixture
def seeded_series(series_events: dict[str, str], client: FlaskClient) -> list[dict[str, Any]]:
    """The series filled with VISITORS; returns each visitor with its 201 answer."""
    seeded = [{**visitor, **checkout_at(client, visitor)} for visitor in VISITORS]
    activate(ASSEN)
    return seeded
