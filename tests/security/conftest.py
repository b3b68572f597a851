"""Fixtures for the security tests: staff sessions as cookies, and an app with CSRF on."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import AnyConverter, IntegerConverter, PathConverter, Rule

from popupstore.extensions import db

# The kiosk's PIN, set in the database, for the rate-limit tests of the PIN.
from ..kiosk.conftest import kiosk_pin  # noqa: F401

PASSWORD = "geheim-wachtwoord"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    found = CSRF_FIELD.search(html)
    assert found, "the page has no CSRF token field"
    return found.group(1)


@pytest.fixture
def staff_cookie(app: Flask, make_user: Callable[..., Any]) -> Callable[[str], str]:
    """Log a staff member of `role` in through /login; returns the session cookie value."""
    cookies: dict[str, str] = {}

    def cookie(role: str) -> str:
        if role not in cookies:
            make_user(f"walk-{role}", role, PASSWORD)
            client = app.test_client()
            response = client.post(
                "/login", data={"username": f"walk-{role}", "password": PASSWORD}
            )
            assert response.status_code == 302, response.get_data(as_text=True)
            stored = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
            assert stored is not None
            cookies[role] = stored.value
        return cookies[role]

    return cookie


@pytest.fixture
def client_as(
    app: Flask, staff_cookie: Callable[[str], str]
) -> Callable[[str | None], FlaskClient]:
    """A fresh test client: anonymous (None) or carrying the session of a staff role."""

    def make(role: str | None) -> FlaskClient:
        client = app.test_client()
        if role is not None:
            client.set_cookie(app.config["SESSION_COOKIE_NAME"], staff_cookie(role))
        return client

    return make


@pytest.fixture
def csrf_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """The app as a browser meets it: CSRF protection on."""
    application = make_app(WTF_CSRF_ENABLED=True)
    with application.app_context():
        yield application


def login_with_csrf(client: FlaskClient, username: str, password: str = PASSWORD) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.remove()


def fresh_request(client: FlaskClient, method: str, url: str, **kwargs: Any) -> Any:
    """Send a request in its own app context and read it whole.

    The test's app context would otherwise carry the logged-in user (flask.g) from one
    request into the next, hiding what the session cookie alone decides.
    """
    with client.application.app_context():
        response = client.open(url, method=method, **kwargs)
        response.get_data()
        response.close()
    return response


def checkout_token(client: FlaskClient) -> str:
    """Check Anna out at the active event 'breda-2026' through the API; her receipt token."""
    response = client.post(
        "/api/v1/events/breda-2026/checkouts",
        json={
            "items": [{"product": "geldfit", "intent": "want"}],
            "visitor": {"name": "Anna", "organisation": "Breda"},
        },
    )
    assert response.status_code == 201, response.get_json()
    token: str = response.get_json()["token"]
    return token


def url_argument(rule: Rule, argument: str) -> Any:
    """A value for a URL parameter of `rule` that its converter accepts."""
    converter = rule._converters.get(argument)  # type: ignore[attr-defined]
    if isinstance(converter, IntegerConverter):
        return 7
    if isinstance(converter, PathConverter):
        return "geen/pad"
    if isinstance(converter, AnyConverter):
        # A route that only takes fixed words (e.g. "uit" or "terug"): use the first.
        return sorted(converter.items)[0]
    return "bestaat-niet"
