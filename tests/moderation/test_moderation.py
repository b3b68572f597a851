"""Facilitators hide spam: a flood of fake checkouts and agreements, gone everywhere at once,
logged with who and when, and back with one tap."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select

from popupstore.extensions import db
from popupstore.moderation.models import ModerationAction

from ..security.conftest import fresh_request

EVENT = "/facilitator/evenement/breda-2026"
FLOOD = 12
SPAM = "Bel 0900-1234"


def flood(make_checkout: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    real = make_checkout({"geldfit": "want", "vroegsignalering": "want"}, name="Anna")
    spam = [
        make_checkout(
            {"geldfit": "have", "vroegsignalering": "have"},
            name=f"{SPAM} {index}",
            organisation=f"Spamco {index}",
        )
        for index in range(FLOOD)
    ]
    return real, spam


def test_a_flood_is_hidden_from_matching_receipts_wall_stats_and_exports(
    client, store, make_checkout, login, api_token
):
    real, spam = flood(make_checkout)
    receipt = client.get(f"/api/v1/receipts/{real['token']}").get_json()
    assert len(receipt["matches"]) == 5 and all(SPAM in m["name"] for m in receipt["matches"])
    login("facilitator")
    overlap = client.get(f"{EVENT}/overlap").get_data(as_text=True)
    assert f"{SPAM} 0" in overlap
    for answer in spam:
        response = client.post(f"{EVENT}/bon/{answer['number']}/verbergen")
        assert response.status_code == 302
    receipt = client.get(f"/api/v1/receipts/{real['token']}").get_json()
    assert receipt["matches"] == []
    assert SPAM not in client.get(f"/r/{real['token']}").get_data(as_text=True)
    # One checkout is left everywhere it is counted.
    headers = {"Authorization": f"Bearer {api_token('organiser')}"}
    stats = fresh_request(client, "GET", "/api/v1/events/breda-2026/stats", headers=headers)
    assert stats.get_json()["checkouts"] == 1
    overlap_api = fresh_request(
        client, "GET", "/api/v1/events/breda-2026/overlap", headers=headers
    ).get_json()
    assert overlap_api["checkouts"] == 1
    export = fresh_request(
        client, "GET", "/api/v1/events/breda-2026/export?format=csv", headers=headers
    ).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(export.lstrip("\ufeff"))))
    assert {row["number"] for row in rows} == {str(real["number"])}
    wall = client.get(f"{EVENT}/wand/live").get_data(as_text=True)
    assert "1 bon" in wall and "Spamco" not in wall
    # A spammer's own receipt still opens for them, but they see nobody of the flood either.
    own = client.get(f"/api/v1/receipts/{spam[0]['token']}").get_json()
    assert [m["number"] for m in own["matches"]] == [real["number"]]
    # The log says who hid what and when; nothing was deleted.
    actions = db.session.execute(select(ModerationAction)).scalars().all()
    assert len(actions) == FLOOD
    assert {(a.target, a.action, a.staff_username) for a in actions} == {
        ("checkout", "hide", "staff-facilitator")
    }
    assert all(a.created_at is not None for a in actions)
    db.session.rollback()
    # One tap brings a checkout back.
    assert client.post(f"{EVENT}/bon/{spam[0]['number']}/tonen").status_code == 302
    receipt = client.get(f"/api/v1/receipts/{real['token']}").get_json()
    assert [m["number"] for m in receipt["matches"]] == [spam[0]["number"]]


def test_a_hidden_agreement_leaves_the_wall_and_the_receipts(client, store, make_checkout, login):
    anna = make_checkout({"geldfit": "want"}, name="Anna")
    make_checkout({"geldfit": "have"}, name="Bram", organisation="Tilburg")
    text = f"{SPAM} voor een gratis lening"
    response = client.post(
        f"/r/{anna['token']}/samenwerking", data={"choice": "2:geldfit", "text": text}
    )
    assert response.status_code == 302
    login("facilitator")
    assert text in client.get(f"{EVENT}/wand/live").get_data(as_text=True)
    wall = client.get(f"{EVENT}/wand").get_data(as_text=True)
    assert "/afspraak/" in wall  # the staff's source list with its hide button
    agreement_id = int(wall.split("/afspraak/")[1].split("/")[0])
    assert client.post(f"{EVENT}/afspraak/{agreement_id}/verbergen").status_code == 302
    assert text not in client.get(f"{EVENT}/wand/live").get_data(as_text=True)
    assert text not in client.get(f"/r/{anna['token']}").get_data(as_text=True)
    # Still listed for the facilitator, to show it again.
    assert text in client.get(f"{EVENT}/wand").get_data(as_text=True)
    assert client.post(f"{EVENT}/afspraak/{agreement_id}/tonen").status_code == 302
    assert text in client.get(f"{EVENT}/wand/live").get_data(as_text=True)


def test_moderation_needs_staff_and_a_real_target(client, store, make_checkout, login):
    make_checkout({"geldfit": "want"})
    assert client.post(f"{EVENT}/bon/1/verbergen").status_code == 302  # to the login page
    login("facilitator")
    assert client.post(f"{EVENT}/bon/99/verbergen").status_code == 404
    assert client.post(f"{EVENT}/afspraak/99/verbergen").status_code == 404
    assert client.post("/facilitator/evenement/bestaat-niet/bon/1/verbergen").status_code == 404
    assert client.get(f"{EVENT}/bon/1/verbergen").status_code == 405
