"""Staff sessions: a login starts a new one, a logout or password change ends them all.

A session cookie is copied here as an attacker would (the Cookie header alone, from a
client that keeps no cookies of its own), so each test shows what that copy is worth.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from popupstore.auth.models import User
from popupstore.basket.models import Checkout
from popupstore.extensions import db
from popupstore.web import STAFF_SEEN_KEY

from .conftest import PASSWORD, checkout_token, csrf_token_from, fresh_request

COOKIE = "popupstore_session"
# The organiser chose English before logging in (the choice survives the login).
CSRF_WORDS_EN = "This form has expired or did not come from this site."
PURGE = "/organisator/privacy/evenement/breda-2026/wissen"


def session_cookie(client: FlaskClient) -> str:
    stored = client.get_cookie(COOKIE)
    assert stored is not None
    return stored.value


def copy_of(app: Flask, cookie: str) -> Callable[[str], Any]:
    """GET `path` with nothing but this session cookie, as a thief holding a copy would."""
    thief = app.test_client(use_cookies=False)

    def get(path: str) -> Any:
        return fresh_request(thief, "GET", path, headers={"Cookie": f"{COOKIE}={cookie}"})

    return get


def is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def sets_session_cookie(response: Any) -> bool:
    return any(c.startswith(f"{COOKIE}=") for c in response.headers.getlist("Set-Cookie"))


def log_in(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    response = fresh_request(
        client, "POST", "/login", data={"username": username, "password": password}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


# --- login ---------------------------------------------------------------------------------


def test_a_planted_session_and_its_csrf_token_are_worth_nothing_after_login(
    csrf_app, store, make_user
):
    make_user("olga", "organiser", PASSWORD)
    checkout_token(csrf_app.test_client())  # Anna's checkout, for the purge to erase
    # The attacker opens the login page and keeps the session cookie and its CSRF token …
    attacker = csrf_app.test_client()
    planted_token = csrf_token_from(fresh_request(attacker, "GET", "/login").get_data(as_text=True))
    planted = session_cookie(attacker)
    # … and plants that cookie in the organiser's browser, who shops a little, switches
    # to English and logs in through the form that the planted session shows.
    victim = csrf_app.test_client()
    victim.set_cookie(COOKIE, planted)
    form_token = csrf_token_from(fresh_request(victim, "GET", "/login").get_data(as_text=True))
    for path, data in (("/mandje/geldfit", {"intent": "want"}), ("/taal", {"lang": "en"})):
        response = fresh_request(victim, "POST", path, data={**data, "csrf_token": form_token})
        assert response.status_code in (302, 303), path
    fresh_request(
        victim,
        "POST",
        "/login",
        data={"username": "olga", "password": PASSWORD, "csrf_token": form_token},
    )
    assert session_cookie(victim) != planted
    # A new session: the basket of before is gone, the language choice stays.
    assert "Geldfit" not in fresh_request(victim, "GET", "/mandje").get_data(as_text=True)
    start = fresh_request(victim, "GET", "/organisator/").get_data(as_text=True)
    assert "Logged in as olga (organiser)." in start
    # The attacker's cross-site form with the token they know is refused, and changes nothing.
    forged = fresh_request(
        victim, "POST", PURGE, data={"confirm": "y", "csrf_token": planted_token}
    )
    assert forged.status_code == 400
    assert CSRF_WORDS_EN in forged.get_data(as_text=True)
    db.session.remove()
    assert db.session.execute(select(Checkout.visitor_name)).scalars().all() == ["Anna"]
    # The token of a page shown after the login is the one that works now.
    fresh_token = csrf_token_from(fresh_request(victim, "GET", PURGE).get_data(as_text=True))
    assert fresh_token != form_token
    done = fresh_request(victim, "POST", PURGE, data={"confirm": "y", "csrf_token": fresh_token})
    assert done.status_code == 302
    db.session.remove()
    assert db.session.execute(select(Checkout.visitor_name)).scalars().all() == [None]


def test_forms_work_over_https_where_browsers_send_no_referer(make_app, make_user):
    """Every page says `Referrer-Policy: no-referrer`, so a browser's form posts have none."""
    base = "https://popupstore.example.nl"
    app = make_app(WTF_CSRF_ENABLED=True, BASE_URL=base)
    with app.app_context():
        make_user("fien", "facilitator", PASSWORD)
        client = app.test_client()
        page = fresh_request(client, "GET", "/login", base_url=base)
        assert page.headers["Referrer-Policy"] == "no-referrer"
        form = {"username": "fien", "password": PASSWORD}
        # Without the page's token a post is still refused …
        refused = fresh_request(client, "POST", "/login", data=form, base_url=base)
        assert refused.status_code == 400
        # … with it the login goes through, Referer or not.
        form["csrf_token"] = csrf_token_from(page.get_data(as_text=True))
        response = fresh_request(client, "POST", "/login", data=form, base_url=base)
        assert response.status_code == 302
        assert response.headers["Location"] == "/facilitator/"


