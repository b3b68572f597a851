"""Latecomers get a seat without anyone moving; a full re-plan asks first."""

from __future__ import annotations

from sqlalchemy import select

from popupstore.basket.index import event_index
from popupstore.events.services import get_event
from popupstore.extensions import db
from popupstore.facilitator.models import ConversationPlan
from popupstore.matching import conversation_pairs, seat_tables, with_trios

from .conftest import EVENT
from .test_plans import TABLES, seated

LATECOMERS = TABLES + "/nakomers"


def stored_tables() -> list[dict]:
    stored = db.session.execute(
        select(ConversationPlan).where(ConversationPlan.kind == "tables")
    ).scalar_one()
    db.session.refresh(stored)
    return stored.plan["tables"]


def test_a_latecomer_gets_a_seat_and_nobody_moves(client, crowd, staff, make_checkout):
    client.post(TABLES, data={"min_size": 2, "max_size": 3})
    before = stored_tables()
    make_checkout(
        {"gemeentepolis": "have", "schuldhulpmaatje": "want"}, name="Fien", organisation="Zwolle"
    )
    page = client.get(TABLES).get_data(as_text=True)
    assert "1 bezoeker heeft nog geen tafel." in page
    response = client.post(LATECOMERS)
    assert response.status_code == 302
    assert response.headers["Location"] == TABLES + "#tafels"
    after = stored_tables()
    assert [t["topic"] for t in after] == [t["topic"] for t in before]
    for old, new in zip(before, after, strict=True):
        assert set(old["members"]) <= set(new["members"])
    grown = [
        new for old, new in zip(before, after, strict=True) if new["members"] != old["members"]
    ]
    assert len(grown) == 1 and 6 in grown[0]["members"]
    html = client.get(TABLES).get_data(as_text=True)
    table = next(i for i, members in enumerate(seated(html), 1) if 6 in members)
    assert f"bon 6 aan tafel {table}" in html  # the flash says where Fien sits
    assert "Iedereen zit aan een tafel." in html
    assert "Nog geen tafel?" not in client.get(EVENT + "/wand").get_data(as_text=True)


def test_enough_latecomers_open_a_new_table(client, crowd, staff, make_checkout):
    client.post(TABLES, data={"min_size": 2, "max_size": 3})
    before = stored_tables()
    make_checkout({"werkgeversaanpak": "want"}, name="Fien", organisation="Zwolle")
    make_checkout({"werkgeversaanpak": "have"}, name="Gijs", organisation="Oss")
    client.post(LATECOMERS)
    after = stored_tables()
    assert after[: len(before)] == [
        {**t, "score": new["score"]} for t, new in zip(before, after, strict=False)
    ]
    assert after[len(before) :] == [
        {"topic": "werkgeversaanpak", "members": [6, 7], "score": after[-1]["score"]}
    ]


def test_pressing_twice_seats_nobody_twice(client, crowd, staff, make_checkout):
    client.post(TABLES, data={"min_size": 2, "max_size": 3})
    make_checkout({"geldfit": "want"}, name="Fien", organisation="Zwolle")
    client.post(LATECOMERS)
    once = stored_tables()
    response = client.post(LATECOMERS, follow_redirects=True)
    assert "Iedereen zat al aan een tafel." in response.get_data(as_text=True)
    assert stored_tables() == once


def test_latecomers_need_a_plan_first(client, crowd, staff):
    response = client.post(LATECOMERS)
    assert response.status_code == 422
    assert "Er is nog geen tafelindeling. Deel eerst de tafels in." in response.get_data(
        as_text=True
    )
    assert db.session.execute(select(ConversationPlan)).first() is None


def test_the_confirmed_re_plan_is_a_fresh_plan(client, crowd, staff, make_checkout):
    client.post(TABLES, data={"min_size": 2, "max_size": 3})
    make_checkout({"geldfit": "want"}, name="Fien", organisation="Zwolle")
    client.post(TABLES, data={"min_size": 2, "max_size": 3, "confirm": "ja"})
    expected = seat_tables(event_index(get_event("breda-2026")).baskets(), 2, 3)
    assert stored_tables() == [
        {"topic": t.topic, "members": list(t.members), "score": t.score} for t in expected.tables
    ]


