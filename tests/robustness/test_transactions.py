"""A checkout is one transaction; SQLite runs in WAL mode with a busy timeout."""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

import popupstore.api.views as api_views
from popupstore.basket.models import BasketLine, Checkout, IdempotencyRecord
from popupstore.db_setup import SQLITE_BUSY_TIMEOUT_MS
from popupstore.events.services import get_event
from popupstore.extensions import db

from .conftest import checkout_body

URL = "/api/v1/events/breda-2026/checkouts"


def nothing_stored() -> bool:
    db.session.expire_all()
    counts = [
        db.session.execute(select(func.count(model.id))).scalar_one()
        for model in (Checkout, BasketLine, IdempotencyRecord)
    ]
    last_number = get_event("breda-2026").last_number
    db.session.rollback()
    return counts == [0, 0, 0] and last_number == 0


def _broken_answer(view: object, token: str, base_url: str) -> dict:
    raise RuntimeError("the answer could not be built")


@pytest.fixture
def fail_after_the_lines_are_written() -> Iterator[None]:
    """Make the flush that writes a checkout's basket lines fail after it wrote them."""

    def fail(session: Session, _context: object) -> None:
        if any(isinstance(obj, BasketLine) for obj in session.new):
            session.info["lines_written"] = True

    def after(session: Session, _context: object) -> None:
        if session.info.pop("lines_written", False):
            raise RuntimeError("the disk is full")

    sa_event.listen(Session, "before_flush", fail)
    sa_event.listen(Session, "after_flush", after)
    yield
    sa_event.remove(Session, "before_flush", fail)
    sa_event.remove(Session, "after_flush", after)


def test_a_failure_after_the_lines_are_written_leaves_nothing(
    client, store, fail_after_the_lines_are_written
):
    response = client.post(URL, json=checkout_body(3), headers={"Idempotency-Key": "k"})
    assert response.status_code == 500
    assert response.get_json() == {
        "error": {"code": "internal_error", "message": "Something went wrong on our side."}
    }
    assert nothing_stored()


def test_a_failure_while_answering_leaves_nothing_and_no_gap(client, store, monkeypatch):
    monkeypatch.setattr(api_views, "checkout_created_json", _broken_answer)
    response = client.post(URL, json=checkout_body(2), headers={"Idempotency-Key": "k"})
    assert response.status_code == 500
    assert nothing_stored()
    monkeypatch.undo()
    # The number the failed checkout had taken is free again: no gap.
    retry = client.post(URL, json=checkout_body(2), headers={"Idempotency-Key": "k"})
    assert retry.status_code == 201
    assert retry.get_json()["number"] == 1


def test_a_failed_kiosk_checkout_leaves_nothing_and_keeps_the_basket(client, store):
    client.post("/mandje/geldfit", data={"intent": "want"})
    page = client.get("/afrekenen").get_data(as_text=True)
    key = re.search(r'name="checkout_key" type="hidden" value="([^"]+)"', page).group(1)
    form = {"name": "Anna", "organisation": "Breda", "checkout_key": key}

    def fail(session: Session, _context: object) -> None:
        if any(isinstance(obj, BasketLine) for obj in session.new):
            raise RuntimeError("the disk is full")

    sa_event.listen(Session, "before_flush", fail)
    try:
        assert client.post("/afrekenen", data=form).status_code == 500
    finally:
        sa_event.remove(Session, "before_flush", fail)
    assert nothing_stored()
    # The visitor taps again and it goes through, with the basket still there.
    assert client.post("/afrekenen", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.execute(select(Checkout.number)).scalars().all() == [1]


def test_checkouts_and_erasures_at_the_same_time_keep_numbers_unique(app, store):
    """Threads check out on several 'kiosks' while visitors erase their receipts."""
    numbers: list[int] = []
    tokens: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(7)

    def kiosk(index: int) -> None:
        with app.test_client() as own:
            barrier.wait()
            for turn in range(4):
                response = own.post(URL, json=checkout_body(index * 10 + turn))
                if response.status_code != 201:
                    errors.append(str(response.get_json()))
                    continue
                with lock:
                    numbers.append(response.get_json()["number"])
                    tokens.append(response.get_json()["token"])

    def eraser() -> None:
        chooser = random.Random(5)
        with app.test_client() as own:
            barrier.wait()
            erased = 0
            while erased < 6:
                with lock:
                    candidates = list(tokens)
                if not candidates:
                    continue
                token = chooser.choice(candidates)
                status = own.delete(f"/api/v1/receipts/{token}").status_code
                if status == 204:
                    erased += 1
                    with lock:
                        tokens.remove(token)

    threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(6)]
    threads.append(threading.Thread(target=eraser))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(numbers) == list(range(1, 25))
    db.session.expire_all()
    remaining = db.session.execute(select(Checkout.number)).scalars().all()
    assert len(remaining) == 18
    lines = db.session.execute(select(func.count(BasketLine.id))).scalar_one()
    assert lines == sum(len(c.lines) for c in db.session.execute(select(Checkout)).scalars())
    assert get_event("breda-2026").last_number == 24


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_secure_delete(app):
    if db.engine.dialect.name != "sqlite":
        # PostgreSQL has its own write-ahead log and row locks; nothing to set.
        assert db.engine.dialect.name == "postgresql"
        assert db.session.execute(text("SHOW default_transaction_isolation")).scalar_one() == (
            "read committed"
        )
        return
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() == (
            SQLITE_BUSY_TIMEOUT_MS
        )
        assert connection.execute(text("PRAGMA secure_delete")).scalar_one() == 1
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