# --- logout --------------------------------------------------------------------------------


def test_after_logout_a_copied_cookie_opens_nothing_and_is_not_refreshed(app, make_user, store):
    make_user("olga", "organiser", PASSWORD)
    organiser = app.test_client()
    log_in(organiser, "olga")
    # The thief's copy has been idle for a minute: a request would refresh its time.
    with organiser.session_transaction() as session:
        session[STAFF_SEEN_KEY] = int(time.time()) - 60
    stolen = copy_of(app, session_cookie(organiser))
    assert stolen("/organisator/").status_code == 200
    assert fresh_request(organiser, "POST", "/logout").status_code == 302
    for path in ("/organisator/", "/organisator/privacy", "/facilitator/", "/kiosk"):
        answer = stolen(path)
        assert is_login_redirect(answer), (path, answer.status_code)
        assert not sets_session_cookie(answer), path
    # The organiser's own browser is logged out as well and can log in again.
    assert is_login_redirect(fresh_request(organiser, "GET", "/organisator/"))
    log_in(organiser, "olga")
    assert fresh_request(organiser, "GET", "/organisator/").status_code == 200
    assert is_login_redirect(stolen("/organisator/"))


def test_a_logout_ends_every_session_of_that_user_and_no_one_elses(app, make_user):
    make_user("olga", "organiser", PASSWORD)
    make_user("fien", "facilitator", PASSWORD)
    laptop, phone, colleague = (app.test_client() for _ in range(3))
    log_in(laptop, "olga")
    log_in(phone, "olga")
    log_in(colleague, "fien")
    fresh_request(phone, "POST", "/logout")
    assert is_login_redirect(fresh_request(laptop, "GET", "/organisator/"))
    assert fresh_request(colleague, "GET", "/facilitator/").status_code == 200


def test_a_logout_at_one_app_ends_the_session_at_another(make_app, make_user):
    """Two app instances on one database stand for two workers (or two servers)."""
    first, second = make_app(), make_app()
    with first.app_context():
        make_user("olga", "organiser", PASSWORD)
        at_first = first.test_client()
        log_in(at_first, "olga")
        cookie = session_cookie(at_first)
    at_second = second.test_client()
    at_second.set_cookie(COOKIE, cookie)
    assert fresh_request(at_second, "GET", "/organisator/").status_code == 200
    assert fresh_request(at_second, "POST", "/logout").status_code == 302
    assert is_login_redirect(fresh_request(at_first, "GET", "/organisator/"))
    assert is_login_redirect(copy_of(first, cookie)("/organisator/"))


