"""Named versions: every change shows at once on every page that displays it, on every worker.

Two apps on one database stand for two workers. Each test first makes both workers keep
what they render (kept pages, match indexes, ETags), then changes something through one
of them, and checks that the other shows the change on its next request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from popupstore import versions
from popupstore.basket.models import Checkout
from popupstore.catalog.models import Product
from popupstore.catalog.services import edit_product, get_product
from popupstore.events.services import create_event
from popupstore.extensions import db

from .security.conftest import fresh_request

URL = "/api/v1/events/breda-2026/checkouts"


@pytest.fixture
def workers(make_app: Callable[..., Flask], store: Any) -> tuple[Flask, Flask]:
    return make_app(), make_app()


def checkout(client: Any, name: str, organisation: str, items: dict[str, str]) -> dict[str, Any]:
    payload = {
        "items": [{"product": p, "intent": i} for p, i in items.items()],
        "visitor": {"name": name, "organisation": organisation, "share_contact": True},
    }
    response = fresh_request(client, "POST", URL, json=payload)
    assert response.status_code == 201, response.get_json()
    result: dict[str, Any] = response.get_json()
    return result


def html(client: Any, url: str) -> str:
    response = fresh_request(client, "GET", url)
    assert response.status_code == 200, (url, response.status_code)
    return str(response.get_data(as_text=True))


def staff(app: Flask, make_user: Callable[..., Any], role: str = "organiser") -> Any:
    """A client of `app` logged in as staff (the user is made once per role)."""
    username = f"versions-{role}"
    try:
        make_user(username, role, "geheim-wachtwoord")
    except Exception:  # already made for the other worker
        db.session.rollback()
    client = app.test_client()
    response = fresh_request(
        client, "POST", "/login", data={"username": username, "password": "geheim-wachtwoord"}
    )
    assert response.status_code == 302
    return client


def test_a_renamed_product_shows_at_once_on_every_workers_receipt(workers):
    first, second = workers
    a, b = first.test_client(), second.test_client()
    anna = checkout(a, "Anna", "Breda", {"geldfit": "want"})
    checkout(a, "Bram", "Tilburg", {"geldfit": "have"})
    url = f"/r/{anna['token']}"
    for client in (a, b):
        assert "Geldfit" in html(client, url)
        assert "Geldfit" in html(client, url + "/partners")
    with first.app_context():
        product = get_product("geldfit")
        assert product is not None
        fields = {
            column: getattr(product, column)
            for column in ("name", "theme", "summary", "description", "owner", "contact")
        }
        edit_product(product, {**fields, "name": "Geldfit Plus", "tags": product.tags})
        db.session.commit()
    for client in (a, b):
        page = html(client, url)
        assert "Geldfit Plus" in page
        assert "Geldfit Plus" in html(client, url + "/partners")
        assert "Geldfit Plus" in html(client, "/")


def test_activating_another_event_changes_every_workers_start_page(workers, make_user):
    first, second = workers
    a, b = first.test_client(), second.test_client()
    for client in (a, b):
        assert "Samen Organiseren Breda" in html(client, "/")
    with first.app_context():
        create_event("zwolle-2026", name="Netwerkdag Zwolle", city="Zwolle", date=date(2026, 12, 3))
        db.session.commit()
    organiser = staff(first, make_user)
    response = fresh_request(organiser, "POST", "/organisator/evenementen/zwolle-2026/activeren")
    assert response.status_code == 302
    for client in (a, b):
        start = html(client, "/")
        assert "Netwerkdag Zwolle" in start and "Samen Organiseren Breda" not in start


def test_an_agreement_shows_at_once_on_the_other_workers_wall_and_receipts(workers, make_user):
    first, second = workers
    a, b = first.test_client(), second.test_client()
    anna = checkout(a, "Anna", "Breda", {"geldfit": "want"})
    checkout(a, "Bram", "Tilburg", {"geldfit": "have"})
    wall = staff(second, make_user, "facilitator")
    assert "We bellen volgende week" not in html(wall, "/facilitator/evenement/breda-2026/wand")
    etag = fresh_request(wall, "GET", "/facilitator/evenement/breda-2026/wand/live").headers["ETag"]
    assert "We bellen" not in html(b, f"/r/{anna['token']}")
    response = fresh_request(
        a,
        "POST",
        f"/r/{anna['token']}/samenwerking",
        data={"choice": "2:geldfit", "text": "We bellen volgende week"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    live = fresh_request(
        wall, "GET", "/facilitator/evenement/breda-2026/wand/live", headers={"If-None-Match": etag}
    )
    assert live.status_code == 200 and "We bellen volgende week" in live.get_data(as_text=True)
    assert "We bellen volgende week" in html(b, f"/r/{anna['token']}")


def test_hiding_a_checkout_on_one_worker_removes_it_from_the_others_pages(workers, make_user):
    first, second = workers
    a, b = first.test_client(), second.test_client()
    anna = checkout(a, "Anna", "Breda", {"geldfit": "want"})
    checkout(a, "Spam Bel 0900", "Spamco", {"geldfit": "have"})
    url = f"/r/{anna['token']}"
    assert "Spam Bel 0900" in html(b, url)
    facilitator = staff(first, make_user, "facilitator")
    response = fresh_request(
        facilitator, "POST", "/facilitator/evenement/breda-2026/bon/2/verbergen"
    )
    assert response.status_code == 302
    assert "Spam" not in html(b, url)
    assert "Spam" not in html(b, url + "/partners")
    shown = fresh_request(facilitator, "POST", "/facilitator/evenement/breda-2026/bon/2/tonen")
    assert shown.status_code == 302
    assert "Spam Bel 0900" in html(b, url)


def test_a_bulk_change_must_name_the_versions_it_changes(app, store):
    with pytest.raises(versions.UnnamedBulkChange):
        db.session.execute(update(Product).values(owner="iemand"))
    db.session.rollback()
    # Named, it bumps them.
    before = versions.current(versions.CATALOG)
    db.session.execute(
        update(Product).values(owner="iemand").execution_options(bumps=(versions.CATALOG,))
    )
    db.session.commit()
    assert versions.current(versions.CATALOG) == (before[0] + 1,)


def test_a_rolled_back_change_bumps_nothing(app, store, make_checkout):
    names = versions.event_names(store.id)
    before = versions.current(*names)
    make_checkout({"geldfit": "want"})
    added = versions.current(*names)
    assert added == (before[0] + 1, before[1])
    checkout_row = db.session.execute(db.select(Checkout)).scalar_one()
    checkout_row.hidden_at = None  # no change: nothing to bump
    checkout_row.role = "iets"
    db.session.flush()
    db.session.rollback()
    assert versions.current(*names) == added


def test_an_events_own_fields_move_events_but_not_its_visitors_data(app, store, make_checkout):
    """Activating, renaming or dating an event shows under `events`; the event's match
    index (built from its visitors' data) stays, so a switch of the active event costs no
    reload of every checkout."""
    from popupstore.basket.index import event_index
    from popupstore.events.services import activate_event

    make_checkout({"geldfit": "want"})
    names = versions.event_names(store.id)
    before, events_before = versions.current(*names), versions.current(versions.EVENTS)
    index = event_index(store)
    other = create_event("zwolle-2026", name="Zwolle", city="Zwolle", date=date(2026, 12, 1))
    activate_event(other)
    activate_event(store)
    store.name = "Netwerkdag Breda"
    db.session.commit()
    assert versions.current(*names) == before
    assert versions.current(versions.EVENTS)[0] > events_before[0]
    assert event_index(store) is index
