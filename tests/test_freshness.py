"""What a worker remembers about the database: its own changes show at once, other
workers' changes within FRESHNESS_SECONDS."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

TTL = 0.4


@pytest.fixture
def workers(make_app: Callable[..., Flask], store: Any) -> tuple[Flask, Flask]:
    """Two apps on one database, as two gunicorn workers are."""
    return make_app(FRESHNESS_SECONDS=TTL), make_app(FRESHNESS_SECONDS=TTL)


def checkout(app: Flask, name: str, organisation: str) -> dict[str, Any]:
    body = {
        "items": [{"product": "geldfit", "intent": "want"}],
        "visitor": {"name": name, "organisation": organisation, "share_contact": True},
    }
    with app.app_context():
        response = app.test_client().post("/api/v1/events/breda-2026/checkouts", json=body)
    assert response.status_code == 201
    result: dict[str, Any] = response.get_json()
    return result


def poll(app: Flask, token: str, etag: str | None = None) -> Any:
    headers = {"If-None-Match": etag} if etag else {}
    with app.app_context():
        return app.test_client().get(f"/r/{token}/partners", headers=headers)


def test_another_workers_checkout_shows_within_the_ttl(workers):
    first, second = workers
    anna = checkout(first, "Anna", "Breda")
    etag = poll(first, anna["token"]).headers["ETag"]
    checkout(second, "Bram", "Tilburg")
    # The first worker may answer from what it read a moment ago ...
    assert poll(first, anna["token"], etag).status_code in (200, 304)
    time.sleep(TTL * 1.5)
    # ... but never longer than the TTL.
    changed = poll(first, anna["token"], etag)
    assert changed.status_code == 200
    assert "Bram" in changed.get_data(as_text=True)


def test_a_workers_own_changes_show_at_once(workers):
    first, _ = workers
    anna = checkout(first, "Anna", "Breda")
    etag = poll(first, anna["token"]).headers["ETag"]
    checkout(first, "Bram", "Tilburg")
    assert poll(first, anna["token"], etag).status_code == 200


def test_an_erasure_elsewhere_closes_the_receipt_within_the_ttl(workers):
    first, second = workers
    anna = checkout(first, "Anna", "Breda")
    assert poll(first, anna["token"]).status_code == 200
    with second.app_context():
        assert second.test_client().delete(f"/api/v1/receipts/{anna['token']}").status_code == 204
    time.sleep(TTL * 1.5)
    assert poll(first, anna["token"]).status_code == 404
    with first.app_context():
        assert first.test_client().get(f"/r/{anna['token']}").status_code == 404


def test_an_erasure_in_the_same_worker_closes_the_receipt_at_once(workers):
    first, _ = workers
    anna = checkout(first, "Anna", "Breda")
    assert poll(first, anna["token"]).status_code == 200
    with first.app_context():
        client = first.test_client()
        assert client.get(f"/r/{anna['token']}").status_code == 200
        assert client.delete(f"/api/v1/receipts/{anna['token']}").status_code == 204
        assert client.get(f"/r/{anna['token']}").status_code == 404
    assert poll(first, anna["token"]).status_code == 404


def test_the_start_page_follows_other_workers_checkouts(workers):
    first, second = workers
    with first.app_context():
        assert "Vandaag veel gekozen" not in first.test_client().get("/").get_data(as_text=True)
    checkout(second, "Bram", "Tilburg")
    time.sleep(TTL * 1.5)
    with first.app_context():
        page = first.test_client().get("/").get_data(as_text=True)
    assert "Vandaag veel gekozen" in page and "Geldfit" in page
