"""Fixtures for the privacy tests: two events whose visitors carry canary strings."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import inspect, text

from popupstore.events.services import activate_event, get_event
from popupstore.extensions import db

# Staff sessions for the organiser's privacy pages.
from ..security.conftest import client_as, staff_cookie  # noqa: F401


@dataclass
class Planted:
    """Checkouts of two events; every name and e-mail address holds the event's canary."""

    canary: str
    other_canary: str
    tokens: list[str] = field(default_factory=list)
    other_tokens: list[str] = field(default_factory=list)


def _visitors(canary: str) -> list[dict[str, Any]]:
    return [
        {
            "name": f"Anna {canary}",
            "organisation": "Breda",
            "email": f"{canary.lower()}.anna@breda.nl",
            "share_contact": True,
            "role": "schuldhulpverlening",
        },
        {
            "name": f"Bram {canary}",
            "organisation": "Tilburg",
            "email": f"{canary.lower()}.bram@tilburg.nl",
            "share_contact": True,
        },
        {"name": f"Cor {canary}", "organisation": "Woonstad Rotterdam", "share_contact": False},
    ]


ITEMS = [
    [{"product": "geldfit", "intent": "want"}, {"product": "vroegsignalering", "intent": "have"}],
    [{"product": "geldfit", "intent": "have"}],
    [{"product": "vroegsignalering", "intent": "want"}, {"product": "geldfit", "intent": "want"}],
]


def _check_out(client: Any, slug: str, canary: str, key_prefix: str) -> list[str]:
    tokens = []
    for index, (visitor, items) in enumerate(zip(_visitors(canary), ITEMS, strict=True)):
        response = client.post(
            f"/api/v1/events/{slug}/checkouts",
            json={"items": items, "visitor": visitor},
            headers={"Idempotency-Key": f"{key_prefix}-{index}"},
        )
        assert response.status_code == 201, response.get_json()
        tokens.append(response.get_json()["token"])
    return tokens


@pytest.fixture
def planted(
    app: Flask, client: Any, load_test_products: Callable[[], None], make_event: Callable[..., Any]
) -> Planted:
    """Checkouts at 'tilburg-2025' (earlier) and 'breda-2026' (active), with canaries."""
    load_test_products()
    result = Planted(
        canary="Kanarie" + secrets.token_hex(6), other_canary="Merel" + secrets.token_hex(6)
    )
    make_event("tilburg-2025", name="Tilburg", city="Tilburg", day=date(2025, 5, 1))
    result.other_tokens = _check_out(client, "tilburg-2025", result.other_canary, "t")
    make_event("breda-2026", active=False)
    activate_event(get_event("breda-2026"))
    db.session.commit()
    result.tokens = _check_out(client, "breda-2026", result.canary, "b")
    db.session.remove()
    return result


def text_columns_holding(needle: str) -> list[str]:
    """Every table.column with a text value that contains `needle` (any case), by SQL."""
    found = []
    inspector = inspect(db.engine)
    for table in inspector.get_table_names():
        for column in inspector.get_columns(table):
            type_name = str(column["type"]).upper()
            if not any(kind in type_name for kind in ("CHAR", "TEXT", "CLOB", "JSON")):
                continue
            value = f'LOWER(CAST("{column["name"]}" AS TEXT))'
            count = db.session.execute(
                text(f'SELECT COUNT(*) FROM "{table}" WHERE {value} LIKE :needle'),
                {"needle": f"%{needle.lower()}%"},
            ).scalar_one()
            if count:
                found.append(f"{table}.{column['name']}")
    db.session.rollback()
    return found
