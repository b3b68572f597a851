"""The production server: killed in the middle of 50 checkouts it loses nothing and stores
nothing twice; several workers and servers share one database and nothing else."""

from __future__ import annotations

import hashlib
import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from popupstore.basket.models import Checkout
from popupstore.extensions import db

from .conftest import Answer, checkout_body, request

pytestmark = pytest.mark.slow

CHECKOUTS = 50
URL = "/api/v1/events/breda-2026/checkouts"


def stored_checkouts() -> dict[str, Checkout]:
    """The stored checkouts by visitor name, with their lines, read fresh."""
    db.session.remove()
    found = db.session.execute(
        select(Checkout).options(selectinload(Checkout.lines)).order_by(Checkout.number)
    ).scalars()
    result = {checkout.visitor_name: checkout for checkout in found}
    db.session.rollback()
    return result


def items_of(checkout: Checkout) -> list[tuple[str, str]]:
    return sorted((line.product.slug, line.intent) for line in checkout.lines)


def items_sent(index: int) -> list[tuple[str, str]]:
    return sorted((i["product"], i["intent"]) for i in checkout_body(index)["items"])


def test_sigkill_in_the_middle_of_50_checkouts_loses_nothing_and_doubles_nothing(app, store, serve):
    server = serve(workers=2, name="first")
    answers: dict[int, Answer] = {}
    failures: dict[int, str] = {}
    enough = threading.Event()
    lock = threading.Lock()

    def send(index: int) -> None:
        try:
            answer = request(
                server.url + URL,
                "POST",
                checkout_body(index),
                headers={"Idempotency-Key": f"crash-{index}"},
            )
        except OSError as error:
            with lock:
                failures[index] = type(error).__name__
            return
        with lock:
            answers[index] = answer
            if sum(a.status == 201 for a in answers.values()) >= 15:
                enough.set()

    with ThreadPoolExecutor(max_workers=12) as pool:
        for index in range(CHECKOUTS):
            pool.submit(send, index)
        assert enough.wait(timeout=120), "no 15 checkouts went through"
        server.kill()
    created = {i: a.body for i, a in answers.items() if a.status == 201}
    # The kill came in the middle: some answered, some were cut off.
    assert 15 <= len(created) < CHECKOUTS
    assert failures, "every request was answered: the kill came too late"
    assert all(a.status == 201 for a in answers.values()), answers

    # Everything that got a 201 is stored whole; nothing is stored half.
    stored = stored_checkouts()
    for index, body in created.items():
        checkout = stored[f"Bezoeker {index:03d}"]
        assert checkout.number == body["number"]
        assert checkout.token_hash == hashlib.sha256(body["token"].encode()).hexdigest()
        assert items_of(checkout) == items_sent(index)
    for name, checkout in stored.items():
        assert items_of(checkout) == items_sent(int(name.split()[-1])), name
    numbers = sorted(c.number for c in stored.values())
    assert numbers == list(range(1, len(numbers) + 1))

    # Restarted, the kiosks send again what got no answer, and repeat the rest: every
    # checkout exists once, those answered before keep their number and token.
    again = serve(workers=2, name="second")
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = dict(
            zip(
                range(CHECKOUTS),
                pool.map(
                    lambda i: request(
                        again.url + URL,
                        "POST",
                        checkout_body(i),
                        headers={"Idempotency-Key": f"crash-{i}"},
                    ),
                    range(CHECKOUTS),
                ),
                strict=True,
            )
        )
    assert {reply.status for reply in replies.values()} == {201}
    for index, body in created.items():
        assert replies[index].body["number"] == body["number"]
        assert replies[index].body["token"] == body["token"]
    final = stored_checkouts()
    assert len(final) == CHECKOUTS
    assert sorted(c.number for c in final.values()) == list(range(1, CHECKOUTS + 1))
    for name, checkout in final.items():
        assert items_of(checkout) == items_sent(int(name.split()[-1])), name


