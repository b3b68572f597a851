"""Dutch first, English on request: the language switch, formats and WTForms' own messages."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from popupstore.basket.models import Checkout
from popupstore.extensions import db


def html_of(response) -> str:
    return response.get_data(as_text=True)


def basket_count(html: str) -> int:
    match = re.search(r'id="basket-count"[^>]*>(\d+)<', html)
    assert match, "basket count missing"
    return int(match.group(1))


def test_the_store_speaks_dutch_by_default_whatever_the_browser_asks(client, store):
    html = html_of(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}))
    assert '<html lang="nl">' in html
    assert "Welkom in de pop-up store" in html
    assert "12 november 2026" in html
    assert 'lang="en" class="lang-switch__button" aria-pressed="false">English' in html


def test_switching_to_english_keeps_the_basket_and_the_page(client, store):
    client.post("/mandje/geldfit", data={"intent": "want"})
    response = client.post("/taal", data={"lang": "en", "next": "/producten?thema=digitaal"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/producten?thema=digitaal"
    html = html_of(client.get(response.headers["Location"]))
    assert '<html lang="en">' in html
    assert "Shelf: Digitaal" in html
    assert "We already do this" in html and "Doen we al" not in html
    assert basket_count(html) == 1
    start = html_of(client.get("/"))
    assert "Welcome to the pop-up store" in start
    assert "November 12, 2026" in start
    # And back to Dutch, basket still there.
    client.post("/taal", data={"lang": "nl", "next": "/mandje"})
    html = html_of(client.get("/mandje"))
    assert '<html lang="nl">' in html and "Je mandje" in html
    assert "Geldfit" in html


@pytest.mark.parametrize("target", ["https://example.org/", "//example.org/x", "mandje", ""])
def test_the_switch_never_sends_anyone_off_site(client, store, target):
    response = client.post("/taal", data={"lang": "en", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_an_unknown_language_is_refused_with_a_clear_message(client, store):
    client.post("/mandje/geldfit", data={"intent": "want"})
    response = client.post("/taal", data={"lang": "fr", "next": "/"})
    assert response.status_code == 422
    assert "Kies Nederlands of English." in html_of(response)
    html = html_of(client.get("/"))
    assert '<html lang="nl">' in html and basket_count(html) == 1


def test_the_english_pages_carry_no_dutch_interface_text(client, store):
    client.post("/taal", data={"lang": "en"})
    client.post("/mandje/geldfit", data={"intent": "want"})
    for path in ("/", "/producten", "/product/geldfit", "/mandje", "/afrekenen", "/login"):
        html = html_of(client.get(path))
        for dutch in ("Mandje", "Afrekenen", "Zoeken", "Naar de inhoud", "Alle producten"):
            assert f">{dutch}<" not in html, (path, dutch)
        assert "Skip to content" in html, path


def test_wtforms_builtin_messages_follow_the_language(client, store):
    client.post("/mandje/geldfit", data={"intent": "want"})
    html = html_of(client.get("/afrekenen"))
    key = re.search(r'name="checkout_key" type="hidden" value="([^"]+)"', html).group(1)
    form = {"name": "Anna", "organisation": "Breda", "organisation_type": "bank"}
    response = client.post("/afrekenen", data={**form, "checkout_key": key})
    assert response.status_code == 422
    error = re.search(r'id="organisation_type-error">([^<]*)<', html_of(response)).group(1)
    assert error == "Ongeldige keuze."
    client.post("/taal", data={"lang": "en"})
    response = client.post("/afrekenen", data={**form, "checkout_key": key})
    error = re.search(r'id="organisation_type-error">([^<]*)<', html_of(response)).group(1)
    assert error == "Not a valid choice."


def test_receipt_time_is_shown_in_amsterdam_time_and_the_chosen_language(
    client, store, make_checkout
):
    receipt = make_checkout({"geldfit": "want"})
    checkout = db.session.execute(select(Checkout)).scalar_one()
    checkout.checked_out_at = datetime(2026, 11, 12, 13, 5, tzinfo=UTC)
    db.session.commit()
    path = "/r/" + receipt["token"]
    assert "12 november 2026, 14:05" in html_of(client.get(path))
    client.post("/taal", data={"lang": "en"})
    assert "November 12, 2026, 2:05" in html_of(client.get(path))


def test_numbers_are_written_the_dutch_way(app):
    from flask_babel import format_decimal

    with app.test_request_context("/"):
        assert format_decimal(12345.5) == "12.345,5"
