"""`popupstore serve`'s access log: on by default, one line per request in Apache's combined
format, written by a thread of each worker (all of it, also at a graceful stop), never a
receipt token or an e-mail address, however the address was spelled, and no line a
request could forge; off with `--no-access-log`."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from popupstore.redaction import redact_encoded, redact_request_target

from .conftest import checkout_body, request

pytestmark = pytest.mark.slow

URL = "/api/v1/events/breda-2026/checkouts"
FORGED = '127.0.0.1 - - [01/Jan/2026:00:00:00 +0000] "GET /nep HTTP/1.1" 200 5 "-" "-"'
# address, identity, user, [time], "request line", status, size, "referrer", "user agent"
COMBINED = re.compile(
    r'^(?P<address>\S+) - - \[[^\]]+\] "(?P<line>[^"]*)" (?P<status>\d{3}) (?P<size>\d+|-) '
    r'"(?P<referrer>[^"]*)" "(?P<agent>[^"]*)"$'
)


def access_lines(text: str) -> list[dict[str, str]]:
    return [found.groupdict() for line in text.splitlines() if (found := COMBINED.match(line))]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_access_log_is_on_by_default_and_never_holds_a_token_or_an_address(
    app, store, serve, tmp_path
):
    server = serve(workers=2, name="logged")
    token = request(server.url + URL, "POST", checkout_body(1)).body["token"]
    asked = [
        (f"/r/{token}", {}),
        # The same receipt, its path percent-encoded: the app decodes it and opens it.
        (f"/%72/{token}", {}),
        (f"/api/v1/receipts/{token}", {}),
        ("/producten?q=anna%40example.nl", {"Referer": f"https://elders.example/%72/{token}"}),
        # A line break sent percent-encoded must not start a forged line of its own.
        (f"/r/{token}" + quote(f"\n{FORGED}", safe=""), {}),
        *[(f"/producten?q=rij-{n}", {}) for n in range(40)],
    ]
    statuses = [request(server.url + path, headers=headers).status for path, headers in asked]
    assert statuses == [200] * 4 + [404] + [200] * 40
    server.stop()

    log = (tmp_path / "logged.log").read_text()
    assert token not in log
    assert "anna" not in log and "example.nl" not in log
    assert not any(line.startswith(FORGED) for line in log.splitlines())
    assert "/r/[token]\\x0a127.0.0.1" in log
    lines = access_lines(log)
    by_target = [line["line"] for line in lines]
    # Every request has its line, also those still queued when the server was stopped.
    assert by_target.count("GET /r/[token] HTTP/1.1") == 2
    assert "GET /api/v1/receipts/[token] HTTP/1.1" in by_target
    assert f"POST {URL} HTTP/1.1" in by_target
    for n in range(40):
        assert f"GET /producten?q=rij-{n} HTTP/1.1" in by_target
    searched = next(line for line in lines if line["line"].startswith("GET /producten?[e-mail]"))
    assert searched["referrer"] == "https://elders.example/r/[token]"
    assert searched["status"] == "200" and int(searched["size"]) > 0
    assert searched["address"] == "127.0.0.1"
    assert searched["agent"].startswith("Python-urllib/")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_access_log_writes_no_request_lines(app, store, serve, tmp_path):
    server = serve(workers=2, name="quiet", args=["--no-access-log"])
    assert request(server.url + "/").status == 200
    assert request(server.url + URL, "POST", checkout_body(2)).status == 201
    server.stop()
    log = (tmp_path / "quiet.log").read_text()
    assert access_lines(log) == []
    assert "Booting worker" in log  # the error log still writes


def test_a_request_target_is_logged_as_sent_unless_it_holds_a_token_or_an_address():
    assert redact_request_target("/producten?q=hallo%20daar", "/producten", "q=hallo%20daar") == (
        "/producten?q=hallo%20daar"
    )
    assert redact_request_target("/%72/geheim", "/r/geheim", "") == "/r/[token]"
    assert redact_request_target("/zoek?m=a%40b.nl", "/zoek", "m=a%40b.nl") == "/zoek?[e-mail]"
    assert redact_encoded("https://x.example/api/v1/receipts/geheim") == (
        "https://x.example/api/v1/receipts/[token]"
    )
    assert redact_encoded("a+b%2Bc", form=True) == "a+b%2Bc"
