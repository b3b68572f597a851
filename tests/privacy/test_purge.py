"""Purging an event's personal data: CLI and organiser page; nothing of it left behind,
while counts, overlap and tables still add up."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import func, select

from popupstore import versions
from popupstore.basket.models import BasketLine, Checkout, IdempotencyRecord
from popupstore.events.models import Event
from popupstore.events.services import get_event
from popupstore.extensions import db

from ..postgres import _bin_dir as postgres_bin_dir
from ..security.conftest import fresh_request
from .conftest import text_columns_holding


def stored_bytes() -> bytes:
    """Everything the database holds on disk, as far as a test can read it.

    SQLite: the raw database file and its write-ahead log, free pages included.
    PostgreSQL: a pg_dump of the database (its files belong to the server's user).
    """
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-journal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    dump = subprocess.run(
        [
            str(postgres_bin_dir() / "pg_dump"),
            "--host",
            str(url.host),
            "--port",
            str(url.port),
            "--username",
            str(url.username),
            "--no-owner",
            str(url.database),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return dump.stdout


def counts() -> dict[str, int]:
    db.session.expire_all()
    result = {
        "checkouts": db.session.execute(select(func.count(Checkout.id))).scalar_one(),
        "lines": db.session.execute(select(func.count(BasketLine.id))).scalar_one(),
    }
    db.session.rollback()
    return result


def staff_views(client, token: str) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    return {
        "overlap": fresh_request(
            client, "GET", "/api/v1/events/breda-2026/overlap", headers=headers
        ).get_json(),
        "tables": fresh_request(
            client,
            "POST",
            "/api/v1/events/breda-2026/tables",
            json={"min_size": 2, "max_size": 3},
            headers=headers,
        ).get_json(),
    }


def test_cli_purge_leaves_no_name_email_or_token_of_the_event(app, runner, planted, api_token):
    staff = api_token("organiser")
    client = app.test_client()
    before_counts = counts()
    before_views = staff_views(client, staff)
    event = get_event("breda-2026")
    version = versions.current(versions.event_data(event.id))
    db.session.rollback()
    # The scan finds the canary before the purge: it can fail. (The replay store keeps
    # no copy of names or e-mail addresses.)
    assert set(text_columns_holding(planted.canary)) == {"checkout.visitor_name", "checkout.email"}

    result = runner.invoke(args=["purge-personal-data", "breda-2026"])
    assert result.exit_code == 0, result.output
    assert "3 bonnen geanonimiseerd" in result.output
    assert "3 idempotentie-records verwijderd" in result.output

    assert text_columns_holding(planted.canary) == []
    for token in planted.tokens:
        assert fresh_request(client, "GET", f"/api/v1/receipts/{token}").status_code == 404
        assert fresh_request(client, "GET", f"/r/{token}").status_code == 404
    db.session.expire_all()
    checkouts = db.session.execute(
        select(Checkout).join(Event).where(Event.slug == "breda-2026")
    ).scalars()
    for checkout in checkouts:
        assert (checkout.visitor_name, checkout.email, checkout.token_hash) == (None, None, None)
        # The anonymous basket stays.
        assert checkout.organisation and checkout.province and checkout.lines
    event = get_event("breda-2026")
    # Every worker's copies of the event are rebuilt.
    assert versions.current(versions.event_data(event.id)) > version
    assert event.personal_data_purged_at is not None
    assert (
        db.session.execute(
            select(func.count(IdempotencyRecord.id)).where(IdempotencyRecord.event_id == event.id)
        ).scalar_one()
        == 0
    )
    db.session.rollback()
    # The statistics still add up, and the other event is untouched.
    assert counts() == before_counts
    assert staff_views(client, staff) == before_views
    assert set(text_columns_holding(planted.other_canary)) == {
        "checkout.visitor_name",
        "checkout.email",
    }
    assert fresh_request(client, "GET", f"/r/{planted.other_tokens[0]}").status_code == 200


def test_the_purged_names_are_gone_from_the_stored_files(app, runner, planted):
    db.session.remove()
    before = stored_bytes()
    assert planted.canary.encode() in before
    assert planted.canary.lower().encode() in before
    result = runner.invoke(args=["purge-personal-data", "breda-2026"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    after = stored_bytes()
    assert planted.canary.encode() not in after
    assert planted.canary.lower().encode() not in after
    # The other event's visitors are still there: the scan does see stored text.
    assert planted.other_canary.encode() in after


def test_purge_of_an_unknown_event_exits_2_and_writes_nothing(app, runner, planted):
    result = runner.invoke(args=["purge-personal-data", "bestaat-niet"])
    assert result.exit_code == 2
    assert "bestaat-niet" in result.output
    assert len(text_columns_holding(planted.canary)) == 2


def test_a_second_purge_changes_nothing(app, runner, planted):
    assert runner.invoke(args=["purge-personal-data", "breda-2026"]).exit_code == 0
    names = versions.event_names(get_event("breda-2026").id)
    before = versions.current(*names)
    db.session.rollback()
    again = runner.invoke(args=["purge-personal-data", "breda-2026"])
    assert again.exit_code == 0
    assert "0 bonnen geanonimiseerd" in again.output
    db.session.expire_all()
    assert versions.current(*names) == before


def test_organiser_purges_from_the_privacy_page_after_confirming(
    app, planted, client_as, api_token
):
    staff = api_token("organiser")
    before = staff_views(app.test_client(), staff)
    organiser = client_as("organiser")
    overview = fresh_request(organiser, "GET", "/organisator/privacy").get_data(as_text=True)
    assert "Samen Organiseren Breda" in overview and "Tilburg" in overview
    page = fresh_request(organiser, "GET", "/organisator/privacy/evenement/breda-2026")
    assert page.status_code == 200
    assert "/organisator/privacy/evenement/breda-2026/wissen" in page.get_data(as_text=True)
    confirm = fresh_request(organiser, "GET", "/organisator/privacy/evenement/breda-2026/wissen")
    html = confirm.get_data(as_text=True)
    assert "Van 3 bonnen wissen we de namen" in html
    assert 'type="checkbox"' in html and "checked" not in html.split('id="confirm"')[1][:40]

    # Without the tick, nothing happens.
    refused = fresh_request(organiser, "POST", "/organisator/privacy/evenement/breda-2026/wissen")
    assert refused.status_code == 422
    assert "Zet het vinkje om te bevestigen." in refused.get_data(as_text=True)
    assert 'aria-describedby="confirm-error"' in refused.get_data(as_text=True)
    assert len(text_columns_holding(planted.canary)) == 2

    done = fresh_request(
        organiser,
        "POST",
        "/organisator/privacy/evenement/breda-2026/wissen",
        data={"confirm": "y"},
    )
    assert done.status_code == 302
    assert done.headers["Location"] == "/organisator/privacy/evenement/breda-2026"
    after = fresh_request(organiser, "GET", done.headers["Location"]).get_data(as_text=True)
    assert "3 bonnen zijn nu anoniem" in after
    assert "Er zijn geen persoonsgegevens meer van dit evenement." in after
    assert text_columns_holding(planted.canary) == []
    assert staff_views(app.test_client(), staff) == before


def test_staff_pages_show_purged_checkouts_by_number_only(app, runner, planted, client_as):
    assert runner.invoke(args=["purge-personal-data", "breda-2026"]).exit_code == 0
    page = fresh_request(
        client_as("facilitator"), "GET", "/facilitator/evenement/breda-2026/gesprekken"
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert planted.canary not in html
    assert "Anna" not in html and "Bram" not in html and "Cor" not in html
    for number in (1, 2, 3):
        assert f"bon {number}" in html


def test_facilitators_may_not_purge(app, planted, client_as):
    facilitator = client_as("facilitator")
    response = fresh_request(
        facilitator,
        "POST",
        "/organisator/privacy/evenement/breda-2026/wissen",
        data={"confirm": "y"},
    )
    assert response.status_code == 403
    assert len(text_columns_holding(planted.canary)) == 2


def test_purge_empties_agreement_texts_but_keeps_the_agreements(app, store, make_checkout):
    from popupstore.agreements.models import Agreement
    from popupstore.agreements.services import record_agreement
    from popupstore.privacy.erasure import purge_personal_data

    canary = "Spreeuw" + "5d1e7a"
    make_checkout({"geldfit": "want"}, name="Anna", organisation="Breda")
    make_checkout({"geldfit": "have"}, name="Bram", organisation="Tilburg")
    anna = db.session.execute(select(Checkout).where(Checkout.number == 1)).scalar_one()
    record_agreement(anna, 2, "geldfit", f"Bel {canary} over een pilot")
    db.session.commit()
    assert text_columns_holding(canary) == ["agreement.text"]

    result = purge_personal_data(get_event("breda-2026"))
    db.session.commit()
    assert result.agreement_texts == 1
    assert text_columns_holding(canary) == []
    assert db.session.execute(select(func.count(Agreement.id))).scalar_one() == 1
    # A second purge changes nothing.
    assert not purge_personal_data(get_event("breda-2026")).changed
