"""Tables and 1:1 pairs: made on a button press, stored per event, shown on every screen."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from popupstore.basket.index import event_index
from popupstore.events.services import get_event
from popupstore.extensions import db
from popupstore.facilitator.models import ConversationPlan
from popupstore.matching import conversation_pairs, seat_tables, with_trios

from ..security.conftest import csrf_token_from
from .conftest import EVENT

TABLES = EVENT + "/tafels"
PAIRS = EVENT + "/duos"


def plans() -> int:
    return db.session.execute(select(func.count(ConversationPlan.id))).scalar_one()


def seated(html: str) -> list[list[int]]:
    """Receipt numbers per table, in table order, from the tables page."""
    section = html.split('id="tafels"')[1].split('id="duos"')[0].split("plan__newcomers")[0]
    return [
        [int(n) for n in re.findall(r"\(bon (\d+)\)|>bon (\d+)<", table) for n in n if n]
        for table in section.split('class="plan-table"')[1:]
    ]


def test_the_button_seats_everyone_and_stores_the_plan(client, crowd, staff):
    response = client.post(TABLES, data={"min_size": 2, "max_size": 3})
    assert response.status_code == 302
    assert response.headers["Location"] == TABLES + "#tafels"
    stored = db.session.execute(select(ConversationPlan)).scalar_one()
    expected = seat_tables(event_index(get_event("breda-2026")).baskets(), 2, 3)
    assert stored.kind == "tables" and (stored.min_size, stored.max_size) == (2, 3)
    assert stored.plan["tables"] == [
        {"topic": t.topic, "members": list(t.members), "score": t.score} for t in expected.tables
    ]
    assert stored.plan["total_score"] == expected.total_score
    tables = seated(client.get(TABLES).get_data(as_text=True))
    assert tables == [list(t.members) for t in expected.tables]
    assert sorted(n for table in tables for n in table) == [1, 2, 3, 4, 5]


def test_a_new_plan_replaces_the_old_one_only_when_confirmed(client, crowd, staff):
    client.post(TABLES, data={"min_size": 2, "max_size": 3})
    first = seated(client.get(TABLES).get_data(as_text=True))
    asked = client.post(TABLES, data={"min_size": 4, "max_size": 6})
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Opnieuw indelen?" in page and "Ja, iedereen opnieuw indelen" in page
    assert 'name="confirm" value="ja"' in page
    assert 'name="min_size" value="4"' in page and 'name="max_size" value="6"' in page
    # Nothing changed until the facilitator confirms.
    assert seated(client.get(TABLES).get_data(as_text=True)) == first
    confirmed = client.post(TABLES, data={"min_size": 4, "max_size": 6, "confirm": "ja"})
    assert confirmed.status_code == 302
    assert plans() == 1
    html = client.get(TABLES).get_data(as_text=True)
    assert seated(html) == [[1, 2, 3, 4, 5]]
    assert 'value="4"' in html and 'value="6"' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"min_size": 5, "max_size": 3}, "Mag niet groter zijn dan het grootste aantal."),
        ({"min_size": 1, "max_size": 3}, "Kies 2 tot en met 12."),
        ({"min_size": 2, "max_size": 13}, "Kies 2 tot en met 12."),
        ({"min_size": "vier", "max_size": 6}, "Minstens aan een tafel"),
        ({"max_size": 6}, "Vul een heel getal in."),
    ],
)
def test_bad_sizes_change_nothing(client, crowd, staff, data, message):
    response = client.post(TABLES, data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "De tafelgrootte klopt niet." in html and message in html
    assert 'aria-invalid="true"' in html
    assert plans() == 0


def test_too_few_or_too_many_visitors_are_refused_with_a_reason(
    app, client, store, staff, make_checkout
):
    make_checkout({"geldfit": "want"}, name="Anna")
    for url in (TABLES, PAIRS):
        response = client.post(url, data={"min_size": 4, "max_size": 6})
        assert response.status_code == 422
        assert "Er zijn nog te weinig bonnen om in te delen." in response.get_data(as_text=True)
    make_checkout({"geldfit": "want"}, name="Bram", organisation="Tilburg")
    make_checkout({"geldfit": "want"}, name="Carla", organisation="Zwolle")
    app.config.update(TABLES_LIMIT=2, PAIRS_LIMIT=2)
    tables = client.post(TABLES, data={"min_size": 4, "max_size": 6})
    assert tables.status_code == 422
    assert "Tafels indelen kan tot 2 bezoekers" in tables.get_data(as_text=True)
    pairs = client.post(PAIRS)
    assert pairs.status_code == 422
    assert "Duo&#39;s maken kan tot 2 bezoekers" in pairs.get_data(as_text=True)
    assert plans() == 0


def test_pairs_are_a_maximum_weight_matching_with_the_odd_one_out_in_a_trio(client, crowd, staff):
    assert client.post(PAIRS).status_code == 302
    stored = db.session.execute(select(ConversationPlan)).scalar_one()
    baskets = event_index(get_event("breda-2026")).baskets()
    expected = with_trios(conversation_pairs(baskets), baskets)
    assert len(conversation_pairs(baskets).unpaired) == 1
    assert stored.plan == {
        "pairs": [list(group) for group in expected.groups],
        "unpaired": [],
    }
    assert sorted(len(group) for group in expected.groups) == [2, 3]
    html = client.get(TABLES).get_data(as_text=True)
    section = html.split('id="duos"')[1]
    assert section.count("<li") == 2 and section.count('class="plan__trio"') == 1
    assert "Zonder duo" not in section
    # One line to start each conversation, from what they share; Zeger by number only.
    assert (
        '<span class="plan__starter">Anna doet Vroegsignalering al, Bram wil het: vraag hoe.'
        in (section)
    )
    assert "Dirk doet SchuldHulpMaatje al, bon 3 wil het: vraag hoe." in section
    assert "Zeger" not in section


def test_erased_visitors_leave_and_newcomers_are_listed(client, crowd, staff, make_checkout):
    client.post(TABLES, data={"min_size": 2, "max_size": 3})
    client.delete(f"/api/v1/receipts/{crowd.bram['token']}")
    make_checkout({"geldfit": "want"}, name="Fien", organisation="Zwolle")
    html = client.get(TABLES).get_data(as_text=True)
    assert sorted(n for table in seated(html) for n in table) == [1, 3, 4, 5]
    assert "1 bezoeker is sinds de indeling gewist" in html
    assert 'Nog niet ingedeeld (later binnen):</strong> <span class="who">Fien</span>' in html
    wall = client.get(EVENT + "/wand").get_data(as_text=True)
    assert "Nog geen tafel? Bon 6: meld je bij de facilitator." in wall


def test_the_plan_is_the_same_on_another_worker(client, crowd, staff, make_app):
    client.post(TABLES, data={"min_size": 2, "max_size": 3})
    other = make_app().test_client()
    with other.session_transaction() as session:
        with client.session_transaction() as mine:
            session.update(dict(mine))
    assert seated(other.get(TABLES).get_data(as_text=True)) == seated(
        client.get(TABLES).get_data(as_text=True)
    )


def test_the_forms_need_their_csrf_token(make_app, crowd, make_user):
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    make_user("fien", "facilitator", "geheim-wachtwoord")
    token = csrf_token_from(guarded.get("/login").get_data(as_text=True))
    guarded.post(
        "/login",
        data={"username": "fien", "password": "geheim-wachtwoord", "csrf_token": token},
    )
    assert guarded.post(TABLES, data={"min_size": 4, "max_size": 6}).status_code == 400
    assert guarded.post(PAIRS).status_code == 400
    assert plans() == 0
    token = csrf_token_from(guarded.get(TABLES).get_data(as_text=True))
    made = guarded.post(TABLES, data={"min_size": 4, "max_size": 6, "csrf_token": token})
    assert made.status_code == 302
    assert plans() == 1


def test_the_tables_page_prints_without_the_forms(client, crowd, staff):
    html = client.get(TABLES).get_data(as_text=True)
    assert "css/facilitator.css" in html and "data-print" in html
    with client.get("/static/css/facilitator.css") as response:
        css = response.get_data(as_text=True)
    print_rules = css.split("@media print")[1]
    assert ".plan-forms" in print_rules and ".staff-header" in print_rules
