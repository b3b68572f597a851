"""CSRF: every form-handling route refuses a POST without a token; the JSON API takes
bearer tokens, never the session cookie, for staff calls."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from popupstore.basket.models import Checkout
from popupstore.extensions import db
from popupstore.security import PUBLIC, access_of

from .conftest import (
    PASSWORD,
    checkout_token,
    csrf_token_from,
    fresh_request,
    login_with_csrf,
    url_argument,
)

CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# The unsubscribe link of a mail takes RFC 8058's one-click POST, which mail programs send
# without any token: the signed link is what allows it. tests/followup/test_unsubscribe.py
# proves it changes nothing else and only with the right link.
ONE_CLICK_ROUTES = {"followup.unsubscribe_page"}
CSRF_WORDS = "Dit formulier is verlopen of kwam niet van deze site."


def form_routes(app: Flask) -> list[tuple[str, str, Any]]:
    """(method, rule, access) of every route outside the JSON API that changes something."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") or rule.endpoint in {"static", *ONE_CLICK_ROUTES}:
            continue
        access = access_of(app.view_functions[rule.endpoint])
        for method in sorted((rule.methods or set()) & CHANGING):
            found.append((method, rule, access))
    return found


def _values(rule, product: str, event: str, token: str) -> dict[str, str]:
    values = {}
    for name in rule.arguments:
        if name == "token":
            values[name] = token
        elif name == "slug":
            values[name] = event if rule.endpoint.startswith("privacy.") else product
        else:
            values[name] = url_argument(rule, name)
    return values


@pytest.fixture
def staff_with_csrf(csrf_app, make_user):
    for role in ("facilitator", "organiser"):
        make_user(f"csrf-{role}", role, PASSWORD)


def test_every_form_route_refuses_a_post_without_a_csrf_token(
    csrf_app, load_test_products, make_event, staff_with_csrf
):
    load_test_products()
    make_event()
    token = checkout_token(csrf_app.test_client())
    adapter = csrf_app.url_map.bind("localhost")
    routes = form_routes(csrf_app)
    endpoints = {rule.endpoint for _, rule, _ in routes}
    # The kiosk's forms, the staff login and the organiser's privacy forms are all here.
    assert {"auth.login", "basket.checkout", "receipts.erase", "privacy.purge"} <= endpoints
    for method, rule, access in routes:
        client = csrf_app.test_client()
        if access != PUBLIC:
            _via, roles = access
            login_with_csrf(client, f"csrf-{roles[0]}")
        url = adapter.build(
            rule.endpoint, _values(rule, "geldfit", "breda-2026", token), method=method
        )
        refused = fresh_request(client, method, url, data={"confirm": "y", "intent": "want"})
        assert refused.status_code == 400, (method, url, refused.status_code)
        assert CSRF_WORDS in refused.get_data(as_text=True), url
        # With the page's token the same request is no longer refused for CSRF.
        good = csrf_token_from(fresh_request(client, "GET", "/login").get_data(as_text=True))
        accepted = fresh_request(
            client, method, url, data={"confirm": "y", "intent": "want", "csrf_token": good}
        )
        assert CSRF_WORDS not in accepted.get_data(as_text=True), url
        if rule.endpoint == "receipts.erase":
            token = "al-gewist"  # the accepted request erased it; later URLs use a dummy


def test_a_refused_erase_or_purge_changes_nothing(
    csrf_app, load_test_products, make_event, staff_with_csrf
):
    load_test_products()
    make_event()
    visitor = csrf_app.test_client()
    token = checkout_token(visitor)
    assert fresh_request(visitor, "POST", f"/r/{token}/wissen").status_code == 400
    organiser = csrf_app.test_client()
    login_with_csrf(organiser, "csrf-organiser")
    purge = fresh_request(
        organiser, "POST", "/organisator/privacy/evenement/breda-2026/wissen", data={"confirm": "y"}
    )
    assert purge.status_code == 400
    db.session.expire_all()
    names = db.session.execute(select(Checkout.visitor_name)).scalars().all()
    assert names == ["Anna"]
    assert fresh_request(visitor, "GET", f"/r/{token}").status_code == 200


def test_the_json_api_needs_no_csrf_token_but_refuses_form_posts(csrf_app, store):
    client = csrf_app.test_client()
    body = {
        "items": [{"product": "geldfit", "intent": "want"}],
        "visitor": {"name": "Anna", "organisation": "Breda"},
    }
    assert client.post("/api/v1/events/breda-2026/checkouts", json=body).status_code == 201
    # What a cross-site HTML form can send is not JSON: 415, nothing stored.
    form = client.post(
        "/api/v1/events/breda-2026/checkouts", data={"items": "geldfit", "visitor": "Anna"}
    )
    assert form.status_code == 415
    assert db.session.execute(select(func.count(Checkout.id))).scalar_one() == 1


def test_a_logged_in_session_cannot_call_the_staff_api(csrf_app, store, staff_with_csrf):
    client = csrf_app.test_client()
    login_with_csrf(client, "csrf-organiser")
    assert fresh_request(client, "GET", "/organisator/privacy").status_code == 200
    for method, url in (
        ("GET", "/api/v1/events/breda-2026/overlap"),
        ("POST", "/api/v1/events/breda-2026/tables"),
    ):
        response = fresh_request(client, method, url, json={})
        assert response.status_code == 401, url
        assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_kept_page_carries_each_visitors_own_working_csrf_token(csrf_app, store):
    """The start page is rendered once and kept; each visitor still gets a token of their
    own session in its forms, and it is accepted."""
    tokens = []
    for _ in range(2):
        client = csrf_app.test_client()
        html = client.get("/").get_data(as_text=True)
        token = csrf_token_from(html)
        tokens.append(token)
        switched = client.post("/taal", data={"lang": "en", "csrf_token": token, "next": "/"})
        assert switched.status_code == 303
    assert tokens[0] != tokens[1]
