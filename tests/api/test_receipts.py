"""Receipts: GET recomputes, DELETE erases (contract §4)."""

from __future__ import annotations

import math

from sqlalchemy import select

from popupstore.basket.models import Checkout, IdempotencyRecord
from popupstore.extensions import db


def test_receipt_shape_and_later_visitors_appear(client, store, make_checkout):
    first = make_checkout(
        {"geldfit": "want", "vroegsignalering": "have"}, name="Anna", organisation="Breda"
    )
    receipt = client.get(f"/api/v1/receipts/{first['token']}")
    assert receipt.status_code == 200
    data = receipt.get_json()
    assert data == {
        "number": 1,
        "event": {"slug": "breda-2026", "name": "Samen Organiseren Breda"},
        "items": [
            {"product": "geldfit", "intent": "want"},
            {"product": "vroegsignalering", "intent": "have"},
        ],
        "visitor": {"name": "Anna", "organisation": "Breda"},
        "matches": [],
        "colleagues": [],
        "collaborations": [],
        "series_matches": [],
    }
    make_checkout({"geldfit": "want"}, name="Bram", organisation="Tilburg")
    data = client.get(f"/api/v1/receipts/{first['token']}").get_json()
    # N = 2, n(geldfit) = 2: idf = ln 2, want-want.
    assert data["matches"] == [
        {
            "number": 2,
            "name": "Bram",
            "organisation": "Tilburg",
            "score": round(math.log(2), 4),
            "shared": [{"product": "geldfit", "mine": "want", "theirs": "want"}],
        }
    ]
    # Breda and Tilburg are both in Noord-Brabant and both want geldfit.
    assert data["collaborations"] == [
        {
            "product": "geldfit",
            "province": "Noord-Brabant",
            "organisations": ["Breda", "Tilburg"],
            "unnamed": 0,
            "owner": "NVB en partners",
        }
    ]


def test_unknown_token_is_404(client, store):
    response = client.get("/api/v1/receipts/not-a-real-token")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert client.delete("/api/v1/receipts/not-a-real-token").status_code == 404


def test_delete_erases_and_the_checkout_counts_nowhere(client, store, make_checkout, api_token):
    a = make_checkout({"geldfit": "want"}, name="Anna", organisation="Breda")
    b = make_checkout(
        {"geldfit": "want", "vroegsignalering": "want"},
        name="Bram",
        organisation="Tilburg",
    )
    c = client.post(
        "/api/v1/events/breda-2026/checkouts",
        json={
            "items": [{"product": "vroegsignalering", "intent": "have"}],
            "visitor": {"name": "Cor", "organisation": "Utrecht", "share_contact": True},
        },
        headers={"Idempotency-Key": "cor"},
    ).get_json()
    before = client.get(f"/api/v1/receipts/{a['token']}").get_json()
    assert before["matches"][0]["score"] == round(math.log(1 + 3 / 2), 4)

    assert client.delete(f"/api/v1/receipts/{c['token']}").status_code == 204
    assert client.get(f"/api/v1/receipts/{c['token']}").status_code == 404
    assert client.delete(f"/api/v1/receipts/{c['token']}").status_code == 404
    # N is 2 again: ln(1 + 2/2).
    after = client.get(f"/api/v1/receipts/{a['token']}").get_json()
    assert after["matches"][0]["score"] == round(math.log(2), 4)
    overlap = client.get(
        "/api/v1/events/breda-2026/overlap",
        headers={"Authorization": f"Bearer {api_token('facilitator')}"},
    ).get_json()
    assert overlap["checkouts"] == 2
    assert {"product": "vroegsignalering", "want": 1, "have": 0} in overlap["products"]
    db.session.expire_all()
    stored = db.session.execute(select(Checkout.visitor_name)).scalars().all()
    assert sorted(stored) == ["Anna", "Bram"]
    # The erased checkout's key stays used (a replay is a 404), with nothing of it kept.
    records = db.session.execute(select(IdempotencyRecord)).scalars().all()
    assert [(r.checkout_id, r.token_sealed) for r in records] == [(None, b"")]
    assert b["number"] == 2
