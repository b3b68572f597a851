"""Two servers, one database: two `popupstore serve` processes (two workers each) on one
PostgreSQL server, counting rate limits in one redis-server, as two machines behind a
proxy are. What one server changes, the other's pages show within the freshness window;
an idempotency key, the login and PIN limits and a staff session hold across both."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
from sqlalchemy import func, select

from popupstore.basket.models import Checkout
from popupstore.config import Defaults
from popupstore.extensions import db
from popupstore.ratelimits.models import RateLimitCounter

from .conftest import Browser, Server, eventually, request

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]

EVENT = "breda-2026"
CHECKOUTS = f"/api/v1/events/{EVENT}/checkouts"
LIVE = f"/facilitator/evenement/{EVENT}/live"
WALL = f"/facilitator/evenement/{EVENT}/wand/live"
# The deadline for "within the freshness window" on a loaded test machine.
WINDOW = Defaults.FRESHNESS_SECONDS + 20
LOGIN_LIMIT = 4
PIN_LIMIT = 3
PIN = "2468"


@pytest.fixture
def servers(
    app: Any,
    store: Any,
    make_user: Callable[..., Any],
    serve: Callable[..., Server],
    redis_url: str,
) -> tuple[Server, Server]:
    make_user("fien", "facilitator")
    make_user("olga", "organiser")
    env = {
        "POPUPSTORE_RATELIMIT_STORAGE_URI": redis_url,
        "POPUPSTORE_RATELIMIT_LOGIN": f"{LOGIN_LIMIT} per minute",
        "POPUPSTORE_RATELIMIT_KIOSK_PIN": f"{PIN_LIMIT} per minute",
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(lambda name: serve(workers=2, name=name, env=env), ("a", "b"))
    return first, second


def check_out(server: Server, name: str, organisation: str, **headers: str) -> dict[str, Any]:
    body = {
        "items": [
            {"product": "geldfit", "intent": "want"},
            {"product": "vroegsignalering", "intent": "have"},
        ],
        "visitor": {"name": name, "organisation": organisation, "share_contact": True},
    }
    answer = request(server.url + CHECKOUTS, "POST", body, headers=headers)
    assert answer.status == 201, answer.body
    result: dict[str, Any] = answer.body
    return result


def counted(fragment: str) -> int:
    found = re.search(r'data-count="checkouts">(\d+)<', fragment)
    assert found, fragment
    return int(found.group(1))


def stored_checkouts() -> int:
    db.session.remove()
    count = db.session.execute(select(func.count(Checkout.id))).scalar_one()
    db.session.rollback()
    return int(count)


def test_what_one_server_changes_the_other_shows_within_the_freshness_window(servers):
    a, b = servers
    anna = check_out(b, "Anna Visser", "Breda")
    visitor, staff = Browser(), Browser()
    staff.log_in(b.url, "fien")

    def receipt(token: str) -> str:
        page = visitor.get(f"{b.url}/r/{token}")
        return page.text if page.status == 200 else f"status {page.status}"

    def live() -> int:
        return counted(staff.get(b.url + LIVE, {"X-Requested-With": "fetch"}).text)

    def wall() -> str:
        return staff.get(b.url + WALL, {"X-Requested-With": "fetch"}).text

    # B has shown (and kept) every page as it was before, in both its workers.
    for _ in range(4):
        assert "Bram Jansen" not in receipt(anna["token"])
        assert live() == 1 and "1 bon<" in wall()

    # A checkout at A: on B's receipt page of an earlier visitor, its live view and wall.
    bram = check_out(a, "Bram Jansen", "Tilburg")
    eventually(lambda: "Bram Jansen" in receipt(anna["token"]), "the partner on B's receipt")
    eventually(lambda: live() == 2, "two checkouts in B's live view", WINDOW)
    eventually(lambda: "2 bonnen<" in wall(), "two checkouts on B's wall", WINDOW)

    # A product edited at A: B's kept start page and receipt show the new name.
    organiser = Browser()
    organiser.log_in(a.url, "olga")
    edit = "/organisator/catalogus/geldfit/bewerken"
    fields = organiser.get(a.url + edit).form("")
    assert fields["name"] == "Geldfit"
    answer = organiser.post(a.url + edit, {**fields, "name": "Geldfit op het werk"})
    assert answer.status == 302, answer.text
    eventually(lambda: "Geldfit op het werk" in visitor.get(b.url + "/").text, "B's start page")
    eventually(lambda: "Geldfit op het werk" in receipt(anna["token"]), "B's receipt", WINDOW)

    # Moderation at A: the hidden checkout leaves B's receipts, live view and wall; shown
    # again, it comes back.
    moderator = Browser()
    moderator.log_in(a.url, "fien")
    overlap = f"{a.url}/facilitator/evenement/{EVENT}/overlap"
    hide = f"{a.url}/facilitator/evenement/{EVENT}/bon/{bram['number']}/verbergen"
    assert moderator.submit(overlap, hide, {}).status == 302
    eventually(lambda: "Bram Jansen" not in receipt(anna["token"]), "hidden on B", WINDOW)
    eventually(lambda: live() == 1 and "1 bon<" in wall(), "hidden from B's counts", WINDOW)
    show = f"{a.url}/facilitator/evenement/{EVENT}/bon/{bram['number']}/tonen"
    assert moderator.submit(overlap, show, {}).status == 302
    eventually(lambda: "Bram Jansen" in receipt(anna["token"]), "shown again on B", WINDOW)

    # Bram erases himself at A: his receipt is gone at B, and he from Anna's.
    erase = f"{a.url}/r/{bram['token']}/wissen"
    assert Browser().submit(erase, erase, {}).status == 302
    eventually(lambda: receipt(bram["token"]) == "status 404", "B opens no erased receipt")
    eventually(lambda: "Bram Jansen" not in receipt(anna["token"]), "erased on B", WINDOW)
    eventually(lambda: live() == 1, "erased from B's live view", WINDOW)

    # The organiser purges the event at A: B opens no receipt of it and shows no name.
    purge = f"{a.url}/organisator/privacy/evenement/{EVENT}/wissen"
    assert organiser.submit(purge, purge, {"confirm": "y"}).status == 302
    eventually(lambda: receipt(anna["token"]) == "status 404", "B opens no purged receipt")
    assert request(f"{b.url}/api/v1/receipts/{anna['token']}").status == 404
    overview = staff.get(f"{b.url}/facilitator/evenement/{EVENT}").text
    assert "Anna Visser" not in overview and "Bram Jansen" not in overview
    assert live() == 1  # a purged checkout still counts, anonymously


def test_an_idempotency_key_used_at_one_server_and_then_the_other_stores_one_checkout(servers):
    a, b = servers
    first = check_out(a, "Anna Visser", "Breda", **{"Idempotency-Key": "kiosk-1-0007"})
    again = check_out(b, "Anna Visser", "Breda", **{"Idempotency-Key": "kiosk-1-0007"})
    assert (again["number"], again["token"]) == (first["number"], first["token"])
    assert stored_checkouts() == 1
    other = {
        "items": [{"product": "geldfit", "intent": "have"}],
        "visitor": {"name": "Anna Visser", "organisation": "Breda"},
    }
    headers = {"Idempotency-Key": "kiosk-1-0007"}
    assert request(b.url + CHECKOUTS, "POST", other, headers=headers).status == 409
    # Erased at B, the key replays nothing at A.
    assert request(f"{b.url}/api/v1/receipts/{first['token']}", "DELETE").status == 204
    body = {
        "items": [
            {"product": "geldfit", "intent": "want"},
            {"product": "vroegsignalering", "intent": "have"},
        ],
        "visitor": {"name": "Anna Visser", "organisation": "Breda", "share_contact": True},
    }
    assert request(a.url + CHECKOUTS, "POST", body, headers=headers).status == 404
    assert stored_checkouts() == 0


def test_login_and_pin_limits_count_across_both_servers_in_redis(servers, redis_url):
    from popupstore.kiosk.services import set_pin

    set_pin(PIN)
    db.session.commit()
    a, b = servers
    browsers = {server.url: Browser() for server in (a, b)}

    def try_password(server: Server, password: str) -> str:
        page = browsers[server.url].submit(
            f"{server.url}/login", f"{server.url}/login", {"username": "fien", "password": password}
        )
        if page.status == 200:
            assert "Gebruikersnaam of wachtwoord klopt niet." in page.text
            return "wrong"
        return {302: "logged in", 429: "refused"}.get(page.status, str(page.status))

    tried = [try_password((a, b)[n % 2], f"fout-{n}") for n in range(LOGIN_LIMIT + 3)]
    assert tried == ["wrong"] * LOGIN_LIMIT + ["refused"] * 3
    assert [try_password(server, "geheim-wachtwoord") for server in (a, b)] == ["refused"] * 2

    # A tablet switched to kiosk mode at A; wrong PINs at A and B share one budget.
    tablet = Browser()
    tablet.log_in(a.url, "olga")
    assert tablet.submit(f"{a.url}/kiosk", f"{a.url}/kiosk/aan", {}).status == 302

    def try_pin(server: Server, pin: str) -> int:
        unlock = f"{server.url}/kiosk/ontgrendelen"
        return tablet.submit(unlock, unlock, {"pin": pin}).status

    pins = [try_pin((b, a)[n % 2], "0000") for n in range(PIN_LIMIT + 2)]
    assert pins == [422] * PIN_LIMIT + [429] * 2
    assert try_pin(b, PIN) == 429

    # The counts are in Redis, none in the database.
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.dbsize() >= 2
    finally:
        client.close()
    db.session.remove()
    assert db.session.execute(select(func.count()).select_from(RateLimitCounter)).scalar() == 0
    db.session.rollback()


def test_a_staff_session_made_at_one_server_works_at_the_other_and_a_logout_ends_it_at_both(
    servers,
):
    a, b = servers
    fien = Browser()
    fien.log_in(a.url, "fien")
    copy = Browser()
    for cookie in fien.cookies:
        copy.cookies.set_cookie(cookie)
    for browser in (fien, copy):
        assert [browser.get(f"{s.url}/facilitator/").status for s in (b, a, b)] == [200] * 3
    logout = fien.submit(f"{b.url}/facilitator/", f"{b.url}/logout", {})
    assert logout.status == 302
    for browser in (fien, copy):
        answers = [browser.get(f"{s.url}/facilitator/") for s in (a, b, a, b)]
        assert [page.status for page in answers] == [302] * 4
        assert all(page.headers["Location"].startswith("/login") for page in answers)
