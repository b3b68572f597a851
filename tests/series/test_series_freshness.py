"""Two workers on one database: a checkout at a later day of a series reaches a receipt of
an earlier day at once, its kept page and its poll alike."""

from __future__ import annotations

from typing import Any

from flask import Flask

from popupstore.events.services import activate_event, get_event
from popupstore.extensions import db

from .conftest import BREDA, VISITORS, ZWOLLE


def at(app: Flask, method: str, url: str, **kwargs: Any) -> Any:
    with app.app_context():
        return app.test_client().open(url, method=method, **kwargs)


def checkout(app: Flask, visitor: dict[str, Any]) -> dict[str, Any]:
    with app.app_context():
        activate_event(get_event(visitor["event"]))
        db.session.commit()
    body = {
        "items": [{"product": p, "intent": i} for p, i in visitor["items"].items()],
        "visitor": {
            "name": visitor["name"],
            "organisation": visitor["organisation"],
            "share_contact": True,
            "across_series": True,
        },
    }
    response = at(app, "POST", f"/api/v1/events/{visitor['event']}/checkouts", json=body)
    assert response.status_code == 201
    result: dict[str, Any] = response.get_json()
    return result


def test_a_later_days_checkout_shows_on_an_earlier_days_receipt_at_once(make_app, series_events):
    first, second = make_app(FRESHNESS_SECONDS=0), make_app(FRESHNESS_SECONDS=0)
    anna = checkout(first, VISITORS[0])
    assert VISITORS[0]["event"] == BREDA
    # The kiosk moves on to the next day before the receipt is looked at again.
    with second.app_context():
        activate_event(get_event(ZWOLLE))
        db.session.commit()
    page = at(first, "GET", f"/r/{anna['token']}")
    assert page.status_code == 200 and "Dirk" not in page.get_data(as_text=True)
    # The first worker keeps the page it rendered; a poll holds its ETag.
    poll = at(first, "GET", f"/r/{anna['token']}/partners")
    dirk = VISITORS[3]
    assert dirk["event"] == ZWOLLE
    checkout(second, dirk)
    again = at(
        first,
        "GET",
        f"/r/{anna['token']}/partners",
        headers={"If-None-Match": poll.headers["ETag"]},
    )
    assert again.status_code == 200
    assert "Dirk" in again.get_data(as_text=True)
    assert "Dirk" in at(first, "GET", f"/r/{anna['token']}").get_data(as_text=True)
