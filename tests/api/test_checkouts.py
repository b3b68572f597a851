"""POST /api/v1/events/{slug}/checkouts — the contract, to the letter."""

from __future__ import annotations

import math
import threading

import pytest
from sqlalchemy import func, select

from popupstore.basket.models import BasketLine, Checkout
from popupstore.extensions import db

URL = "/api/v1/events/breda-2026/checkouts"


def body(items=None, **visitor):
    return {
        "items": items
        if items is not None
        else [{"product": "vroegsignalering", "intent": "want"}],
        "visitor": {"name": "Anna", "organisation": "Breda", "share_contact": True, **visitor},
    }


def count_checkouts() -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count(Checkout.id))).scalar_one()


def test_checkout_returns_201_with_contract_shape(client, store):
    response = client.post(URL, json=body(), base_url="http://kiosk.local")
    assert response.status_code == 201
    data = response.get_json()
    assert set(data) == {"number", "token", "receipt_url", "qr_url", "matches", "colleagues"}
    assert data["number"] == 1
    # >= 128 random bits, URL-safe.
    assert len(data["token"]) >= 22
    assert all(c.isalnum() or c in "-_" for c in data["token"])
    assert data["receipt_url"] == f"http://kiosk.local/r/{data['token']}"
    assert data["qr_url"] == f"http://kiosk.local/r/{data['token']}/qr.png"
    assert data["matches"] == [] and data["colleagues"] == []
    assert response.headers["Location"] == f"/api/v1/receipts/{data['token']}"


def test_base_url_setting_is_used_and_trailing_slash_ignored(make_app, load_test_products):
    app = make_app(BASE_URL="https://store.example.nl/")
    with app.app_context():
        from popupstore.catalog.services import load_products
        from popupstore.events.services import create_event

        from ..conftest import TEST_PRODUCTS

        load_products(TEST_PRODUCTS)
        import datetime

        create_event(
            "breda-2026", name="B", city="Breda", date=datetime.date(2026, 1, 1), activate=True
        )
        db.session.commit()
        data = app.test_client().post(URL, json=body()).get_json()
    assert data["receipt_url"] == f"https://store.example.nl/r/{data['token']}"
    assert data["qr_url"] == f"https://store.example.nl/r/{data['token']}/qr.png"


def test_numbers_count_up_and_erased_numbers_are_not_reused(client, store, make_checkout):
    first = make_checkout({"vroegsignalering": "want"})
    second = make_checkout({"geldfit": "have"}, name="Bram")
    assert (first["number"], second["number"]) == (1, 2)
    assert client.delete(f"/api/v1/receipts/{second['token']}").status_code == 204
    third = make_checkout({"geldfit": "have"}, name="Cor")
    assert third["number"] == 3


def test_matches_follow_the_formula(client, store, make_checkout):
    make_checkout(
        {"vroegsignalering": "have", "geldfit": "want"}, name="Anna", organisation="Tilburg"
    )
    make_checkout({"geldfit": "want"}, name="Bram", organisation="Woonstad Rotterdam")
    third = make_checkout(
        {"vroegsignalering": "want", "geldfit": "want"}, name="Cor", organisation="Breda"
    )
    # N = 3; n(vroegsignalering) = 2, n(geldfit) = 3.
    idf_v = math.log(1 + 3 / 2)
    idf_g = math.log(1 + 3 / 3)
    anna = 1.5 * idf_v + 1.0 * idf_g
    bram = 1.0 * idf_g
    assert [(m["number"], m["name"], m["organisation"]) for m in third["matches"]] == [
        (1, "Anna", "Tilburg"),
        (2, "Bram", "Woonstad Rotterdam"),
    ]
    assert third["matches"][0]["score"] == round(anna, 4)
    assert third["matches"][1]["score"] == round(bram, 4)
    assert third["matches"][0]["shared"] == [
        {"product": "geldfit", "mine": "want", "theirs": "want"},
        {"product": "vroegsignalering", "mine": "want", "theirs": "have"},
    ]
    assert third["colleagues"] == []
    db.session.expire_all()
    shown = db.session.execute(select(Checkout.matches_shown).order_by(Checkout.number)).scalars()
    assert list(shown) == [0, 1, 2]


def test_colleagues_are_the_same_organisation_after_normalisation(client, store, make_checkout):
    make_checkout({"geldfit": "want"}, name="Anna", organisation="Den Haag")
    second = make_checkout({"geldfit": "have"}, name="Bram", organisation="  'S-GRAVENHAGE ")
    assert second["matches"] == []
    # Shown by the name the municipality uses itself, compared by its register name.
    assert [(c["name"], c["organisation"]) for c in second["colleagues"]] == [("Anna", "Den Haag")]


def test_visitor_without_consent_never_appears(client, store, make_checkout):
    make_checkout(
        {"geldfit": "want"}, name="Geheime Gerda", organisation="Tilburg", share_contact=False
    )
    seen = make_checkout({"geldfit": "want"}, name="Bram", organisation="Breda")
    assert seen["matches"] == []
    receipt = client.get(f"/api/v1/receipts/{seen['token']}")
    assert "Geheime Gerda" not in receipt.get_data(as_text=True)


