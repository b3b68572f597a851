"""The rate limits' counts in the application database: shared, atomic, private, short-lived.

Two apps built on one database stand in for two worker processes: each has its own engine,
connection pool and limiter, and they share nothing but the database, as workers and
servers do. tests/robustness/test_shared_rate_limits.py shows the same with real servers.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from flask import Response
from sqlalchemy import select

from popupstore.auth.models import User
from popupstore.extensions import db
from popupstore.kiosk.services import KIOSK_COOKIE, turn_kiosk_on
from popupstore.ratelimits import LOGIN, TOKEN_LOOKUPS, rate_limit_storage
from popupstore.ratelimits.models import RateLimitCounter
from popupstore.ratelimits.storage import DatabaseStorage

from .conftest import PASSWORD, fresh_request


def _login(client, username, password):
    return fresh_request(
        client, "POST", "/login", data={"username": username, "password": password}
    )


def _stored() -> dict[str, int]:
    """The counts in the database by key, read on a connection of their own."""
    with db.engine.connect() as connection:
        rows = connection.execute(select(RateLimitCounter.key, RateLimitCounter.count))
        return {row.key: row.count for row in rows}


def test_two_workers_counting_the_same_key_at_once_both_count(make_app):
    workers = [make_app(), make_app()]
    storages = [rate_limit_storage(worker) for worker in workers]
    assert all(isinstance(storage, DatabaseStorage) for storage in storages)
    per_thread, threads = 10, 8
    start = threading.Barrier(threads)

    def count(position: int) -> list[int]:
        storage = storages[position % 2]
        start.wait(timeout=30)
        return [storage.incr("LIMITER/test/same-key", 60) for _ in range(per_thread)]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        seen = [n for counts in pool.map(count, range(threads)) for n in counts]
    total = per_thread * threads
    # Every increment counted, and each caller learned a total of its own.
    assert sorted(seen) == list(range(1, total + 1))
    assert storages[0].get("LIMITER/test/same-key") == total
    assert storages[1].get("LIMITER/test/same-key") == total


def test_login_failures_at_one_worker_count_at_the_other(make_app, make_user):
    first = make_app(RATELIMIT_LOGIN="3 per minute")
    second = make_app(RATELIMIT_LOGIN="3 per minute")
    with first.app_context():
        make_user("fien", "facilitator", PASSWORD)
    statuses = [
        _login(worker.test_client(), "fien", "fout").status_code
        for worker in (first, second, first)
    ]
    blocked = _login(second.test_client(), "fien", PASSWORD)
    assert statuses == [200, 200, 200]
    assert blocked.status_code == 429


def test_wrong_pins_at_one_worker_count_at_the_other(make_app, store, kiosk_pin):
    workers = [make_app(RATELIMIT_KIOSK_PIN="3 per minute") for _ in range(2)]
    with workers[0].test_request_context("/"):
        marked = Response()
        turn_kiosk_on(marked)
    cookie = marked.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    tablets = []
    for worker in workers:
        tablet = worker.test_client()
        tablet.set_cookie(KIOSK_COOKIE, cookie)
        tablets.append(tablet)
    wrong = [
        tablets[i % 2].post("/kiosk/ontgrendelen", data={"pin": "999999"}).status_code
        for i in range(3)
    ]
    assert wrong == [422, 422, 422]
    assert tablets[1].post("/kiosk/ontgrendelen", data={"pin": kiosk_pin}).status_code == 429
    assert tablets[0].post("/kiosk/ontgrendelen", data={"pin": kiosk_pin}).status_code == 429


def test_a_right_pin_gives_its_attempt_back(make_app, store, kiosk_pin):
    app = make_app(RATELIMIT_KIOSK_PIN="2 per minute")
    with app.test_request_context("/"):
        marked = Response()
        turn_kiosk_on(marked)
    cookie = marked.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]

    def tablet():
        client = app.test_client()
        client.set_cookie(KIOSK_COOKIE, cookie)
        return client

    assert tablet().post("/kiosk/ontgrendelen", data={"pin": "999999"}).status_code == 422
    assert tablet().post("/kiosk/ontgrendelen", data={"pin": kiosk_pin}).status_code == 302
    # One failure so far, so one more try is left; then none.
    assert tablet().post("/kiosk/ontgrendelen", data={"pin": "999999"}).status_code == 422
    assert tablet().post("/kiosk/ontgrendelen", data={"pin": kiosk_pin}).status_code == 429


def test_a_counted_failure_outlives_the_requests_rollback_and_commits_nothing_of_it(app):
    with app.test_request_context("/login", method="POST"):
        # The request has work in hand …
        db.session.add(User(username="half-made", password_hash="x", role="facilitator"))
        # … when a failure is counted …
        LOGIN.attempt("fien")
        TOKEN_LOOKUPS.spend()
        # … and then the request fails and rolls back.
        db.session.rollback()
    counts = _stored()
    assert sorted(counts.values()) == [1, 1, 1]
    assert db.session.execute(select(User).where(User.username == "half-made")).first() is None


def test_keys_name_neither_the_address_nor_the_account(make_app):
    app = make_app(RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    _login(client, "fien.de.vries", "fout")
    client.get("/api/v1/receipts/no-such-token")
    with app.app_context():
        keys = list(_stored())
    assert len(keys) == 3
    assert [k for k in keys if "login-account" in k]
    assert [k for k in keys if "login-address" in k]
    assert [k for k in keys if "token-lookups" in k]
    for key in keys:
        assert "fien" not in key and "127.0.0.1" not in key and "localhost" not in key


def test_a_window_ends_after_its_period_and_old_windows_are_cleaned_up(make_app):
    app = make_app(RATELIMIT_TOKEN_LOOKUP="2 per second")
    client = app.test_client()
    assert [client.get("/api/v1/receipts/nope").status_code for _ in range(3)] == [
        404,
        404,
        429,
    ]
    with app.app_context():
        storage = rate_limit_storage(app)
        storage.incr("LIMITER/test/other-key", 1)
        assert len(_stored()) == 2
        time.sleep(1.2)
        # Both windows are over: the address may guess again …
        assert client.get("/api/v1/receipts/nope").status_code == 404
        # … and the row of the key nobody used since is gone with its window.
        stored = _stored()
    assert list(stored.values()) == [1]
    assert all("token-lookups" in key for key in stored)
