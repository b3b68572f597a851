"""The basket in the visitor's session."""

from __future__ import annotations

import re

from flask import Flask


def count_on(html: str) -> int:
    match = re.search(r'id="basket-count"[^>]*>(\d+)<', html)
    assert match, "basket count missing"
    return int(match.group(1))


def put(client, slug: str, intent: str):
    return client.post(f"/mandje/{slug}", data={"intent": intent, "next": "/mandje"})


def test_add_switch_and_remove(client, store):
    assert count_on(client.get("/").get_data(as_text=True)) == 0
    response = put(client, "geldfit", "want")
    assert response.status_code == 302
    assert response.headers["Location"] == "/mandje#product-geldfit"
    put(client, "vroegsignalering", "have")
    html = client.get("/mandje").get_data(as_text=True)
    assert count_on(html) == 2
    assert "Geldfit" in html and "Vroegsignalering" in html
    # Switching the intent keeps one line per product.
    put(client, "geldfit", "have")
    html = client.get("/mandje").get_data(as_text=True)
    assert count_on(html) == 2
    geldfit = html[html.index("Geldfit") :]
    assert re.search(
        r'value="have">\s*<input type="hidden" name="next"[^>]*>\s*<button[^>]*is-chosen', geldfit
    )
    client.post("/mandje/geldfit/verwijderen", data={"next": "/mandje"})
    html = client.get("/producten").get_data(as_text=True)
    assert count_on(html) == 1


def test_unknown_or_retired_products_cannot_be_added(client, store):
    assert put(client, "oude-aanpak", "want").status_code == 404
    assert put(client, "nope", "want").status_code == 404
    response = put(client, "geldfit", "maybe")
    assert response.status_code == 302
    assert count_on(client.get("/").get_data(as_text=True)) == 0


def test_next_only_goes_to_local_paths(client, store):
    response = client.post(
        "/mandje/geldfit", data={"intent": "want", "next": "https://evil.example/"}
    )
    assert response.headers["Location"] == "/product/geldfit"
    response = client.post("/mandje/geldfit", data={"intent": "want", "next": "//evil.example/"})
    assert response.headers["Location"] == "/product/geldfit"


def test_basket_survives_a_server_restart(make_app, store, client):
    put(client, "geldfit", "want")
    cookie = client.get_cookie("popupstore_session")
    assert cookie is not None
    restarted: Flask = make_app()
    with restarted.app_context():
        other = restarted.test_client()
        other.set_cookie("popupstore_session", cookie.value)
        html = other.get("/mandje").get_data(as_text=True)
    assert count_on(html) == 1
    assert "Geldfit" in html


def test_basket_has_a_size_limit(client, app, store, monkeypatch):
    from popupstore.basket import session

    monkeypatch.setattr(session, "MAX_ITEMS", 2)
    put(client, "geldfit", "want")
    put(client, "vroegsignalering", "want")
    response = put(client, "gemeentepolis", "want")
    assert response.status_code == 302
    html = client.get("/mandje").get_data(as_text=True)
    assert count_on(html) == 2
