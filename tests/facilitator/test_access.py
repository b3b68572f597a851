"""Who may open the facilitator's pages: staff only, anonymous visitors go to /login."""

from __future__ import annotations

import pytest

from .conftest import EVENT, PAGES

POSTS = ["/tafels", "/duos", "/tafels/nakomers", "/duos/nakomers", "/ronde"]


def test_anonymous_visitors_are_sent_to_the_login_form(client, crowd):
    for path in ["/facilitator/", *(EVENT + page for page in PAGES)]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/login?next="), path
    for path in POSTS:
        response = client.post(EVENT + path, data={"min_size": 4, "max_size": 6})
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["facilitator", "organiser"])
def test_facilitators_and_organisers_open_every_page(client, crowd, login, role):
    login(role)
    for page in PAGES:
        response = client.get(EVENT + page)
        assert response.status_code == 200, page
        assert response.headers["Cache-Control"].startswith(("no-store", "no-cache")), page


def test_the_start_page_shows_the_active_event(client, crowd, staff):
    response = client.get("/facilitator/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Samen Organiseren Breda" in html
    assert f'data-poll="{EVENT}/live"' in html


def test_without_an_active_event_the_start_page_lists_the_events(
    client, load_test_products, make_event, staff
):
    make_event("zwolle-2025", name="Netwerkdag Zwolle", active=False)
    page = client.get("/facilitator/").get_data(as_text=True)
    assert "Er is nu geen evenement actief" in page
    assert 'href="/facilitator/evenement/zwolle-2025"' in page


def test_an_unknown_event_is_404_on_every_page(client, store, staff):
    for page in PAGES:
        assert client.get("/facilitator/evenement/bestaat-niet" + page).status_code == 404
    for path in POSTS:
        assert client.post("/facilitator/evenement/bestaat-niet" + path).status_code == 404
