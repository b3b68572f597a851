"""Chain partners have a work area: the checkout form asks it, and receipts, collaborations
and statistics use it, as the API's `visitor.province` does."""

from __future__ import annotations

import re
from typing import Any

from popupstore.basket.models import Checkout
from popupstore.extensions import db


def form_checkout(client: Any, **visitor: str) -> str:
    """Check out geldfit ('Wil ik') on the web form; returns the receipt page's path."""
    client.post("/mandje/geldfit", data={"intent": "want"})
    html = client.get("/afrekenen").get_data(as_text=True)
    key = re.search(r'name="checkout_key" type="hidden" value="([^"]+)"', html).group(1)
    data = {"name": "Nel", "share_contact": "y", "checkout_key": key, **visitor}
    response = client.post("/afrekenen", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return str(response.headers["Location"])


def test_the_form_asks_the_work_area_of_organisations_that_are_not_municipalities(client, store):
    client.post("/mandje/geldfit", data={"intent": "want"})
    html = client.get("/afrekenen").get_data(as_text=True)
    select = re.search(r'<select[^>]*id="province"[^>]*>.*?</select>', html, re.S).group(0)
    provinces = re.findall(r'<option[^>]*value="([^"]*)"', select)
    assert provinces[0] == "" and len(provinces) == 13 and "Noord-Brabant" in provinces
    assert "Werkgebied (provincie)" in html
    assert "Alleen als je organisatie geen gemeente is" in html


def test_a_partners_work_area_reaches_collaborations_and_statistics(
    client, store, make_checkout, api_token
):
    make_checkout({"geldfit": "want"}, name="Anna", organisation="Breda")
    page = form_checkout(
        client,
        organisation="Alwel",
        organisation_type="woningcorporatie",
        province="Noord-Brabant",
    )
    stored = db.session.execute(db.select(Checkout).where(Checkout.number == 2)).scalar_one()
    assert (stored.organisation_name, stored.organisation_type, stored.province) == (
        "Alwel",
        "woningcorporatie",
        "Noord-Brabant",
    )
    token = page.removeprefix("/r/")
    receipt = client.get(f"/api/v1/receipts/{token}").get_json()
    assert receipt["collaborations"] == [
        {
            "product": "geldfit",
            "province": "Noord-Brabant",
            "organisations": ["Alwel", "Breda"],
            "unnamed": 0,
            "owner": "NVB en partners",
        }
    ]
    html = client.get(page).get_data(as_text=True)
    assert "Noord-Brabant: Alwel, Breda" in html
    headers = {"Authorization": f"Bearer {api_token('organiser')}"}
    stats = client.get("/api/v1/events/breda-2026/stats", headers=headers).get_json()
    assert stats["by_province"] == [{"province": "Noord-Brabant", "checkouts": 2}]


def test_a_municipalitys_own_province_wins_over_a_chosen_work_area(client, store):
    form_checkout(client, organisation="Tilburg", province="Groningen")
    stored = db.session.execute(db.select(Checkout)).scalar_one()
    assert (stored.organisation_type, stored.province) == ("gemeente", "Noord-Brabant")


def test_without_a_work_area_a_partner_stays_onbekend(client, store, api_token):
    form_checkout(client, organisation="Alwel", organisation_type="woningcorporatie")
    headers = {"Authorization": f"Bearer {api_token('organiser')}"}
    stats = client.get("/api/v1/events/breda-2026/stats", headers=headers).get_json()
    assert stats["by_province"] == [{"province": "onbekend", "checkouts": 1}]


def test_an_unknown_work_area_is_refused_at_its_field(client, store):
    client.post("/mandje/geldfit", data={"intent": "want"})
    html = client.get("/afrekenen").get_data(as_text=True)
    key = re.search(r'name="checkout_key" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        "/afrekenen",
        data={"name": "Nel", "organisation": "Alwel", "province": "Brabant", "checkout_key": key},
    )
    assert response.status_code == 422
    assert re.search(r'id="province-error"', response.get_data(as_text=True))
    api = client.post(
        "/api/v1/events/breda-2026/checkouts",
        json={
            "items": [{"product": "geldfit", "intent": "want"}],
            "visitor": {"name": "Nel", "organisation": "Alwel", "province": "Brabant"},
        },
    )
    assert api.status_code == 422
    assert set(api.get_json()["error"]["fields"]) == {"visitor.province"}
