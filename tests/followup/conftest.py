"""Fixtures for the mail after the day: a real SMTP server process and the app sending to it.

In this folder `app` (and with it `client`, `runner`, `store`, `make_checkout` …) is the
store with mail on, sending to `smtp_server` (aiosmtpd in its own process, see
tests/mailserver.py). A test that needs the server to behave otherwise restarts it with
options on the same port and spool. Events are dated relative to today, because whether
a follow-up is due depends on the real date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from popupstore.extensions import db
from popupstore.followup.outbox import immediate_sender
from popupstore.i18n import today

# The booth tablet in kiosk mode, and staff sessions as cookies.
from ..kiosk.conftest import kiosk_pin, turn_kiosk_on  # noqa: F401
from ..mailserver import ReceivedMail, SmtpServer
from ..security.conftest import client_as, staff_cookie  # noqa: F401

# Links in mails are built on this address; the test client opens them as they are.
BASE = "http://localhost"
LINK = re.compile(r"https?://[^\s<>\"')]+")


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[SmtpServer]:
    server = SmtpServer(spool=tmp_path / "spool").start()
    yield server
    server.stop()


@pytest.fixture
def app(make_app: Callable[..., Flask], smtp_server: SmtpServer) -> Iterator[Flask]:
    application = make_app(MAIL_URL=smtp_server.url, BASE_URL=BASE, MAIL_FROM="winkel@popup.test")
    with application.app_context():
        yield application
        # The thread that tries new mails right after a checkout must be done before the
        # database goes.
        assert immediate_sender(application).wait_until_idle(30)
        db.session.remove()


def days_ago(days: int) -> dt.date:
    return today() - dt.timedelta(days=days)


@pytest.fixture
def past_event(make_event: Callable[..., Any], load_test_products: Callable[[], None]) -> Any:
    """An active event 20 days ago: its follow-up (day 14) is due."""
    load_test_products()
    return make_event("utrecht-dag", name="Netwerkdag Utrecht", city="Utrecht", day=days_ago(20))


@pytest.fixture
def mail_checkout(client: Any) -> Callable[..., dict[str, Any]]:
    """Check out through the API with `follow_up` (and an e-mail address); the 201 body."""

    def checkout(
        email: str,
        items: dict[str, str] | None = None,
        *,
        name: str = "Anna",
        organisation: str = "Breda",
        event: str = "utrecht-dag",
        follow_up: bool = True,
        share_contact: bool = True,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        body = {
            "items": [
                {"product": p, "intent": i}
                for p, i in (items or {"geldfit": "want", "vroegsignalering": "have"}).items()
            ],
            "visitor": {
                "name": name,
                "organisation": organisation,
                "email": email,
                "follow_up": follow_up,
                "share_contact": share_contact,
            },
        }
        response = client.post(
            f"/api/v1/events/{event}/checkouts", json=body, headers=headers or {}
        )
        assert response.status_code == 201, response.get_json()
        result: dict[str, Any] = response.get_json()
        return result

    return checkout


def settle(app: Flask) -> None:
    """Wait until this process has tried every new mail once (right after checkout)."""
    assert immediate_sender(app).wait_until_idle(30)
    db.session.remove()


def links_in(text: str) -> list[str]:
    return LINK.findall(text)


def path_of(url: str) -> str:
    assert url.startswith(BASE + "/"), url
    return url[len(BASE) :]


def by_recipient(mails: list[ReceivedMail]) -> dict[str, list[ReceivedMail]]:
    found: dict[str, list[ReceivedMail]] = {}
    for mail in mails:
        found.setdefault(mail.to, []).append(mail)
    return found
