"""Inputs that gave a server error: line breaks in `next`, a "²" as receipt number, and
dates so late that no retention date can follow them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, insert, select

from popupstore.agreements.models import Agreement
from popupstore.errors import ValidationError
from popupstore.events.models import Event
from popupstore.events.services import create_event
from popupstore.extensions import db

# What a form field or a query string holds once %0d%0a and friends are decoded.
BAD_NEXT = [
    "/\r\nSet-Cookie: sessie=overgenomen",
    "/producten\r\n",
    "/\n",
    "/zoeken\x1b",
    "/\u2028",
]
NEW_EVENT = {"slug": "ver-weg", "name": "Ver weg", "city": "Breda", "venue": ""}


def event_count() -> int:
    return db.session.execute(select(func.count(Event.id))).scalar_one()


def assert_clean_redirect(response, location: str) -> None:
    assert response.status_code in (302, 303), response.status_code
    assert response.headers["Location"] == location
    assert not any("\r" in value or "\n" in value for _, value in response.headers.items())


@pytest.mark.parametrize("target", BAD_NEXT)
def test_the_language_switch_ignores_a_next_with_control_characters(client, store, target):
    followed = client.post("/taal", data={"lang": "en", "next": "/producten?q=geld%20fit"})
    assert_clean_redirect(followed, "/producten?q=geld%20fit")
    response = client.post("/taal", data={"lang": "en", "next": target})
    assert_clean_redirect(response, "/")


@pytest.mark.parametrize("target", BAD_NEXT)
def test_the_basket_forms_ignore_a_next_with_control_characters(client, store, target):
    put = client.post("/mandje/geldfit", data={"intent": "want", "next": target})
    assert_clean_redirect(put, "/product/geldfit")
    removed = client.post("/mandje/geldfit/verwijderen", data={"next": target})
    assert_clean_redirect(removed, "/mandje")


@pytest.mark.parametrize("target", BAD_NEXT)
def test_login_ignores_a_next_with_control_characters(client, store, make_user, target):
    make_user("fien", "facilitator", "geheim-wachtwoord")
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200
    assert 'name="next" type="hidden" value=""' in page.get_data(as_text=True)
    response = client.post(
        "/login", data={"username": "fien", "password": "geheim-wachtwoord", "next": target}
    )
    assert_clean_redirect(response, "/facilitator/")


@pytest.mark.parametrize("number", ["²", "2²", "２"])
def test_a_receipt_number_that_is_no_ascii_number_is_a_field_error(
    client, store, make_checkout, number
):
    anna = make_checkout({"geldfit": "want"}, name="Anna", organisation="Breda")
    make_checkout({"geldfit": "want"}, name="Bram", organisation="Tilburg")
    response = client.post(
        f"/r/{anna['token']}/samenwerking",
        data={"choice": f"{number}:geldfit", "text": "Samen beginnen"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="choice-error">Kies iemand uit je gesprekspartners' in html
    assert db.session.execute(select(func.count(Agreement.id))).scalar_one() == 0


# --- dates near the end of the calendar ---------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "9999-01-01"])
def test_an_event_date_no_retention_can_follow_is_a_form_error(organiser_client, day):
    response = organiser_client.post(
        "/organisator/evenementen/nieuw", data={**NEW_EVENT, "date": day}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="date-error">Kies een datum tot en met 9998-12-31.' in html
    assert event_count() == 1
    # The last day a year of retention still fits after.
    response = organiser_client.post(
        "/organisator/evenementen/nieuw", data={**NEW_EVENT, "date": "9998-12-31"}
    )
    assert response.status_code == 302
    assert event_count() == 2


def test_moving_an_event_to_the_year_9999_is_a_form_error(organiser_client):
    response = organiser_client.post(
        "/organisator/evenementen/breda-2026/bewerken",
        data={**NEW_EVENT, "date": "9999-06-01"},
    )
    assert response.status_code == 422
    assert 'id="date-error">Kies een datum tot en met 9998-12-31.' in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    found = db.session.execute(select(Event).where(Event.slug == "breda-2026")).scalar_one()
    assert (found.name, found.date) == ("Samen Organiseren Breda", date(2026, 11, 12))


def test_create_event_refuses_the_year_9999_with_exit_2(app, runner):
    result = runner.invoke(
        args=[
            "create-event",
            "ver-weg",
            "--name",
            "Ver weg",
            "--city",
            "Breda",
            "--date",
            "9999-12-31",
        ]
    )
    assert result.exit_code == 2
    assert "date: Kies een datum tot en met 9998-12-31." in result.output
    assert event_count() == 0
    with pytest.raises(ValidationError) as refused:
        create_event("ver-weg", name="Ver weg", city="Breda", date=date(9999, 3, 1))
    assert set(refused.value.fields) == {"date"}


@pytest.fixture
def organiser_client(client, store, login):
    login("organiser")
    return client


@pytest.fixture
def late_event(organiser_client):
    """An event stored before dates were checked, on a day no retention can follow."""
    db.session.execute(
        insert(Event).values(
            slug="ver-weg",
            name="Ver weg",
            city="Breda",
            date=date(9999, 12, 20),
            retention_until=None,
        )
    )
    db.session.commit()
    return organiser_client


@pytest.mark.parametrize(
    "url",
    [
        "/organisator/privacy",
        "/organisator/privacy/evenement/ver-weg",
    ],
)
def test_pages_show_an_event_stored_near_the_year_9999(late_event, url):
    response = late_event.get(url)
    assert response.status_code == 200
    assert "Ver weg" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("day", "status"), [("9999-12-31", 302), ("9999-12-19", 422), ("2026-01-01", 422)]
)
def test_the_retention_form_of_such_an_event_answers_without_error(late_event, day, status):
    response = late_event.post(
        "/organisator/privacy/evenement/ver-weg", data={"retention_until": day}
    )
    assert response.status_code == status
    db.session.expire_all()
    found = db.session.execute(select(Event).where(Event.slug == "ver-weg")).scalar_one()
    assert found.retention_until == (date(9999, 12, 31) if status == 302 else None)