def test_idle_logout_ends_only_the_idle_device(app, make_user):
    make_user("fien", "facilitator", PASSWORD)
    tablet, laptop = app.test_client(), app.test_client()
    log_in(tablet, "fien")
    log_in(laptop, "fien")
    with tablet.session_transaction() as session:
        session[STAFF_SEEN_KEY] = int(time.time()) - 31 * 60
    assert is_login_redirect(fresh_request(tablet, "GET", "/facilitator/"))
    assert fresh_request(laptop, "GET", "/facilitator/").status_code == 200


def test_switching_a_tablet_to_kiosk_mode_ends_its_staff_session_everywhere(app, make_user):
    from popupstore.kiosk.services import set_pin

    set_pin("246810")
    db.session.commit()
    make_user("fien", "facilitator", PASSWORD)
    tablet = app.test_client()
    log_in(tablet, "fien")
    copied = copy_of(app, session_cookie(tablet))
    assert copied("/facilitator/").status_code == 200
    assert fresh_request(tablet, "POST", "/kiosk/aan").headers["Location"] == "/"
    assert is_login_redirect(copied("/facilitator/"))


# --- password change -----------------------------------------------------------------------


def test_set_password_ends_every_session_and_only_the_new_password_works(
    app, runner, make_user, monkeypatch
):
    make_user("olga", "organiser", PASSWORD)
    organiser = app.test_client()
    log_in(organiser, "olga")
    stolen = copy_of(app, session_cookie(organiser))
    assert stolen("/organisator/").status_code == 200
    monkeypatch.setenv("POPUPSTORE_PASSWORD", "een-heel-nieuw-wachtwoord")
    result = runner.invoke(args=["set-password", "olga"])
    assert result.exit_code == 0, result.output
    assert "olga" in result.output
    for client_get in (stolen, lambda path: fresh_request(organiser, "GET", path)):
        answer = client_get("/organisator/")
        assert is_login_redirect(answer)
        assert not sets_session_cookie(answer)
    old = fresh_request(
        app.test_client(), "POST", "/login", data={"username": "olga", "password": PASSWORD}
    )
    assert old.status_code == 200
    log_in(organiser, "olga", "een-heel-nieuw-wachtwoord")
    assert fresh_request(organiser, "GET", "/organisator/").status_code == 200


def test_set_password_prompts_when_the_environment_has_none(app, runner, make_user, monkeypatch):
    make_user("olga", "organiser", PASSWORD)
    monkeypatch.delenv("POPUPSTORE_PASSWORD", raising=False)
    result = runner.invoke(
        args=["set-password", "olga"], input="nog-een-wachtwoord\nnog-een-wachtwoord\n"
    )
    assert result.exit_code == 0, result.output
    log_in(app.test_client(), "olga", "nog-een-wachtwoord")


@pytest.mark.parametrize(("username", "password"), [("niemand", "lang-genoeg-1"), ("olga", "kort")])
def test_a_refused_set_password_exits_2_and_changes_nothing(
    app, runner, make_user, monkeypatch, username, password
):
    make_user("olga", "organiser", PASSWORD)
    organiser = app.test_client()
    log_in(organiser, "olga")
    before = db.session.execute(select(User.password_hash, User.session_version)).one()
    monkeypatch.setenv("POPUPSTORE_PASSWORD", password)
    result = runner.invoke(args=["set-password", username])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1, result.output
    db.session.remove()
    assert db.session.execute(select(User.password_hash, User.session_version)).one() == before
    assert fresh_request(organiser, "GET", "/organisator/").status_code == 200


# --- the staff guard as Flask-Login documents it -------------------------------------------


def test_login_disabled_opens_staff_pages_as_flask_login_documents(make_app, store):
    app = make_app(LOGIN_DISABLED=True)
    with app.app_context():
        client = app.test_client()
        assert fresh_request(client, "GET", "/kiosk").status_code == 200
        # The JSON API's bearer tokens are no Flask-Login matter: still 401 without one.
        api = fresh_request(client, "GET", "/api/v1/events/breda-2026/overlap")
        assert api.status_code == 401
