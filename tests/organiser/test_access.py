"""Every organiser page: anonymous visitors go to the login, facilitators are refused."""

from __future__ import annotations

import pytest

from popupstore.catalog.services import get_product
from popupstore.events.services import get_event
from popupstore.security import access_of

PAGES = [
    "/organisator/",
    "/organisator/evenementen",
    "/organisator/evenementen/nieuw",
    "/organisator/evenementen/breda-2026",
    "/organisator/evenementen/breda-2026/rapport",
    "/organisator/evenementen/breda-2026/bewerken",
    "/organisator/catalogus",
    "/organisator/catalogus/nieuw",
    "/organisator/catalogus/geldfit/bewerken",
    "/organisator/catalogus/uploaden",
    "/organisator/catalogus/producten.yaml",
    "/organisator/statistiek",
    "/organisator/statistiek/rapport",
    "/organisator/exports",
    "/organisator/exports/anoniem?format=csv",
    "/organisator/exports/contactlijst?format=csv",
    "/organisator/drukwerk",
    "/organisator/drukwerk/poster.png",
    "/organisator/drukwerk/poster.pdf",
    "/organisator/drukwerk/schapkaartjes.pdf",
]
ACTIONS = [
    "/organisator/evenementen/nieuw",
    "/organisator/evenementen/breda-2026/bewerken",
    "/organisator/evenementen/breda-2026/activeren",
    "/organisator/catalogus/nieuw",
    "/organisator/catalogus/geldfit/bewerken",
    "/organisator/catalogus/geldfit/uit",
    "/organisator/catalogus/geldfit/terug",
    "/organisator/catalogus/uploaden",
]


def test_every_organiser_route_is_for_organisers_only(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("organiser.")]
    assert len(rules) == 22
    for rule in rules:
        assert access_of(app.view_functions[rule.endpoint]) == ("session", ("organiser",))


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_login(client, store, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("url", PAGES)
def test_facilitators_are_refused(client, store, login, url):
    login("facilitator")
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", ACTIONS)
def test_actions_are_refused_to_facilitators_and_change_nothing(client, store, login, url):
    assert client.post(url).status_code == 302
    login("facilitator")
    assert client.post(url).status_code == 403
    assert get_product("geldfit") is not None
    assert get_event("breda-2026").is_active


@pytest.mark.parametrize("url", PAGES)
def test_organisers_open_every_page(organiser, shop, url):
    response = organiser.get(url)
    assert response.status_code == 200, url
    if response.mimetype == "text/html":
        html = response.get_data(as_text=True)
        assert "<h1>" in html
        assert "style=" not in html and "<script>" not in html


def test_the_organisers_home_is_the_organiser_page(client, make_user):
    make_user("olga", "organiser", "geheim-wachtwoord")
    response = client.post("/login", data={"username": "olga", "password": "geheim-wachtwoord"})
    assert response.headers["Location"] == "/organisator/"
    html = client.get("/organisator/").get_data(as_text=True)
    assert "Ingelogd als olga" in html


@pytest.mark.parametrize(
    "url",
    [
        "/organisator/",
        "/organisator/evenementen",
        "/organisator/catalogus",
        "/organisator/catalogus/producten.yaml",
        "/organisator/statistiek",
        "/organisator/statistiek/rapport",
        "/organisator/exports",
        "/organisator/exports/anoniem?format=xlsx",
        "/organisator/exports/contactlijst?format=json",
        "/organisator/drukwerk",
        "/organisator/drukwerk/poster.pdf",
        "/organisator/drukwerk/schapkaartjes.pdf",
    ],
)
def test_a_new_store_without_events_or_products_opens_every_page(organiser, url):
    assert organiser.get(url).status_code == 200
