"""Kiosk mode: switched on by staff, left only with the PIN, forgetting each visitor."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from popupstore.extensions import db
from popupstore.kiosk.models import KioskPin
from popupstore.kiosk.services import KIOSK_COOKIE

from .conftest import PIN


def html_of(response) -> str:
    return response.get_data(as_text=True)


def basket_count(html: str) -> int:
    return int(re.search(r'id="basket-count"[^>]*>(\d+)<', html).group(1))


def stored_hashes() -> list[str]:
    db.session.expire_all()
    return list(db.session.execute(select(KioskPin.pin_hash)).scalars())


# --- the PIN on the command line -----------------------------------------------------------


def test_set_kiosk_pin_stores_only_a_hash(app, runner, monkeypatch):
    monkeypatch.setenv("POPUPSTORE_KIOSK_PIN", "1357")
    result = runner.invoke(args=["set-kiosk-pin"])
    assert result.exit_code == 0, result.output
    [hashed] = stored_hashes()
    assert "1357" not in hashed and check_password_hash(hashed, "1357")
    assert "1357" not in result.output
    # Setting it again replaces the one PIN.
    monkeypatch.setenv("POPUPSTORE_KIOSK_PIN", "97531")
    assert runner.invoke(args=["set-kiosk-pin"]).exit_code == 0
    [hashed] = stored_hashes()
    assert check_password_hash(hashed, "97531") and not check_password_hash(hashed, "1357")


def test_set_kiosk_pin_prompts_twice_when_not_in_the_environment(app, runner, monkeypatch):
    monkeypatch.delenv("POPUPSTORE_KIOSK_PIN", raising=False)
    result = runner.invoke(args=["set-kiosk-pin"], input="8642\n8642\n")
    assert result.exit_code == 0, result.output
    assert check_password_hash(stored_hashes()[0], "8642")


@pytest.mark.parametrize("bad", ["123", "1234567890123", "12a4", " 1234", "١٢٣٤"])
def test_a_bad_pin_exits_2_and_stores_nothing(app, runner, monkeypatch, bad):
    monkeypatch.setenv("POPUPSTORE_KIOSK_PIN", bad)
    result = runner.invoke(args=["set-kiosk-pin"])
    assert result.exit_code == 2
    assert "4 tot 12 cijfers" in result.output
    assert stored_hashes() == []


def test_the_pin_may_come_from_the_configuration(make_app):
    from werkzeug.security import generate_password_hash

    from popupstore.kiosk.services import pin_is_set, pin_matches

    app = make_app(KIOSK_PIN_HASH=generate_password_hash("4321"))
    with app.test_request_context("/"):
        assert pin_is_set()
        assert pin_matches("4321") and not pin_matches("1234")


# --- switching kiosk mode on ---------------------------------------------------------------


def test_the_kiosk_page_is_for_staff_only(client, store):
    response = client.get("/kiosk")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.post("/kiosk/aan").status_code == 302
    assert client.get_cookie(KIOSK_COOKIE) is None


def test_without_a_pin_kiosk_mode_cannot_be_switched_on(client, store, login):
    login("facilitator")
    html = html_of(client.get("/kiosk"))
    assert "popupstore set-kiosk-pin" in html and "/kiosk/aan" not in html
    response = client.post("/kiosk/aan")
    assert response.headers["Location"] == "/kiosk"
    assert client.get_cookie(KIOSK_COOKIE) is None
    assert "Stel eerst een PIN in" in html_of(client.get("/kiosk"))


def test_switching_on_logs_staff_out_and_marks_the_device(client, store, turn_kiosk_on):
    turn_kiosk_on()
    cookie = client.get_cookie(KIOSK_COOKIE)
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"
    assert cookie.expires is not None
    html = html_of(client.get("/"))
    assert "Dit apparaat staat nu in kioskmodus." in html
    assert 'data-kiosk="on"' in html and "/static/js/kiosk.js" in html
    assert 'id="idle-dialog"' in html and "Ben je er nog?" in html
    # Staff links are gone; only the unlock remains.
    assert "/login" not in html and "/facilitator/" not in html
    assert 'href="/kiosk/ontgrendelen"' in html


@pytest.mark.parametrize("path", ["/login", "/facilitator/", "/kiosk", "/api/v1/products"])
def test_on_a_kiosk_staff_pages_ask_for_the_pin(client, store, turn_kiosk_on, path):
    turn_kiosk_on()
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/kiosk/ontgrendelen"


@pytest.mark.parametrize("path", ["/", "/producten", "/product/geldfit", "/mandje", "/gewist"])
def test_on_a_kiosk_the_shop_stays_open(client, store, turn_kiosk_on, path):
    turn_kiosk_on()
    assert client.get(path).status_code == 200


def test_a_forged_kiosk_cookie_is_ignored(client, store):
    client.set_cookie(KIOSK_COOKIE, '{"kiosk": true}')
    html = html_of(client.get("/"))
    assert 'data-kiosk="on"' not in html and "/static/js/kiosk.js" not in html
    assert client.get("/login").status_code == 200


def test_a_phone_gets_no_idle_reset(client, store):
    html = html_of(client.get("/"))
    assert 'data-kiosk="on"' not in html
    assert 'id="idle-dialog"' not in html and "kiosk.js" not in html


def test_the_idle_time_comes_from_the_configuration(make_app, store, login, kiosk_pin):
    app = make_app(KIOSK_IDLE_SECONDS=7, KIOSK_WARNING_SECONDS=3)
    client = app.test_client()
    from popupstore.auth.services import create_user

    with app.app_context():
        create_user("tablet-staff", "geheim-wachtwoord", "facilitator")
        db.session.commit()
    client.post("/login", data={"username": "tablet-staff", "password": "geheim-wachtwoord"})
    client.post("/kiosk/aan")
    html = html_of(client.get("/"))
    assert 'data-idle-seconds="7"' in html and 'data-warning-seconds="3"' in html
    assert "Als de 3 seconden om zijn, begint de winkel opnieuw" in html


# --- leaving kiosk mode with the PIN -------------------------------------------------------


def test_the_right_pin_switches_kiosk_mode_off(client, store, turn_kiosk_on):
    turn_kiosk_on()
    assert "PIN van de facilitator" in html_of(client.get("/kiosk/ontgrendelen"))
    response = client.post("/kiosk/ontgrendelen", data={"pin": PIN})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get_cookie(KIOSK_COOKIE) is None
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize("wrong", ["000000", "", "12", "abcdef", "2468101", "x" * 500])
def test_a_wrong_pin_changes_nothing(client, store, turn_kiosk_on, wrong):
    turn_kiosk_on()
    response = client.post("/kiosk/ontgrendelen", data={"pin": wrong})
    assert response.status_code == 422
    html = html_of(response)
    error = re.search(r'<p class="field__error" id="pin-error">([^<]*)</p>', html)
    assert error and error.group(1)
    assert 'aria-describedby="pin-hint pin-error"' in html
    assert client.get_cookie(KIOSK_COOKIE) is not None
    assert client.get("/login").headers["Location"] == "/kiosk/ontgrendelen"


def test_wrong_pins_are_rate_limited(make_app, store, kiosk_pin):
    app = make_app(RATELIMIT_KIOSK_PIN="3 per minute")
    client = app.test_client()
    from flask import Response

    from popupstore.kiosk.services import KIOSK_COOKIE as NAME
    from popupstore.kiosk.services import turn_kiosk_on

    with app.test_request_context("/"):
        marked = Response()
        turn_kiosk_on(marked)
    cookie = marked.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    client.set_cookie(NAME, cookie)
    for _ in range(3):
        assert client.post("/kiosk/ontgrendelen", data={"pin": "999999"}).status_code == 422
    blocked = client.post("/kiosk/ontgrendelen", data={"pin": PIN})
    assert blocked.status_code == 429
    assert "Te veel pogingen" in html_of(blocked)
    assert client.get_cookie(NAME) is not None


def test_unlock_on_a_device_that_is_no_kiosk_leads_to_the_login(client, store):
    response = client.get("/kiosk/ontgrendelen")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


# --- forgetting the visitor ----------------------------------------------------------------


def test_the_kiosk_reset_forgets_basket_receipt_and_language(client, store, turn_kiosk_on):
    turn_kiosk_on()
    client.post("/taal", data={"lang": "en"})
    client.post("/mandje/geldfit", data={"intent": "want"})
    assert basket_count(html_of(client.get("/"))) == 1
    response = client.post("/kiosk/opnieuw")
    assert response.status_code == 303 and response.headers["Location"] == "/"
    html = html_of(client.get("/"))
    assert basket_count(html) == 0 and '<html lang="nl">' in html
    assert client.get_cookie(KIOSK_COOKIE) is not None


def test_done_on_a_kiosk_starts_the_next_visitor_in_dutch(client, store, turn_kiosk_on):
    turn_kiosk_on()
    client.post("/taal", data={"lang": "en"})
    client.post("/klaar")
    assert '<html lang="nl">' in html_of(client.get("/"))


def test_done_on_a_phone_keeps_the_language(client, store):
    client.post("/taal", data={"lang": "en"})
    client.post("/klaar")
    assert '<html lang="en">' in html_of(client.get("/"))


def test_a_kiosk_shows_only_the_receipt_of_the_visitor_at_hand(
    client, store, turn_kiosk_on, make_checkout
):
    earlier = make_checkout({"geldfit": "want"}, name="Bram")
    turn_kiosk_on()
    assert client.get(f"/r/{earlier['token']}").status_code == 404
    assert client.get(f"/r/{earlier['token']}/wissen").status_code == 404
    client.post("/mandje/geldfit", data={"intent": "have"})
    html = html_of(client.get("/afrekenen"))
    key = re.search(r'name="checkout_key" type="hidden" value="([^"]+)"', html).group(1)
    form = {"name": "Anna", "organisation": "Tilburg", "checkout_key": key}
    assert client.post("/afrekenen", data=form).headers["Location"] == "/kassabon"
    receipt = html_of(client.get("/kassabon"))
    # No link that would leave the receipt in the tablet's history.
    assert "Open je bon op dit apparaat" not in receipt
    token = re.search(r"/r/([A-Za-z0-9_-]+)/qr\.png", receipt).group(1)
    assert "Anna" in html_of(client.get(f"/r/{token}"))
    client.post("/klaar")
    assert client.get(f"/r/{token}").status_code == 404


@pytest.mark.parametrize("suffix", ["", "/partners", "/qr.png", "/wissen"])
def test_after_klaar_no_route_of_the_previous_receipt_answers_in_the_kiosk(
    client, store, turn_kiosk_on, suffix
):
    turn_kiosk_on()
    client.post("/mandje/geldfit", data={"intent": "have"})
    html = html_of(client.get("/afrekenen"))
    key = re.search(r'name="checkout_key" type="hidden" value="([^"]+)"', html).group(1)
    client.post("/afrekenen", data={"name": "Anna", "organisation": "Tilburg", "checkout_key": key})
    token = re.search(r"/r/([A-Za-z0-9_-]+)/qr\.png", html_of(client.get("/kassabon"))).group(1)
    assert client.get(f"/r/{token}{suffix}").status_code == 200
    client.post("/klaar")
    assert client.get(f"/r/{token}{suffix}").status_code == 404


def test_the_booth_tablet_keeps_the_receipt_with_klaar_and_asks_no_one_to_keep_a_link(
    client, store, turn_kiosk_on
):
    turn_kiosk_on()
    client.post("/mandje/geldfit", data={"intent": "have"})
    html = html_of(client.get("/afrekenen"))
    key = re.search(r'name="checkout_key" type="hidden" value="([^"]+)"', html).group(1)
    form = {"name": "Anna", "organisation": "Tilburg", "checkout_key": key}
    assert client.post("/afrekenen", data=form).headers["Location"] == "/kassabon"
    receipt = html_of(client.get("/kassabon"))
    assert "Klaar — volgende bezoeker" in receipt and 'class="qr"' in receipt
    assert "bewaar deze link" not in receipt
    token = re.search(r"/r/([A-Za-z0-9_-]+)/qr\.png", receipt).group(1)
    # Its own receipt page, opened on the tablet, does not ask to keep the link either.
    assert "bewaar deze link" not in html_of(client.get(f"/r/{token}"))
