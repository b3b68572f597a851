"""Fixtures for kiosk mode: a PIN, and a test client standing in for the booth tablet."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from popupstore.extensions import db

PIN = "246810"


@pytest.fixture
def kiosk_pin(app: Any) -> str:
    from popupstore.kiosk.services import set_pin

    set_pin(PIN)
    db.session.commit()
    return PIN


@pytest.fixture
def turn_kiosk_on(
    client: FlaskClient, login: Callable[[str], Any], kiosk_pin: str
) -> Callable[[], Any]:
    """Staff log in on the test client and put it in kiosk mode, as on the booth tablet."""

    def turn_on() -> Any:
        login("facilitator")
        response = client.post("/kiosk/aan")
        assert response.status_code == 302 and response.headers["Location"] == "/", response
        return response

    return turn_on