def test_unknown_event_is_404_and_inactive_event_is_409(client, store, make_event):
    response = client.post("/api/v1/events/bestaat-niet/checkouts", json=body())
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    make_event("oud", active=False)
    response = client.post("/api/v1/events/oud/checkouts", json=body())
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    # Order: the body is checked before the state.
    response = client.post("/api/v1/events/oud/checkouts", json=body(items=[]))
    assert response.status_code == 422
    assert count_checkouts() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (body(items=[]), "items"),
        (body(items=[{"product": "bestaat-niet", "intent": "want"}]), "items.0.product"),
        (body(items=[{"product": "oude-aanpak", "intent": "want"}]), "items.0.product"),
        (
            body(
                items=[
                    {"product": "geldfit", "intent": "want"},
                    {"product": "geldfit", "intent": "have"},
                ]
            ),
            "items.1.product",
        ),
        (body(items=[{"product": "geldfit", "intent": "maybe"}]), "items.0.intent"),
        (body(items=[{"product": "geldfit", "intent": "want"}] * 51), "items"),
        (body(items="geldfit"), "items"),
        (body(name="   "), "visitor.name"),
        (body(name="x" * 81), "visitor.name"),
        (body(organisation=""), "visitor.organisation"),
        (body(organisation="o" * 121), "visitor.organisation"),
        (body(organisation_type="bank"), "visitor.organisation_type"),
        (body(role="r" * 81), "visitor.role"),
        (body(email="geen-apenstaartje"), "visitor.email"),
        (body(email="@breda.nl"), "visitor.email"),
        (body(email="anna@localhost"), "visitor.email"),
        (body(email="a@b@c.nl"), "visitor.email"),
        (body(share_contact="ja"), "visitor.share_contact"),
        ({"items": [{"product": "geldfit", "intent": "want"}]}, "visitor"),
    ],
)
def test_invalid_checkouts_are_422_with_field_paths(client, store, payload, field):
    response = client.post(URL, json=payload)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"], error
    assert error["message"]
    assert count_checkouts() == 0


def test_optional_fields_may_be_absent_null_or_empty(client, store):
    for extra in (
        {},
        {"email": None, "role": None, "organisation_type": None},
        {"email": "", "role": "", "organisation_type": ""},
    ):
        response = client.post(URL, json=body(**extra))
        assert response.status_code == 201, response.get_json()
    response = client.post(
        URL, json={**body(), "unknown": 1, "visitor": {**body()["visitor"], "x": 2}}
    )
    assert response.status_code == 201


def test_names_are_trimmed(client, store):
    data = client.post(
        URL, json=body(name="  Anna  ", organisation="  gemeente   breda ")
    ).get_json()
    receipt = client.get(f"/api/v1/receipts/{data['token']}").get_json()
    assert receipt["visitor"] == {"name": "Anna", "organisation": "Breda"}


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "bad_request"),
        (b"[1, 2]", "application/json", 400, "bad_request"),
        (b'"text"', "application/json", 400, "bad_request"),
        (b'{"items": "\xff\xfe"}', "application/json", 400, "bad_request"),
        (b"items=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b"{}", "text/plain", 415, "unsupported_media_type"),
        (b"", "application/json", 400, "bad_request"),
    ],
)
def test_unreadable_bodies(client, store, data, content_type, status, code):
    response = client.post(URL, data=data, content_type=content_type)
    assert response.status_code == status
    assert response.is_json
    assert response.get_json()["error"]["code"] == code
    assert count_checkouts() == 0


def test_body_over_256_kib_is_413(client, store):
    big = b'{"pad": "' + b"x" * (256 * 1024) + b'"}'
    response = client.post(URL, data=big, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    # Oversize is checked before the content type.
    response = client.post(URL, data=big, content_type="text/plain")
    assert response.status_code == 413


def test_idempotency_key_replays_the_first_answer(client, store):
    headers = {"Idempotency-Key": "kiosk-1-abc"}
    first = client.post(URL, json=body(), headers=headers)
    again = client.post(URL, json=body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert count_checkouts() == 1
    other = client.post(URL, json=body(name="Bram"), headers=headers)
    assert other.status_code == 409
    assert other.get_json()["error"]["code"] == "conflict"
    assert count_checkouts() == 1
    # Keys are per event and per key: another key is another checkout.
    assert client.post(URL, json=body(), headers={"Idempotency-Key": "k2"}).status_code == 201
    assert count_checkouts() == 2


@pytest.mark.parametrize("key", ["", "x" * 81, "tab\there", "é", "\x7f"])
def test_bad_idempotency_keys_are_422_on_the_header(client, store, key):
    """One check, one answer: the same 422 as a bad field of the body, named by the header."""
    response = client.post(URL, json=body(), headers={"Idempotency-Key": key})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == ["Idempotency-Key"]
    assert count_checkouts() == 0


def test_the_idempotency_key_may_be_80_printable_characters(client, store):
    key = "".join(chr(c) for c in range(0x20, 0x7F))[:80]
    first = client.post(URL, json=body(), headers={"Idempotency-Key": key})
    again = client.post(URL, json=body(), headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert count_checkouts() == 1


def test_same_key_at_the_same_moment_stores_one_checkout(app, store):
    results: list[tuple[int, dict]] = []
    barrier = threading.Barrier(6)

    def send() -> None:
        with app.test_client() as own:
            barrier.wait()
            response = own.post(URL, json=body(), headers={"Idempotency-Key": "race"})
            results.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in results] == [201] * 6
    assert len({data["token"] for _, data in results}) == 1
    assert count_checkouts() == 1


def test_concurrent_checkouts_get_unique_gap_free_numbers(app, store):
    numbers: list[int] = []
    barrier = threading.Barrier(8)

    def send(index: int) -> None:
        with app.test_client() as own:
            barrier.wait()
            for turn in range(3):
                response = own.post(URL, json=body(name=f"V{index}-{turn}"))
                assert response.status_code == 201, response.get_json()
                numbers.append(response.get_json()["number"])

    threads = [threading.Thread(target=send, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == list(range(1, 25))
    db.session.expire_all()
    lines = db.session.execute(select(func.count(BasketLine.id))).scalar_one()
    assert lines == 24
