"""Logs never hold visitors' names, e-mail addresses or receipt tokens.

A whole flow runs with every logger at DEBUG (SQLAlchemy's included): a kiosk checkout,
receipts through a real HTTP server (so werkzeug logs its request lines), the API with
an idempotency key, errors, rate limits, self-erasure and a purge. Then every captured
record is searched for the secrets.
"""

from __future__ import annotations

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
