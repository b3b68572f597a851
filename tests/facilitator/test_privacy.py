"""Contract §5 on every staff screen: a visitor without consent shows up by number only."""

from __future__ import annotations

from .conftest import EVENT, PAGES, SILENT_EMAIL, SILENT_NAME, SILENT_ORGANISATION

NAMED = ["Anna de Vries", "Bram", "Dirk", "Eva"]


def _make_plans(client):
    assert client.post(EVENT + "/tafels", data={"min_size": 2, "max_size": 3}).status_code == 302
    assert client.post(EVENT + "/duos").status_code == 302


def test_no_page_shows_the_name_of_a_visitor_without_consent(client, crowd, staff):
    _make_plans(client)
    for page in PAGES:
        html = client.get(EVENT + page).get_data(as_text=True)
        for secret in (SILENT_NAME, "Zeger", SILENT_EMAIL, SILENT_ORGANISATION):
            assert secret not in html, (page, secret)


def test_staff_pages_show_consenting_visitors_by_name_and_others_by_number(client, crowd, staff):
    _make_plans(client)
    tables = client.get(EVENT + "/tafels").get_data(as_text=True)
    assert "Anna de Vries" in tables
    assert "bon 3" in tables
    groups = client.get(EVENT + "/gesprekken").get_data(as_text=True)
    assert "Bram" in groups and "bon 3" in groups


def test_the_wall_shows_no_names_at_all(client, crowd, staff):
    _make_plans(client)
    for page in ("/wand", "/wand/live"):
        html = client.get(EVENT + page).get_data(as_text=True)
        for name in [*NAMED, "Anna", SILENT_NAME, SILENT_EMAIL, SILENT_ORGANISATION]:
            assert name not in html, (page, name)
        assert "bon" in html
