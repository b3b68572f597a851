"""Retention: every event has a date after which its personal data are purged, by a
command cron can run as often as it likes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from popupstore.basket.models import BasketLine, Checkout
from popupstore.events.services import get_event
from popupstore.extensions import db
from popupstore.privacy.services import today

from ..security.conftest import fresh_request
from .conftest import text_columns_holding


def test_a_new_event_keeps_personal_data_30_days_by_default(app, runner):
    result = runner.invoke(
        args=["create-event", "zwolle", "--name", "Z", "--city", "Zwolle", "--date", "2026-03-01"]
    )
    assert result.exit_code == 0, result.output
    assert get_event("zwolle").retention_until == date(2026, 3, 31)


def _set_retention(slug: str, until: date | None) -> None:
    get_event(slug).retention_until = until
    db.session.commit()


def test_purge_expired_purges_only_events_past_their_date(app, runner, planted):
    now = today()
    _set_retention("tilburg-2025", now - timedelta(days=1))
    _set_retention("breda-2026", now)
    lines = db.session.execute(select(func.count(BasketLine.id))).scalar_one()
    db.session.rollback()

    first = runner.invoke(args=["purge-expired"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == (
        "Persoonsgegevens van tilburg-2025 gewist: 3 bonnen geanonimiseerd."
    )
    assert text_columns_holding(planted.other_canary) == []
    # The retention date itself is still a day to keep.
    assert len(text_columns_holding(planted.canary)) == 2
    assert get_event("tilburg-2025").personal_data_purged_at is not None
    assert get_event("breda-2026").personal_data_purged_at is None
    db.session.rollback()

    # Idempotent: cron may run it again and again.
    again = runner.invoke(args=["purge-expired"])
    assert again.exit_code == 0
    assert again.output.strip() == "Geen evenementen met verlopen persoonsgegevens."
    db.session.expire_all()
    assert db.session.execute(select(func.count(Checkout.id))).scalar_one() == 6
    assert db.session.execute(select(func.count(BasketLine.id))).scalar_one() == lines


def test_an_event_without_a_stored_date_uses_the_default(app, runner, planted):
    # Tilburg was on 1 May 2025: without a date of its own its data expired on 31 May.
    _set_retention("tilburg-2025", None)
    assert runner.invoke(args=["purge-expired"]).exit_code == 0
    assert text_columns_holding(planted.other_canary) == []


def test_checkouts_after_a_purge_are_purged_on_the_next_run(app, runner, client, planted):
    _set_retention("breda-2026", today() - timedelta(days=1))
    assert runner.invoke(args=["purge-expired"]).exit_code == 0
    late = client.post(
        "/api/v1/events/breda-2026/checkouts",
        json={
            "items": [{"product": "geldfit", "intent": "want"}],
            "visitor": {"name": f"Laat {planted.canary}", "organisation": "Breda"},
        },
    )
    assert late.status_code == 201
    result = runner.invoke(args=["purge-expired"])
    assert "breda-2026 gewist: 1 bonnen" in result.output
    assert text_columns_holding(planted.canary) == []


def test_the_organiser_sets_the_retention_date(app, store, client_as):
    organiser = client_as("organiser")
    url = "/organisator/privacy/evenement/breda-2026"
    page = fresh_request(organiser, "GET", url).get_data(as_text=True)
    assert 'type="date"' in page and 'value="2026-12-12"' in page
    saved = fresh_request(organiser, "POST", url, data={"retention_until": "2026-11-20"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert get_event("breda-2026").retention_until == date(2026, 11, 20)
    shown = fresh_request(organiser, "GET", url).get_data(as_text=True)
    assert "bewaard tot en met 2026-11-20" in shown


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2026-11-11", "Kies een datum van 2026-11-12 tot en met 2027-11-12."),
        ("2027-11-13", "Kies een datum van 2026-11-12 tot en met 2027-11-12."),
        ("morgen", "Ongeldige datum."),
        ("", "Vul een datum in."),
    ],
)
def test_a_retention_date_outside_the_bounds_is_refused(app, store, client_as, value, words):
    organiser = client_as("organiser")
    response = fresh_request(
        organiser,
        "POST",
        "/organisator/privacy/evenement/breda-2026",
        data={"retention_until": value},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="retention_until-error"' in html
    assert words in html
    db.session.expire_all()
    assert get_event("breda-2026").retention_until == date(2026, 12, 12)


def test_the_overview_flags_events_past_their_date(app, planted, client_as):
    _set_retention("tilburg-2025", today() - timedelta(days=3))
    html = fresh_request(client_as("organiser"), "GET", "/organisator/privacy").get_data(
        as_text=True
    )
    assert html.count("Bewaardatum voorbij: nu wissen") == 1
    assert "Bevat persoonsgegevens" in html
