"""The round timer: one round per event, the same on every screen and every worker."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from popupstore.events.services import get_event
from popupstore.extensions import db
from popupstore.facilitator.models import RoundTimer
from popupstore.facilitator.wall_links import make_wall_link

from .conftest import EVENT

ROUND = EVENT + "/ronde"
WALL = EVENT + "/wand"
JSON = {"Accept": "application/json"}


def press(client, action: str, minutes: object = None, **headers: str):
    data = {"action": action}
    if minutes is not None:
        data["minutes"] = minutes
    return client.post(ROUND, data=data, headers={**JSON, **headers})


def shown(html: str) -> dict[str, str]:
    """The state the wall's fragment hands the script."""
    found = re.search(
        r'data-round data-round-state="(\w+)" data-round-left="(\d+)"'
        r' data-round-minutes="(\d+)" data-round-version="(\d+)"',
        html,
    )
    assert found, "no round state in the fragment"
    return {"state": found[1], "left_ms": found[2], "minutes": found[3], "version": found[4]}


def test_start_pause_resume_and_reset(client, crowd, staff):
    assert shown(client.get(WALL + "/live").get_data(as_text=True)) == {
        "state": "idle",
        "left_ms": "1200000",
        "minutes": "20",
        "version": "0",
    }
    started = press(client, "start", 5)
    assert started.status_code == 200
    answer = started.get_json()
    assert answer["state"] == "running" and answer["minutes"] == 5
    assert 299_000 < answer["left_ms"] <= 300_000

    paused = press(client, "pause").get_json()
    assert paused["state"] == "paused" and 299_000 < paused["left_ms"] <= answer["left_ms"]
    # Paused, the clock stands still, on every screen.
    assert press(client, "pause").get_json() == paused
    assert shown(client.get(WALL + "/live").get_data(as_text=True)) == {
        "state": "paused",
        "left_ms": str(paused["left_ms"]),
        "minutes": "5",
        "version": str(paused["version"]),
    }
    # Resuming goes on from where it stood; a second start does not restart it.
    resumed = press(client, "start").get_json()
    assert resumed["state"] == "running" and resumed["left_ms"] <= paused["left_ms"]
    assert press(client, "start", 30).get_json()["minutes"] == 5

    reset = press(client, "reset", 10).get_json()
    assert {key: reset[key] for key in ("state", "left_ms", "minutes")} == {
        "state": "idle",
        "left_ms": 600_000,
        "minutes": 10,
    }
    # Every press that changed something moved the version on: start, pause, resume, reset.
    assert answer["version"] < paused["version"] < resumed["version"] < reset["version"]
    assert db.session.execute(select(func.count()).select_from(RoundTimer)).scalar_one() == 1


def test_a_round_that_ran_out_is_over_and_starts_anew(client, crowd, staff):
    press(client, "start", 1)
    timer = db.session.execute(select(RoundTimer)).scalar_one()
    timer.ends_at = timer.ends_at.replace(year=2020)
    db.session.commit()
    assert shown(client.get(WALL + "/live").get_data(as_text=True))["state"] == "over"
    again = press(client, "start", 2).get_json()
    assert again["state"] == "running" and 119_000 < again["left_ms"] <= 120_000


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "start", "minutes": "0"}, "Een ronde duurt 1 tot 90 minuten."),
        ({"action": "start", "minutes": "91"}, "Een ronde duurt 1 tot 90 minuten."),
        ({"action": "start", "minutes": "tien"}, "Minuten"),
        ({"action": "ontploffen"}, "Kies starten, pauzeren of opnieuw."),
        ({}, "Kies starten, pauzeren of opnieuw."),
    ],
)
def test_bad_input_says_why_and_changes_nothing(client, crowd, staff, data, message):
    answer = client.post(ROUND, data=data, headers=JSON)
    assert answer.status_code == 422
    if message != "Minuten":
        assert answer.get_json() == {"message": message}
    else:  # WTForms' own message for a number that is none; not a 500 either way
        assert answer.get_json()["message"]
    assert db.session.execute(select(RoundTimer)).first() is None
    # Without the script: back to the wall, with the reason.
    plain = client.post(ROUND, data=data, follow_redirects=True)
    assert plain.request.path == WALL
    if message != "Minuten":
        assert message in plain.get_data(as_text=True)
    assert db.session.execute(select(RoundTimer)).first() is None


def test_without_the_script_the_form_posts_and_the_wall_comes_back(client, crowd, staff):
    answer = client.post(ROUND, data={"action": "start", "minutes": "3"})
    assert answer.status_code == 303 and answer.headers["Location"] == WALL
    html = client.get(WALL).get_data(as_text=True)
    assert 'data-round-state="running"' in html
    assert 'value="pause"' in html and "Ronde pauzeren" in html
    assert re.search(r"data-timer-display>2:5\d|data-timer-display>3:00", html)


def test_every_screen_sees_the_change_at_its_next_poll(client, crowd, staff):
    etag = client.get(WALL + "/live").headers["ETag"]
    assert client.get(WALL + "/live", headers={"If-None-Match": etag}).status_code == 304
    press(client, "start", 5)
    fresh = client.get(WALL + "/live", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert shown(fresh.get_data(as_text=True))["state"] == "running"


def test_the_wall_link_shows_the_round_but_no_buttons(client, crowd, staff):
    token = make_wall_link(get_event("breda-2026"))
    db.session.commit()
    screen = client.application.test_client()  # no login
    page = screen.get(f"/facilitator/wand/{token}").get_data(as_text=True)
    # Idle: an all-day screen shows no clock until a round starts.
    assert re.search(r'<div class="round-timer"[^>]* data-round-screen hidden>', page)
    assert "Ronde starten" not in page and "/ronde" not in page
    press(client, "start", 5)
    live = screen.get(f"/facilitator/wand/{token}/live").get_data(as_text=True)
    assert shown(live)["state"] == "running"
    page = screen.get(f"/facilitator/wand/{token}").get_data(as_text=True)
    assert re.search(r'<div class="round-timer is-running"[^>]* data-round-screen>', page)


def test_a_round_started_on_one_worker_shows_on_another(client, crowd, staff, make_app):
    other = make_app().test_client()
    with other.session_transaction() as session:
        with client.session_transaction() as mine:
            session.update(dict(mine))
    press(client, "start", 7)
    assert shown(other.get(WALL + "/live").get_data(as_text=True))["minutes"] == "7"
    assert press(other, "pause").get_json()["state"] == "paused"
    assert shown(client.get(WALL + "/live").get_data(as_text=True))["state"] == "paused"
