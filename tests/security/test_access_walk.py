"""Every rule of the URL map, requested anonymously and as each staff role.

Public routes answer without a login; staff pages send anonymous callers to /login and
callers of the wrong role get 403; staff API endpoints want a bearer token (401 without
one, 403 for the wrong role) and ignore a logged-in session cookie. A route without an
access mark fails the walk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from popupstore.security import PUBLIC, access_of

from .conftest import fresh_request, url_argument

ROLES = ("facilitator", "organiser")
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Route:
    rule: Rule
    method: str
    url: str
    access: Any

    @property
    def name(self) -> str:
        return f"{self.method} {self.rule.rule}"


def unclassified(app: Flask) -> list[str]:
    return [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and access_of(app.view_functions[rule.endpoint]) is None
    ]


def routes(app: Flask) -> Iterator[Route]:
    """Every rule and method, with dummy values for its URL parameters."""
    adapter = app.url_map.bind("localhost")
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        access = (
            PUBLIC if rule.endpoint == "static" else access_of(app.view_functions[rule.endpoint])
        )
        values = {name: url_argument(rule, name) for name in rule.arguments}
        if rule.endpoint == "static":
            values = {"filename": "css/store.css"}
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            url = adapter.build(rule.endpoint, values, method=method)
            yield Route(rule=rule, method=method, url=url, access=access)


def call(client: FlaskClient, route: Route, **kwargs: Any) -> Any:
    return fresh_request(client, route.method, route.url, **kwargs)


def _is_login_redirect(response: Any) -> bool:
    """The answer of a staff page to a caller who is not logged in: /login, then back."""
    return response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def check_walk(
    app: Flask, client_as: Callable[[str | None], FlaskClient], tokens: dict[str, str]
) -> list[str]:
    """Walk the map; returns the list of broken promises (empty when all hold)."""
    problems = [f"{rule}: no access mark" for rule in unclassified(app)]
    for route in routes(app):
        if route.access is None:
            continue
        anonymous = call(client_as(None), route)
        if anonymous.status_code >= 500:
            problems.append(f"{route.name} anonymous: {anonymous.status_code}")
        if route.access == PUBLIC:
            if anonymous.status_code in (401, 403) or _is_login_redirect(anonymous):
                problems.append(f"{route.name} is public but refused a visitor")
            continue
        via, allowed = route.access
        if via == "session":
            if not _is_login_redirect(anonymous):
                problems.append(f"{route.name} anonymous: {anonymous.status_code}, not /login")
            for role in ROLES:
                answer = call(client_as(role), route)
                refused = answer.status_code == 403 or _is_login_redirect(answer)
                if answer.status_code >= 500:
                    problems.append(f"{route.name} as {role}: {answer.status_code}")
                if role in allowed and refused:
                    problems.append(f"{route.name} refused its own role {role}")
                if role not in allowed and answer.status_code != 403:
                    problems.append(f"{route.name} let {role} in ({answer.status_code})")
                # A bearer token does not open a staff page.
                with_token = call(
                    client_as(None), route, headers={"Authorization": f"Bearer {tokens[role]}"}
                )
                if not _is_login_redirect(with_token):
                    problems.append(f"{route.name} opened for a bearer token")
        else:
            assert via == "token"
            if anonymous.status_code != 401:
                problems.append(f"{route.name} anonymous: {anonymous.status_code}, not 401")
            for role in ROLES:
                # A logged-in session cookie is no API credential.
                by_cookie = call(client_as(role), route)
                if by_cookie.status_code != 401:
                    problems.append(f"{route.name} took a session cookie of {role}")
                answer = call(
                    client_as(None), route, headers={"Authorization": f"Bearer {tokens[role]}"}
                )
                if answer.status_code >= 500:
                    problems.append(f"{route.name} as {role}: {answer.status_code}")
                if role in allowed and answer.status_code in (401, 403):
                    problems.append(f"{route.name} refused its own role {role}")
                if role not in allowed and answer.status_code != 403:
                    problems.append(f"{route.name} let {role} in ({answer.status_code})")
    return problems


@pytest.fixture
def tokens(api_token: Callable[[str], str]) -> dict[str, str]:
    return {role: api_token(role) for role in ROLES}


def test_every_route_keeps_its_access_promise(app, store, client_as, tokens):
    walked = list(routes(app))
    # The walk covers the kiosk, the staff pages and the API.
    assert {r.access == PUBLIC for r in walked} == {True, False}
    assert any(r.access not in (None, PUBLIC) and r.access[0] == "token" for r in walked)
    assert any(r.access not in (None, PUBLIC) and r.access[0] == "session" for r in walked)
    assert check_walk(app, client_as, tokens) == []


def test_a_route_without_a_mark_fails_the_walk(app, store, client_as, tokens):
    app.add_url_rule("/nieuw-en-vergeten", "forgotten", lambda: "geheim")
    assert check_walk(app, client_as, tokens) == ["/nieuw-en-vergeten: no access mark"]


def test_a_staff_page_that_forgets_its_role_check_fails_the_walk(app, store, client_as, tokens):
    from popupstore.security import mark_roles

    # Marked organiser-only, but nothing checks: the walk must notice the open door.
    view = mark_roles(lambda: "open", ("organiser",), via="session")
    app.add_url_rule("/organisator/lek", "leaky", view)
    problems = check_walk(app, client_as, tokens)
    assert "GET /organisator/lek anonymous: 200, not /login" in problems
    assert "GET /organisator/lek let facilitator in (200)" in problems
