"""A tap on "Wil ik" or "Doen we al" keeps the visitor where they were: without JavaScript
the answer returns them to the card on the same filtered shelf; the shop's script gets
JSON and updates the card in place. CSRF is checked either way."""

from __future__ import annotations

import re

import pytest

from .test_basket import count_on


def test_without_javascript_the_visitor_returns_to_the_card_on_the_same_shelf(client, store):
    shelf = "/producten?thema=digitaal&q=zelftest"
    response = client.post("/mandje/geldfit", data={"intent": "want", "next": shelf})
    assert response.status_code == 302
    assert response.headers["Location"] == shelf + "#product-geldfit"
    html = client.get(shelf).get_data(as_text=True)
    # The card is there to return to, and the bar near it says what happened.
    assert 'id="product-geldfit"' in html
    bar = re.search(r'<div class="basket-bar[^"]*"[^>]*>.*?</div>\s*</div>\s*</div>', html, re.S)
    assert bar and "is-empty" not in bar.group(0)
    assert "Geldfit staat in je mandje als &#39;Wil ik&#39;." in bar.group(0)
    assert re.search(r"Mandje \(<span data-basket-count>1</span>\)", bar.group(0))
    assert 'href="/afrekenen"' in bar.group(0)
    # That message is shown in the bar, not once more at the top of the page.
    assert 'class="flashes"' not in html


def test_an_old_fragment_in_next_is_replaced_by_the_cards(client, store):
    response = client.post(
        "/mandje/geldfit", data={"intent": "have", "next": "/producten#product-vroegsignalering"}
    )
    assert response.headers["Location"] == "/producten#product-geldfit"


def test_the_shops_script_gets_json_and_no_new_page(client, store):
    response = client.post(
        "/mandje/geldfit",
        data={"intent": "want", "next": "/producten"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "slug": "geldfit",
        "intent": "want",
        "count": 1,
        "count_label": "1 product",
        "message": "Geldfit staat in je mandje als 'Wil ik'.",
    }
    switched = client.post(
        "/mandje/geldfit", data={"intent": "have"}, headers={"Accept": "application/json"}
    )
    assert switched.get_json()["intent"] == "have" and switched.get_json()["count"] == 1
    # The session holds it: the next page shows it chosen, nothing is flashed twice.
    html = client.get("/producten").get_data(as_text=True)
    assert count_on(html) == 1
    card = html[html.index('id="product-geldfit"') :]
    assert re.search(r'value="have">\s*<input[^>]*>\s*<button[^>]*is-chosen', card)
    assert "staat in je mandje" not in html


def test_a_refused_tap_answers_json_with_the_reason(client, store, monkeypatch):
    from popupstore.basket import session

    monkeypatch.setattr(session, "MAX_ITEMS", 1)
    client.post("/mandje/geldfit", data={"intent": "want"})
    response = client.post(
        "/mandje/vroegsignalering", data={"intent": "want"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 422
    assert response.get_json()["message"] == "Je mandje is vol: er passen hoogstens 1 producten in."
    assert response.get_json()["count"] == 1


@pytest.fixture
def csrf_client(make_app, store):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app.test_client()


def test_the_script_sends_the_forms_csrf_token_and_nothing_works_without_it(csrf_client):
    refused = csrf_client.post(
        "/mandje/geldfit", data={"intent": "want"}, headers={"Accept": "application/json"}
    )
    assert refused.status_code == 400
    html = csrf_client.get("/producten").get_data(as_text=True)
    assert count_on(html) == 0
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    accepted = csrf_client.post(
        "/mandje/geldfit",
        data={"intent": "want", "csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert accepted.status_code == 200 and accepted.get_json()["count"] == 1
