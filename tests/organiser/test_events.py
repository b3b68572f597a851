"""Events in the organiser's web UI: create, edit, activate; past events stay readable."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from popupstore.errors import ValidationError
from popupstore.events.models import Event
from popupstore.events.services import get_event, update_event
from popupstore.extensions import db

NEW_EVENT = {
    "slug": "zwolle-2027",
    "name": "Samen Organiseren Zwolle",
    "city": "Zwolle",
    "date": "2027-03-04",
    "venue": "Hanzehuis",
}


def events() -> list[tuple[str, bool]]:
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(select(Event.slug, Event.is_active))]


def test_an_organiser_creates_an_event(organiser, store):
    response = organiser.post("/organisator/evenementen/nieuw", data=NEW_EVENT)
    assert response.status_code == 302
    assert response.headers["Location"] == "/organisator/evenementen/zwolle-2027"
    event = get_event("zwolle-2027")
    assert (event.name, event.city, event.date, event.venue, event.is_active) == (
        "Samen Organiseren Zwolle",
        "Zwolle",
        date(2027, 3, 4),
        "Hanzehuis",
        False,
    )
    page = organiser.get("/organisator/evenementen/zwolle-2027").get_data(as_text=True)
    assert "Samen Organiseren Zwolle" in page and "4 maart 2027" in page
    assert "Hanzehuis" in page


def test_a_new_event_can_be_activated_at_once(organiser, store):
    organiser.post("/organisator/evenementen/nieuw", data={**NEW_EVENT, "activate": "y"})
    assert sorted(events()) == [("breda-2026", False), ("zwolle-2027", True)]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"slug": "Zwolle 2027"}, "slug", "Alleen kleine letters, cijfers en koppeltekens"),
        ({"slug": "breda-2026"}, "slug", "Al in gebruik."),
        ({"name": "  "}, "name", "Vul dit in."),
        ({"city": "x" * 81}, "city", "Hoogstens 80 tekens."),
        ({"date": "4-3-2027"}, "date", "Ongeldige datum."),
        ({"date": ""}, "date", "Vul dit in als JJJJ-MM-DD."),
    ],
)
def test_a_bad_event_shows_the_error_at_its_field_and_stores_nothing(
    organiser, store, change, field, message
):
    response = organiser.post("/organisator/evenementen/nieuw", data={**NEW_EVENT, **change})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert f'aria-describedby="{field}-hint {field}-error"' in html or (
        f'aria-describedby="{field}-error"' in html
    )
    assert message in html
    assert sorted(events()) == [("breda-2026", True)]


def test_an_organiser_edits_an_event_but_not_its_slug(organiser, store):
    form = organiser.get("/organisator/evenementen/breda-2026/bewerken").get_data(as_text=True)
    assert 'value="Samen Organiseren Breda"' in form and 'value="2026-11-12"' in form
    assert 'name="slug"' not in form
    response = organiser.post(
        "/organisator/evenementen/breda-2026/bewerken",
        data={
            "slug": "andere-slug",
            "name": "Netwerkdag Breda",
            "city": "Breda",
            "date": "2026-11-19",
            "venue": "Chassé Theater",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    event = get_event("breda-2026")
    assert (event.name, event.date, event.venue) == (
        "Netwerkdag Breda",
        date(2026, 11, 19),
        "Chassé Theater",
    )
    assert event.is_active


def test_a_bad_edit_changes_nothing(organiser, store):
    response = organiser.post(
        "/organisator/evenementen/breda-2026/bewerken",
        data={"name": "", "city": "Breda", "date": "2026-11-19"},
    )
    assert response.status_code == 422
    assert "Vul dit in." in response.get_data(as_text=True)
    db.session.expire_all()
    assert get_event("breda-2026").name == "Samen Organiseren Breda"


def test_update_event_checks_every_field(app, store):
    with pytest.raises(ValidationError) as raised:
        update_event(get_event("breda-2026"), name="", city="", date=None, venue="v" * 161)
    assert set(raised.value.fields) == {"name", "city", "date", "venue"}


def test_activating_an_event_leaves_exactly_one_active(organiser, two_events):
    response = organiser.post("/organisator/evenementen/zwolle-2026/activeren")
    assert response.status_code == 302
    assert sorted(events()) == [("breda-2026", False), ("zwolle-2026", True)]
    page = organiser.get("/organisator/evenementen").get_data(as_text=True)
    assert "&#39;Samen Organiseren Zwolle&#39; is nu het actieve evenement" in page
    assert page.count("Actief maken") == 1
    assert organiser.get("/api/v1/events/active").get_json()["slug"] == "zwolle-2026"


def test_past_events_stay_readable(organiser, shop):
    page = organiser.get("/organisator/evenementen").get_data(as_text=True)
    # Zwolle (3 March 2026) lies before the active Breda (12 November 2026).
    expected = "Geweest" if date(2026, 3, 3) < date.today() else "Gepland"
    assert expected in page
    past = organiser.get("/organisator/evenementen/zwolle-2026")
    assert past.status_code == 200
    html = past.get_data(as_text=True)
    assert "3 maart 2026" in html
    assert "Overijssel" in html


def test_unknown_events_are_404(organiser, store):
    assert organiser.get("/organisator/evenementen/bestaat-niet").status_code == 404
    assert organiser.get("/organisator/evenementen/bestaat-niet/bewerken").status_code == 404
    assert organiser.post("/organisator/evenementen/bestaat-niet/activeren").status_code == 404
