"""The wall link: a read-only wall for a screen left on all day, without a login."""

from __future__ import annotations

import re

from sqlalchemy import select

from popupstore.extensions import db
from popupstore.facilitator.models import WallLink
from popupstore.tokens import hash_token

from .conftest import EVENT, SILENT_NAME

WALL = EVENT + "/wand"


def make_link(client) -> str:
    response = client.post(WALL + "/link", follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = re.search(r"Nieuwe wandlink: http://localhost(/facilitator/wand/[\w-]+) ", html)
    assert found, html
    return found.group(1)


def test_a_wall_link_shows_the_wall_without_a_login(make_app, client, crowd, staff):
    client.post(EVENT + "/tafels", data={"min_size": 2, "max_size": 3})
    link = make_link(client)
    # Only the hash is stored.
    stored = db.session.execute(select(WallLink)).scalar_one()
    assert stored.token_hash == hash_token(link.rsplit("/", 1)[1])
    screen = make_app().test_client()  # no session at all: the wall's own browser
    page = screen.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'class="wall__seat"' in html and "Zoek je bon" in html
    assert f'data-poll="{link}/live"' in html
    # Nothing for staff: no way back, no moderation, no wall-link buttons, no names.
    for staff_only in ("Terug naar het overzicht", "Wat de wand toont", "Wandlink", "Verbergen"):
        assert staff_only not in html
    for name in ("Anna", "Bram", "Dirk", "Eva", SILENT_NAME):
        assert name not in html
    live = screen.get(link + "/live")
    assert live.status_code == 200 and 'class="wall__seat"' in live.get_data(as_text=True)
    unchanged = screen.get(link + "/live", headers={"If-None-Match": live.headers["ETag"]})
    assert unchanged.status_code == 304


def test_a_new_link_revokes_the_old_one_and_revoking_ends_it(make_app, client, crowd, staff):
    first = make_link(client)
    second = make_link(client)
    screen = make_app().test_client()
    assert screen.get(first).status_code == 404
    assert screen.get(first + "/live").status_code == 404
    assert screen.get(second).status_code == 200
    wall = client.get(WALL).get_data(as_text=True)
    assert "Er is een wandlink, gemaakt om" in wall and "Wandlink intrekken" in wall
    response = client.post(WALL + "/link/intrekken", follow_redirects=True)
    assert "De wandlink is ingetrokken: hij werkt niet meer." in response.get_data(as_text=True)
    assert screen.get(second).status_code == 404
    assert db.session.execute(select(WallLink)).first() is None


def test_only_staff_make_or_revoke_links(app, crowd):
    anonymous = app.test_client()
    for url in (WALL + "/link", WALL + "/link/intrekken"):
        response = anonymous.post(url)
        assert response.status_code in (302, 401, 403)
    assert db.session.execute(select(WallLink)).first() is None
    assert anonymous.get("/facilitator/wand/onzin-token").status_code == 404
