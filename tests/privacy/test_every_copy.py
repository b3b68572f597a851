"""The three promises hold in every copy the store makes: the replay store, every worker's
kept pages and match index, collaborations, staff screens, exports, the files and the log.

Two apps on one database stand for two workers (or two servers): what one changes, the
other shows at once (the tests read versions without delay, FRESHNESS_SECONDS = 0).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text, update

from popupstore.basket.models import IdempotencyRecord
from popupstore.db import utcnow
from popupstore.extensions import db

from ..security.conftest import fresh_request
from .conftest import text_columns_holding
from .test_purge import stored_bytes

URL = "/api/v1/events/breda-2026/checkouts"


def body(name: str, organisation: str, items: dict[str, str], **visitor: Any) -> dict[str, Any]:
    return {
        "items": [{"product": p, "intent": i} for p, i in items.items()],
        "visitor": {"name": name, "organisation": organisation, "share_contact": True, **visitor},
    }


def post(client: Any, payload: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return fresh_request(client, "POST", URL, json=payload, headers=headers)


def page(client: Any, url: str) -> str:
    response = fresh_request(client, "GET", url)
    assert response.status_code == 200, (url, response.status_code)
    return str(response.get_data(as_text=True))


@pytest.fixture
def workers(make_app: Callable[..., Flask], store: Any) -> tuple[Flask, Flask]:
    """Two workers on one database, as gunicorn runs them."""
    return make_app(), make_app()


# --- the replay store -----------------------------------------------------------------------


def test_the_replay_store_keeps_no_name_email_or_clear_token(app, client, store):
    canary = "Kanarie" + secrets.token_hex(4)
    email = f"{canary.lower()}@breda.nl"
    answer = post(client, body(canary, "Breda", {"geldfit": "want"}, email=email), key="k-1")
    assert answer.status_code == 201
    token = answer.get_json()["token"]
    # The kiosk's double-tap guard writes a record too.
    kiosk = app.test_client()
    fresh_request(kiosk, "POST", "/mandje/geldfit", data={"intent": "want"})
    form = {"name": canary + "K", "organisation": "Tilburg", "email": "k" + email}
    fresh_request(kiosk, "GET", "/afrekenen")
    assert fresh_request(kiosk, "POST", "/afrekenen", data=form).status_code == 302
    records = db.session.execute(select(IdempotencyRecord)).scalars().all()
    assert len(records) == 2
    # Only the checkouts' own rows hold the name and e-mail address.
    assert sorted(text_columns_holding(canary)) == ["checkout.email", "checkout.visitor_name"]
    for record in records:
        stored = b"".join(
            str(value).encode() if not isinstance(value, bytes) else value
            for value in (record.key_digest, record.request_digest, record.token_sealed)
        )
        assert token.encode() not in stored
        assert b"k-1" not in stored
    db.session.rollback()
    # Nowhere in the database's files is the token in clear text.
    assert token.encode() not in stored_bytes()


def test_a_replay_answers_with_todays_matches_and_after_erasure_is_a_404(client, store):
    anna = body("Anna", "Breda", {"geldfit": "want"})
    first = post(client, anna, key="anna-1")
    assert first.status_code == 201 and first.get_json()["matches"] == []
    xena = post(client, body("Xena Wisbaar", "Tilburg", {"geldfit": "have"}))
    assert xena.status_code == 201
    again = post(client, anna, key="anna-1")
    assert again.status_code == 201
    data = again.get_json()
    assert (data["number"], data["token"]) == (1, first.get_json()["token"])
    assert [m["name"] for m in data["matches"]] == ["Xena Wisbaar"]
    # Xena erases: Anna's replay no longer names her.
    xena_token = xena.get_json()["token"]
    assert fresh_request(client, "DELETE", f"/api/v1/receipts/{xena_token}").status_code == 204
    after = post(client, anna, key="anna-1").get_json()
    assert after["matches"] == [] and "Xena" not in str(after)
    # Anna erases: her replay is a 404 and stores nothing new.
    token = first.get_json()["token"]
    assert fresh_request(client, "DELETE", f"/api/v1/receipts/{token}").status_code == 204
    gone = post(client, anna, key="anna-1")
    assert gone.status_code == 404
    assert gone.get_json()["error"]["code"] == "not_found"
    count = db.session.execute(text("SELECT COUNT(*) FROM checkout")).scalar_one()
    assert count == 0
    db.session.rollback()


def test_replay_records_are_forgotten_after_24_hours(app, client, store, runner):
    anna = body("Anna", "Breda", {"geldfit": "want"})
    first = post(client, anna, key="day-old").get_json()
    db.session.execute(
        update(IdempotencyRecord).values(created_at=utcnow() - timedelta(hours=24, minutes=1))
    )
    db.session.commit()
    # An expired key is a new checkout, and cron's purge-expired removes old records.
    second = post(client, anna, key="day-old").get_json()
    assert second["number"] == first["number"] + 1
    db.session.execute(update(IdempotencyRecord).values(created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    assert runner.invoke(args=["purge-expired"]).exit_code == 0
    db.session.remove()
    assert db.session.execute(select(IdempotencyRecord)).first() is None


# --- erasure and purge reach every worker's copies ------------------------------------------


def test_an_erasure_on_one_worker_leaves_no_trace_on_the_other(workers):
    first, second = workers
    a, b = first.test_client(), second.test_client()
    anna = post(a, body("Anna", "Breda", {"geldfit": "want", "vroegsignalering": "want"}))
    xena = post(a, body("Xena Wisbaar", "Tilburg", {"geldfit": "have"}))
    anna_url = f"/r/{anna.get_json()['token']}"
    # Both workers keep Anna's rendered receipt page (it names Xena) and their match index.
    for client in (a, b):
        assert "Xena Wisbaar" in page(client, anna_url)
        assert "Xena Wisbaar" in page(client, anna_url + "/partners")
    xena_token = xena.get_json()["token"]
    assert fresh_request(b, "DELETE", f"/api/v1/receipts/{xena_token}").status_code == 204
    for client in (a, b):
        assert "Xena" not in page(client, anna_url)
        assert "Xena" not in page(client, anna_url + "/partners")
        receipt = fresh_request(client, "GET", f"/api/v1{anna_url.replace('/r/', '/receipts/')}")
        assert "Xena" not in receipt.get_data(as_text=True)
        assert fresh_request(client, "GET", f"/r/{xena_token}").status_code == 404


def test_a_purge_leaves_nothing_personal_in_pages_exports_files_or_log(
    workers, runner, api_token, client_as, caplog
):
    caplog.set_level(logging.DEBUG)
    canary = "Kanarie" + secrets.token_hex(4)
    first, second = workers
    a, b = first.test_client(), second.test_client()
    tokens = []
    for index, (organisation, items) in enumerate(
        [("Breda", {"geldfit": "want"}), ("Tilburg", {"geldfit": "have"}), ("Alwel", {})]
    ):
        payload = body(
            f"{canary} {index}",
            organisation,
            items or {"geldfit": "want"},
            email=f"{canary.lower()}{index}@example.nl",
        )
        answer = post(a, payload, key=f"purge-{index}")
        assert answer.status_code == 201
        tokens.append(answer.get_json()["token"])
    for client in (a, b):
        assert canary in page(client, f"/r/{tokens[0]}")
    assert runner.invoke(args=["purge-personal-data", "breda-2026"]).exit_code == 0
    for client in (a, b):
        for token in tokens:
            assert fresh_request(client, "GET", f"/r/{token}").status_code == 404
            assert fresh_request(client, "GET", f"/r/{token}/partners").status_code == 404
            assert fresh_request(client, "GET", f"/r/{token}/qr.png").status_code == 404
    organiser = client_as("organiser")
    token = api_token("organiser")
    headers = {"Authorization": f"Bearer {token}"}
    seen = [
        page(organiser, url)
        for url in (
            "/facilitator/evenement/breda-2026",
            "/facilitator/evenement/breda-2026/overlap",
            "/facilitator/evenement/breda-2026/gesprekken",
            "/facilitator/evenement/breda-2026/samenwerking",
            "/facilitator/evenement/breda-2026/wand",
            "/organisator/exports/contactlijst?format=csv",
        )
    ]
    for fmt in ("csv", "json", "xlsx"):
        answer = fresh_request(b, "GET", f"/api/v1/export?format={fmt}", headers=headers)
        assert answer.status_code == 200
        seen.append(answer.get_data().decode("latin-1"))
    assert not [text for text in seen if canary in text or canary.lower() in text]
    db.session.remove()
    # The checkouts that stay are anonymous; nothing holds the canary, nor the tokens.
    assert text_columns_holding(canary) == []
    stored = stored_bytes()
    assert canary.encode() not in stored and canary.lower().encode() not in stored
    assert not any(token.encode() in stored for token in tokens)
    assert canary not in caplog.text and not any(token in caplog.text for token in tokens)


# --- consent ----------------------------------------------------------------------------------


def test_collaborations_count_but_never_name_a_visitor_without_consent(client, store, client_as):
    anna = post(client, body("Anna", "Breda", {"geldfit": "want"})).get_json()
    post(client, body("Stil", "Tilburg", {"geldfit": "want"}, share_contact=False))
    post(client, body("Open", "Eindhoven", {"geldfit": "want"}))
    receipt = fresh_request(client, "GET", f"/api/v1/receipts/{anna['token']}").get_json()
    assert receipt["collaborations"] == [
        {
            "product": "geldfit",
            "province": "Noord-Brabant",
            "organisations": ["Breda", "Eindhoven"],
            "unnamed": 1,
            "owner": "NVB en partners",
        }
    ]
    html = page(client, f"/r/{anna['token']}")
    assert "Eindhoven" in html and "Tilburg" not in html
    staff_page = page(client_as("facilitator"), "/facilitator/evenement/breda-2026/samenwerking")
    assert "Eindhoven" in staff_page and "Tilburg" not in staff_page


def test_the_visitors_own_organisation_is_named_even_without_consent(client, store):
    own = post(client, body("Stil", "Tilburg", {"geldfit": "want"}, share_contact=False)).get_json()
    post(client, body("Anna", "Breda", {"geldfit": "want"}))
    receipt = fresh_request(client, "GET", f"/api/v1/receipts/{own['token']}").get_json()
    assert receipt["collaborations"][0]["organisations"] == ["Breda", "Tilburg"]
    assert receipt["collaborations"][0]["unnamed"] == 0


def test_purged_visitors_are_nobodys_partner(client, store, runner, client_as):
    post(client, body("Anna", "Eindhoven", {"geldfit": "want"}))
    assert runner.invoke(args=["purge-personal-data", "breda-2026"]).exit_code == 0
    later = post(client, body("Bram", "Tilburg", {"geldfit": "want"})).get_json()
    assert later["matches"] == [] and later["colleagues"] == []
    receipt = fresh_request(client, "GET", f"/api/v1/receipts/{later['token']}").get_json()
    # Eindhoven still counts (its basket stays as anonymous data) but is no longer named.
    assert receipt["collaborations"] == [
        {
            "product": "geldfit",
            "province": "Noord-Brabant",
            "organisations": ["Tilburg"],
            "unnamed": 1,
            "owner": "NVB en partners",
        }
    ]
    assert "Eindhoven" not in page(client, f"/r/{later['token']}")
    overview = page(client_as("facilitator"), "/facilitator/evenement/breda-2026")
    assert "Eindhoven" not in overview