def _at_once(calls: list[Any]) -> list[Answer]:
    """Run the calls at the same moment, one thread each."""
    barrier = threading.Barrier(len(calls))
    results: list[Answer | None] = [None] * len(calls)

    def run(position: int) -> None:
        barrier.wait()
        results[position] = calls[position]()

    threads = [threading.Thread(target=run, args=(p,)) for p in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def test_the_same_idempotency_key_at_two_servers_at_once_is_one_checkout(app, store, serve):
    first = serve(workers=1, name="a")
    second = serve(workers=1, name="b")
    for index in range(8):
        body = checkout_body(index)
        headers = {"Idempotency-Key": f"twice-{index}"}
        answers = _at_once(
            [
                lambda s=server, b=body, h=headers: request(s.url + URL, "POST", b, headers=h)
                for server in (first, second, first, second)
            ]
        )
        assert [a.status for a in answers] == [201] * 4, [a.body for a in answers]
        assert len({a.body["token"] for a in answers}) == 1
    # The same key with another body is refused on the other server.
    other = request(
        second.url + URL, "POST", checkout_body(99), headers={"Idempotency-Key": "twice-0"}
    )
    assert other.status == 409
    stored = stored_checkouts()
    assert len(stored) == 8
    assert sorted(c.number for c in stored.values()) == list(range(1, 9))


def test_workers_share_state_through_the_database_only(app, store, serve, make_user, tmp_path):
    make_user("fien", "facilitator", "geheim-wachtwoord")
    first = serve(workers=2, name="a")
    second = serve(workers=2, name="b")
    anna = request(first.url + URL, "POST", checkout_body(1)).body
    # Another process sees the checkout at once, and its later checkouts match the first.
    assert request(f"{second.url}/api/v1/receipts/{anna['token']}").status == 200
    bram_body = checkout_body(1)
    bram_body["visitor"].update(name="Bezoeker 901", organisation="Zwolle", share_contact=True)
    bram = request(second.url + URL, "POST", bram_body).body
    for server in (first, second, first, second):
        receipt = request(f"{server.url}/api/v1/receipts/{anna['token']}").body
        assert [m["number"] for m in receipt["matches"]] == [bram["number"]]
    # Erased on one server, gone on every server (their caches rebuild).
    assert request(f"{second.url}/api/v1/receipts/{bram['token']}", "DELETE").status == 204
    for server in (first, second, first, second):
        assert request(f"{server.url}/api/v1/receipts/{bram['token']}").status == 404
        receipt = request(f"{server.url}/api/v1/receipts/{anna['token']}").body
        assert receipt["matches"] == []
    # Receipt numbers come from the database, whichever process takes the next one.
    numbers = [
        request(s.url + URL, "POST", checkout_body(10 + i)).body["number"]
        for i, s in enumerate((first, second, first, second))
    ]
    assert numbers == [3, 4, 5, 6]
    # The staff session lives in the signed cookie, so any worker knows it; a logout at
    # one server ends it at every worker of both.
    cookie = _log_in(first.url)
    assert [_staff_page(s.url, cookie) for s in (second, first, second)] == [200, 200, 200]
    _log_out(second.url, cookie)
    assert [_staff_page(s.url, cookie) for s in (first, second, first)] == [302, 302, 302]
    # Neither server's log holds a visitor's name or a receipt token.
    for name in ("a", "b"):
        log = (tmp_path / f"{name}.log").read_text()
        assert "/r/[token]" in log or "/api/v1/receipts/[token]" in log
        assert anna["token"] not in log and bram["token"] not in log
        assert "Bezoeker" not in log


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _log_in(server: str) -> str:
    """Log fien in through the login form at `server`; the session cookie's value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{server}/login", timeout=10).read().decode()
    csrf = CSRF_FIELD.search(page).group(1)
    form = urllib.parse.urlencode(
        {"username": "fien", "password": "geheim-wachtwoord", "csrf_token": csrf}
    ).encode()
    opener.open(f"{server}/login", data=form, timeout=10).read()
    return next(c.value for c in jar if c.name == "popupstore_session")


def _open(server: str, cookie: str, path: str, data: bytes | None = None) -> tuple[int, str]:
    """The status and body of `path` at `server`, sent with exactly this session cookie."""
    staff = urllib.request.Request(
        f"{server}{path}", data=data, headers={"Cookie": f"popupstore_session={cookie}"}
    )
    no_redirect = urllib.request.build_opener(_NoRedirect)
    try:
        with no_redirect.open(staff, timeout=10) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        error.close()
        return int(error.code), ""


def _staff_page(server: str, cookie: str) -> int:
    return _open(server, cookie, "/facilitator/")[0]


def _log_out(server: str, cookie: str) -> None:
    """Press "Uitloggen" on the facilitator's page at `server`."""
    _status, page = _open(server, cookie, "/facilitator/")
    form = urllib.parse.urlencode({"csrf_token": CSRF_FIELD.search(page).group(1)}).encode()
    assert _open(server, cookie, "/logout", data=form)[0] == 302


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None