def test_bad_sizes_are_refused_before_the_confirmation(client, crowd, staff):
    client.post(TABLES, data={"min_size": 2, "max_size": 3})
    response = client.post(TABLES, data={"min_size": 5, "max_size": 3})
    assert response.status_code == 422
    assert "Mag niet groter zijn dan het grootste aantal." in response.get_data(as_text=True)


def test_the_table_card_marks_who_already_does_the_topic(client, crowd, staff):
    client.post(TABLES, data={"min_size": 5, "max_size": 6})
    html = client.get(TABLES).get_data(as_text=True)
    # One table of five; geldfit is held by four: Zeger (3) already does it.
    assert '<span class="plan-table__topic-label">onderwerp:</span> Geldfit</span>' in html
    askers = html.split('class="people__asker"')[1:]
    assert len(askers) == 1 and "bon 3" in askers[0].split("</li>")[0]
    assert "doet het al — vraag hoe" in askers[0]


PAIRS = EVENT + "/duos"
PAIR_LATECOMERS = PAIRS + "/nakomers"


def stored_pairs() -> dict:
    stored = db.session.execute(
        select(ConversationPlan).where(ConversationPlan.kind == "pairs")
    ).scalar_one()
    db.session.refresh(stored)
    return stored.plan


def test_latecomers_get_a_duo_and_no_duo_splits(client, crowd, staff, make_checkout):
    assert client.post(PAIRS).status_code == 302
    before = stored_pairs()["pairs"]  # five visitors: a duo and a trio
    make_checkout({"werkgeversaanpak": "want"}, name="Fien", organisation="Zwolle")
    make_checkout({"werkgeversaanpak": "have"}, name="Gijs", organisation="Oss")
    page = client.get(TABLES).get_data(as_text=True)
    assert "2 bezoekers hebben nog geen duo." in page
    response = client.post(PAIR_LATECOMERS)
    assert response.status_code == 302
    assert response.headers["Location"] == TABLES + "#duos"
    assert stored_pairs() == {"pairs": [*before, [6, 7]], "unpaired": []}
    html = client.get(TABLES).get_data(as_text=True)
    assert "bon 6 bij bon 7; bon 7 bij bon 6" in html  # the flash says who found whom
    assert "Iedereen heeft een duo." in html
    again = client.post(PAIR_LATECOMERS, follow_redirects=True).get_data(as_text=True)
    assert "Iedereen had al een duo." in again
    assert stored_pairs() == {"pairs": [*before, [6, 7]], "unpaired": []}


def test_one_latecomer_joins_a_duo_as_a_trio(client, crowd, staff, make_checkout):
    client.post(PAIRS)
    before = stored_pairs()["pairs"]
    duo = next(group for group in before if len(group) == 2)
    make_checkout({"geldfit": "have"}, name="Fien", organisation="Zwolle")
    client.post(PAIR_LATECOMERS)
    after = stored_pairs()["pairs"]
    assert [group[: len(old)] for old, group in zip(before, after, strict=True)] == before
    assert [*duo, 6] in after
    html = client.get(TABLES).get_data(as_text=True)
    assert f"bon 6 bij bon {duo[0]} en bon {duo[1]}" in html


def test_latecomers_need_pairs_first(client, crowd, staff):
    response = client.post(PAIR_LATECOMERS)
    assert response.status_code == 422
    assert "Er zijn nog geen duo&#39;s. Maak eerst de duo&#39;s." in response.get_data(as_text=True)
    assert db.session.execute(select(ConversationPlan)).first() is None


def test_new_pairs_replace_the_old_ones_only_when_confirmed(client, crowd, staff, make_checkout):
    client.post(PAIRS)
    before = stored_pairs()
    make_checkout({"geldfit": "want"}, name="Fien", organisation="Zwolle")
    asked = client.post(PAIRS)
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Opnieuw koppelen?" in page and 'name="confirm" value="ja"' in page
    assert "kies Terug en dan Nakomers koppelen" in page
    assert stored_pairs() == before
    assert client.post(PAIRS, data={"confirm": "ja"}).status_code == 302
    baskets = event_index(get_event("breda-2026")).baskets()
    expected = with_trios(conversation_pairs(baskets), baskets)
    assert stored_pairs() == {"pairs": [list(g) for g in expected.groups], "unpaired": []}
