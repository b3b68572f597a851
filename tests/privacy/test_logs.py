"""Logs never hold visitors' names, e-mail addresses or receipt tokens.

A whole flow runs with every logger at DEBUG (SQLAlchemy's included): a kiosk checkout,
receipts through a real HTTP server (so werkzeug logs its request lines), the API with
an idempotency key, errors, rate limits, self-erasure and a purge. Then every captured
record is searched for the secrets.
"""

from __future__ import annotations

import http.client
import logging
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from popupstore.redaction import redact

from ..security.conftest import fresh_request

NAME = "Gerrit Geheimzinnig"
EMAIL = "gerrit.geheim@lekvrij.nl"
OTHER = "Wilhelmina Verborgen"


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    # Alembic's logging set-up (run by the migrations) quiets sqlalchemy.engine: wake it.
    for name in ("sqlalchemy", "sqlalchemy.engine", "werkzeug", "popupstore"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        error.read()
        error.close()
        return int(error.code)


def test_a_whole_flow_logs_no_names_emails_or_tokens(
    make_app, load_test_products, make_event, runner, everything_logged
):
    app = make_app(RATELIMIT_TOKEN_LOOKUP="5 per minute")
    secrets: list[str] = [NAME, EMAIL, OTHER, "Gerrit", "Wilhelmina", "lekvrij"]
    with app.app_context():
        load_test_products()
        make_event()
        kiosk = app.test_client()
        # The kiosk: basket, checkout form (a mistake first), receipt.
        fresh_request(kiosk, "POST", "/mandje/geldfit", data={"intent": "want"})
        page = fresh_request(kiosk, "GET", "/afrekenen").get_data(as_text=True)
        key = re.search(r'name="checkout_key" type="hidden" value="([^"]+)"', page).group(1)
        form = {"name": NAME, "organisation": "Breda", "share_contact": "y", "checkout_key": key}
        bad = fresh_request(kiosk, "POST", "/afrekenen", data={**form, "email": "gerrit@"})
        assert bad.status_code == 422
        done = fresh_request(kiosk, "POST", "/afrekenen", data={**form, "email": EMAIL})
        assert done.status_code == 302
        receipt = fresh_request(kiosk, "GET", "/kassabon").get_data(as_text=True)
        kiosk_token = re.search(r"/r/([A-Za-z0-9_-]{20,})", receipt).group(1)
        secrets.append(kiosk_token)

        # The API, with an idempotency key sent twice.
        api = app.test_client()
        body = {
            "items": [{"product": "geldfit", "intent": "have"}],
            "visitor": {"name": OTHER, "organisation": "Tilburg", "share_contact": True},
        }
        headers = {"Idempotency-Key": "log-test"}
        created = fresh_request(
            api, "POST", "/api/v1/events/breda-2026/checkouts", json=body, headers=headers
        )
        fresh_request(
            api, "POST", "/api/v1/events/breda-2026/checkouts", json=body, headers=headers
        )
        api_token = created.get_json()["token"]
        secrets.append(api_token)
        assert created.get_json()["matches"][0]["name"] == NAME
        fresh_request(api, "GET", f"/api/v1/receipts/{api_token}")
        invalid = {**body, "visitor": {**body["visitor"], "email": f"{OTHER}@"}}
        assert (
            fresh_request(
                api, "POST", "/api/v1/events/breda-2026/checkouts", json=invalid
            ).status_code
            == 422
        )

        # A real HTTP server, so werkzeug writes its request log.
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            root = f"http://127.0.0.1:{server.server_port}"
            assert _get(f"{root}/r/{kiosk_token}") == 200
            assert _get(f"{root}/r/{kiosk_token}/qr.png") == 200
            assert _get(f"{root}/api/v1/receipts/{api_token}") == 200
            wrong = [_get(f"{root}/r/{kiosk_token[:-3]}xyz") for _ in range(6)]
            assert wrong[-1] == 429
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()

        # Erasure by the visitor, then a purge of what is left. (The guesses above used up
        # this address's look-up budget; a visitor holding a real token is not stopped.)
        assert fresh_request(api, "DELETE", f"/api/v1/receipts/{api_token}").status_code == 204
        assert fresh_request(kiosk, "POST", f"/r/{kiosk_token}/wissen").status_code == 302
        assert runner.invoke(args=["purge-personal-data", "breda-2026"]).exit_code == 0

    records = everything_logged.records
    # The flow did log: request lines and SQL statements.
    loggers = {record.name for record in records}
    assert "werkzeug" in loggers
    assert any(name.startswith("sqlalchemy.engine") for name in loggers)
    assert any("[token]" in record.getMessage() for record in records)
    leaks = [
        (record.name, record.getMessage())
        for record in records
        for secret in secrets
        if secret.lower() in (record.getMessage() + (record.exc_text or "")).lower()
    ]
    assert leaks == []


def test_redaction_blanks_tokens_in_paths_and_email_addresses():
    line = (
        '127.0.0.1 - - "GET /r/AbC-123_xyz/qr.png HTTP/1.1" 200 '
        '"https://shop.example/api/v1/receipts/T0k3n?x=1" mail anna.b@breda.nl'
    )
    assert redact(line) == (
        '127.0.0.1 - - "GET /r/[token]/qr.png HTTP/1.1" 200 '
        '"https://shop.example/api/v1/receipts/[token]?x=1" mail [e-mail]'
    )


# --- exports that fail -----------------------------------------------------------------------


def _failing_contact_list(app):
    """Register a download of the contact list whose writer fails on its first row, with an
    exception that quotes the row (as openpyxl did for a cell it could not write)."""
    from popupstore.events.services import list_events
    from popupstore.organiser.exports import ContactListExporter, export_response, parse_format

    class FailingContactList(ContactListExporter):
        def rows(self):
            for row in super().rows():
                raise ValueError(f"cannot write {row!r}")
            yield from ()

    def download(fmt):
        return export_response(parse_format(fmt), [FailingContactList(list_events())], "test")

    app.add_url_rule("/test/kapotte-export/<fmt>", view_func=download)


def _leaks(records, secrets):
    return [
        (record.name, record.getMessage() + (record.exc_text or ""))
        for record in records
        for secret in secrets
        if secret.lower() in (record.getMessage() + (record.exc_text or "")).lower()
    ]


def test_an_export_that_fails_logs_no_names_or_email_addresses(
    make_app, load_test_products, make_event, everything_logged
):
    app = make_app()
    _failing_contact_list(app)
    with app.app_context():
        load_test_products()
        make_event()
        api = app.test_client()
        body = {
            "items": [{"product": "geldfit", "intent": "want"}],
            "visitor": {
                "name": NAME,
                "organisation": "Breda",
                "email": EMAIL,
                "share_contact": True,
            },
        }
        assert (
            fresh_request(api, "POST", "/api/v1/events/breda-2026/checkouts", json=body).status_code
            == 201
        )
        # The XLSX file is written before the answer starts: the app logs the error.
        assert fresh_request(api, "GET", "/test/kapotte-export/xlsx").status_code == 500
        # CSV streams: the failure comes while the server sends it, and the server logs it.
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            root = f"http://127.0.0.1:{server.server_port}"
            try:
                _get(f"{root}/test/kapotte-export/csv")
            except (OSError, http.client.HTTPException):
                pass  # the answer breaks off halfway, as it should
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()

    records = everything_logged.records
    failures = [
        r for r in records if "ValueError: [message withheld]" in (r.exc_text or r.getMessage())
    ]
    assert {r.name for r in failures} == {"popupstore", "werkzeug"}
    assert _leaks(records, [NAME, EMAIL, "Gerrit", "Geheimzinnig", "lekvrij"]) == []


def test_an_export_of_rows_with_controls_answers_and_logs_nothing_of_them(
    make_app, load_test_products, make_event, login, everything_logged
):
    from sqlalchemy import select

    from popupstore.basket.models import Checkout
    from popupstore.extensions import db

    app = make_app()
    with app.app_context():
        load_test_products()
        make_event()
        client = app.test_client()
        body = {
            "items": [{"product": "geldfit", "intent": "want"}],
            "visitor": {
                "name": NAME,
                "organisation": "Breda",
                "email": EMAIL,
                "share_contact": True,
            },
        }
        assert client.post("/api/v1/events/breda-2026/checkouts", json=body).status_code == 201
        # Stored before the input rule existed: a control character in the name.
        checkout = db.session.execute(select(Checkout)).scalar_one()
        checkout.visitor_name = NAME + "\x01"
        db.session.commit()
        from popupstore.auth.services import create_user

        create_user("org", "geheim-wachtwoord", "organiser")
        db.session.commit()
        assert (
            client.post(
                "/login", data={"username": "org", "password": "geheim-wachtwoord"}
            ).status_code
            == 302
        )
        for fmt in ("xlsx", "csv", "json"):
            url = f"/organisator/exports/contactlijst?event=breda-2026&format={fmt}"
            assert fresh_request(client, "GET", url).status_code == 200
    assert [r for r in everything_logged.records if r.levelno >= logging.ERROR] == []
    assert _leaks(everything_logged.records, [NAME, EMAIL, "Gerrit", "lekvrij"]) == []


def test_a_logged_exception_keeps_its_frames_and_types_but_not_its_messages():
    import sys

    from popupstore.redaction import RedactTokens

    def write(cell: str) -> None:
        raise ValueError(f"{cell} cannot be used in worksheets.\n{cell.upper()}")

    try:
        try:
            write(NAME)
        except ValueError as error:
            raise RuntimeError(f"export for {EMAIL} failed") from error
    except RuntimeError:
        record = logging.LogRecord(
            "popupstore",
            logging.ERROR,
            __file__,
            1,
            "Export of %s failed on %s",
            ("x", "/r/\r\nX"),
            sys.exc_info(),
        )
    assert RedactTokens().filter(record)
    text = logging.Formatter().format(record)
    for secret in (NAME, NAME.upper(), EMAIL):
        assert secret not in text
    assert "ValueError: [message withheld]" in text
    assert "RuntimeError: [message withheld]" in text
    assert "The above exception was the direct cause of the following exception:" in text
    assert 'in write\n    raise ValueError(f"{cell} cannot be used' in text
    # A value cannot start a line of its own in the log.
    assert text.splitlines()[0] == "Export of x failed on /r/\\x0d\\x0aX"
