"""Rate limits hold across the worker processes of `popupstore serve` and across servers.

Real servers (gunicorn, two workers) on a real SQLite file or PostgreSQL server, counting
in the application database, and two servers counting in a real redis-server. Failures
are sent in parallel from one address (127.0.0.1): a limit of N allows exactly N in total,
not N per process.
"""

from __future__ import annotations

import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from popupstore.extensions import db
from popupstore.ratelimits.models import RateLimitCounter

from .conftest import Server, checkout_body, io_bytes, request

pytestmark = pytest.mark.slow

PASSWORD = "geheim-wachtwoord"
PER_ACCOUNT = 5
PER_ADDRESS = 12
TOKEN_GUESSES = 8
LIMITS = {
    "POPUPSTORE_RATELIMIT_LOGIN": f"{PER_ACCOUNT} per minute",
    "POPUPSTORE_RATELIMIT_LOGIN_ADDRESS": f"{PER_ADDRESS} per minute",
    "POPUPSTORE_RATELIMIT_TOKEN_LOOKUP": f"{TOKEN_GUESSES} per minute",
}
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
WRONG = "Gebruikersnaam of wachtwoord klopt niet."


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass(frozen=True)
class LoginForm:
    """The login form of one server as a browser holds it: a session cookie and its token."""

    url: str
    cookie: str
    csrf_token: str

    @classmethod
    def open(cls, base_url: str) -> LoginForm:
        with urllib.request.urlopen(f"{base_url}/login", timeout=20) as response:
            page = response.read().decode()
            cookie = response.headers["Set-Cookie"].split(";", 1)[0]
        found = CSRF_FIELD.search(page)
        assert found, page
        return cls(f"{base_url}/login", cookie, found.group(1))

    def submit(self, username: str, password: str) -> tuple[int, str, dict[str, str]]:
        """Status, page and headers of one login attempt (302 is a successful login)."""
        form = {"username": username, "password": password, "csrf_token": self.csrf_token}
        call = urllib.request.Request(
            self.url,
            data=urllib.parse.urlencode(form).encode(),
            headers={"Cookie": self.cookie},
            method="POST",
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(call, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode(), dict(error.headers)


def outcome(status: int, page: str) -> str:
    if status == 200:
        assert WRONG in page
        return "wrong"
    return {302: "logged in", 429: "refused"}.get(status, str(status))


class WorkerActivity:
    """Which workers of a server did something between `__init__` and `answered`."""

    def __init__(self, server: Server) -> None:
        self.pids = server.worker_pids()
        assert len(self.pids) == server.workers, self.pids
        self.before = {pid: io_bytes(pid) for pid in self.pids}

    def answered(self) -> list[int]:
        # A request answered is at least its request line read and a status line written.
        return [pid for pid in self.pids if io_bytes(pid) - self.before[pid] > 100]


def burst(calls: list[Any], threads: int = 8) -> list[Any]:
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(lambda call: call(), calls))


def stored_keys() -> list[str]:
    """The keys of the counts kept in the database, read fresh."""
    db.session.remove()
    keys = list(db.session.execute(select(RateLimitCounter.key)).scalars())
    db.session.rollback()
    return keys


def test_login_failures_count_once_across_two_workers_and_two_servers(app, store, make_user, serve):
    make_user("fien", "facilitator", PASSWORD)
    make_user("bram", "facilitator", PASSWORD)
    first = serve(workers=2, name="a", env=LIMITS)
    second = serve(workers=1, name="b", env=LIMITS)
    forms = [LoginForm.open(first.url), LoginForm.open(second.url)]
    workers = WorkerActivity(first)

    # 24 wrong passwords for one account at once, spread over three processes.
    answers = burst(
        [lambda f=forms[i % 2]: f.submit("fien", f"fout-{secrets.token_hex(4)}") for i in range(24)]
    )
    outcomes = Counter(outcome(status, page) for status, page, _ in answers)
    assert outcomes == {"wrong": PER_ACCOUNT, "refused": 24 - PER_ACCOUNT}
    assert len(workers.answered()) == 2, "one worker answered everything: nothing was shared"
    refused = next(headers for status, _, headers in answers if status == 429)
    assert 1 <= int(refused["Retry-After"]) <= 60

    # Even the right password is refused for that account now, at either server …
    for form in forms:
        assert form.submit("fien", PASSWORD)[0] == 429
    # … but another account at the same address logs in: the burst cost the address only
    # the failures that were let through.
    assert outcome(*LoginForm.open(second.url).submit("bram", PASSWORD)[:2]) == "logged in"

    # The address has its own, larger budget: failures for many names add up across the
    # processes until it is spent, and then the address is refused whatever the name.
    left = PER_ADDRESS - PER_ACCOUNT
    spread = burst([lambda i=i: forms[i % 2].submit(f"naam-{i}", "fout") for i in range(left + 3)])
    assert Counter(outcome(status, page) for status, page, _ in spread) == {
        "wrong": left,
        "refused": 3,
    }
    assert LoginForm.open(first.url).submit("bram", PASSWORD)[0] == 429
    # The counts live in the database, under keys that name neither account nor address.
    keys = stored_keys()
    assert any("login-account" in key for key in keys), keys
    assert not any("fien" in key or "127.0.0.1" in key for key in keys), keys


def test_token_guesses_count_once_across_two_workers_and_checkouts_are_never_limited(
    app, store, serve
):
    server = serve(workers=2, name="tokens", env=LIMITS)
    workers = WorkerActivity(server)
    paths = ["/api/v1/receipts/{}", "/r/{}", "/r/{}/qr.png"]
    guesses = burst(
        [
            lambda i=i: request(server.url + paths[i % 3].format(secrets.token_urlsafe(24)))
            for i in range(30)
        ]
    )
    assert Counter(g.status for g in guesses) == {404: TOKEN_GUESSES, 429: 30 - TOKEN_GUESSES}
    assert len(workers.answered()) == 2, "one worker answered everything: nothing was shared"

    # The whole venue shares this address, and still every checkout goes through, and each
    # visitor opens their own receipt while guesses from here are refused.
    url = f"{server.url}/api/v1/events/breda-2026/checkouts"
    created = burst([lambda i=i: request(url, "POST", checkout_body(i)) for i in range(20)])
    assert [c.status for c in created] == [201] * 20
    receipts = burst(
        [lambda c=c: request(f"{server.url}/api/v1/receipts/{c.body['token']}") for c in created]
    )
    assert [r.status for r in receipts] == [200] * 20
    assert request(f"{server.url}/api/v1/receipts/{secrets.token_urlsafe(24)}").status == 429


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_two_servers_count_in_one_redis(app, store, make_user, serve, redis_url, redis_server):
    make_user("fien", "facilitator", PASSWORD)
    make_user("bram", "facilitator", PASSWORD)
    env = {**LIMITS, "POPUPSTORE_RATELIMIT_STORAGE_URI": redis_url}
    servers = [serve(workers=2, name="a", env=env), serve(workers=2, name="b", env=env)]
    forms = [LoginForm.open(s.url) for s in servers]
    workers = [WorkerActivity(s) for s in servers]

    answers = burst([lambda f=forms[i % 2]: f.submit("fien", "fout") for i in range(20)])
    assert Counter(outcome(status, page) for status, page, _ in answers) == {
        "wrong": PER_ACCOUNT,
        "refused": 20 - PER_ACCOUNT,
    }
    assert [len(w.answered()) for w in workers] == [2, 2]
    for form in forms:
        assert form.submit("fien", PASSWORD)[0] == 429
    assert outcome(*LoginForm.open(servers[1].url).submit("bram", PASSWORD)[:2]) == "logged in"

    guesses = burst(
        [
            lambda i=i: request(f"{servers[i % 2].url}/api/v1/receipts/{secrets.token_urlsafe(24)}")
            for i in range(20)
        ]
    )
    assert Counter(g.status for g in guesses) == {404: TOKEN_GUESSES, 429: 20 - TOKEN_GUESSES}

    # The counts are in Redis, not in the database, under keys that name no one.
    client = redis_server.client()
    try:
        keys = [key.decode() for key in client.keys("*")]
    finally:
        client.close()
    assert any("login-account" in key for key in keys), keys
    assert any("login-address" in key for key in keys), keys
    assert any("token-lookups" in key for key in keys), keys
    assert not any("fien" in key or "127.0.0.1" in key for key in keys), keys
    assert stored_keys() == []
