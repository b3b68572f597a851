"""Series of events through the CLI, the API and the pages: grouping, series matches,
statistics, and erasure, purge and retention reaching the series at once."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from popupstore.basket.models import Checkout
from popupstore.events.models import Event
from popupstore.events.services import get_event
from popupstore.extensions import db
from popupstore.series.models import EventSeries, SeriesMember

from .conftest import (
    ASSEN,
    BREDA,
    DATES,
    OUTSIDE,
    SERIES,
    VISITORS,
    ZWOLLE,
    activate,
    checkout_at,
)

WEIGHTS = {
    ("want", "want"): 1.0,
    ("want", "have"): 1.5,
    ("have", "want"): 1.5,
    ("have", "have"): 0.5,
}


def members() -> dict[str, str]:
    """Event slug -> series slug, for every event in a series."""
    db.session.expire_all()
    rows = db.session.execute(
        select(Event.slug, EventSeries.slug)
        .join(SeriesMember, SeriesMember.event_id == Event.id)
        .join(EventSeries, EventSeries.id == SeriesMember.series_id)
    )
    return dict(rows.all())


def organisation_key(name: str) -> str:
    """The test's own normalisation of the few names VISITORS use."""
    folded = name.casefold()
    return folded.removeprefix("gemeente ")


def numbered(visitors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """VISITORS with their receipt numbers (per event, in checkout order)."""
    counters: dict[str, int] = {}
    result = []
    for visitor in visitors:
        counters[visitor["event"]] = counters.get(visitor["event"], 0) + 1
        result.append({**visitor, "number": counters[visitor["event"]]})
    return result


def expected_series_matches(everyone: list[dict[str, Any]], me: dict[str, Any]) -> list[dict]:
    """series_matches of `me`, worked out from the visitor list by the written rule."""
    if not me["across"]:
        return []
    total = len(everyone)
    found = []
    for other in everyone:
        if other["event"] == me["event"]:
            continue
        if not (other["share"] and other["across"]):
            continue
        if organisation_key(other["organisation"]) == organisation_key(me["organisation"]):
            continue
        shared = sorted(set(me["items"]) & set(other["items"]))
        score = 0.0
        for product in shared:
            holders = sum(1 for v in everyone if product in v["items"])
            weight = WEIGHTS[(me["items"][product], other["items"][product])]
            score += weight * math.log(1 + total / holders)
        if score > 0:
            found.append(
                {
                    "event": other["event"],
                    "number": other["number"],
                    "name": other["name"],
                    "score": round(score, 4),
                    "shared": [
                        {"product": p, "mine": me["items"][p], "theirs": other["items"][p]}
                        for p in shared
                    ],
                }
            )
    found.sort(key=lambda m: (-m["score"], DATES[m["event"]], m["number"]))
    return found[:5]


def series_matches_of(client: Any, token: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/receipts/{token}")
    assert response.status_code == 200
    return [
        {key: m[key] for key in ("event", "number", "name", "score", "shared")}
        for m in response.get_json()["series_matches"]
    ]


# --- the command line ------------------------------------------------------------------------


def test_create_series_and_events_in_it_on_the_command_line(series_events):
    assert members() == {BREDA: SERIES, ZWOLLE: SERIES, ASSEN: SERIES}
    stored = db.session.execute(select(EventSeries)).scalar_one()
    assert (stored.slug, stored.name) == (SERIES, "Samen Organiseren 2026")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["create-series", "Samen 2026", "--name", "Samen"], "slug"),
        (["create-series", "samen-2027", "--name", "   "], "name"),
        (["create-series", "samen-2027", "--name", "Samen\x07"], "U+0007"),
        (["create-series", "samen-2027", "--name", "x" * 121], "120"),
        (["create-series", SERIES, "--name", "Nog eens"], SERIES),
        (
            ["create-event", "emmen-2027", "--name", "E", "--city", "E", "--date", "2027-02-01"]
            + ["--series", "bestaat-niet"],
            "bestaat-niet",
        ),
    ],
)
def test_bad_series_input_exits_2_and_writes_nothing(series_events, runner, args, words):
    before = members(), db.session.execute(select(func.count(EventSeries.id))).scalar_one()
    events = db.session.execute(select(func.count(Event.id))).scalar_one()
    result = runner.invoke(args=args)
    assert result.exit_code == 2, result.output
    assert words in result.output
    after = members(), db.session.execute(select(func.count(EventSeries.id))).scalar_one()
    assert after == before
    assert db.session.execute(select(func.count(Event.id))).scalar_one() == events


# --- series matches ----------------------------------------------------------------------------


def test_series_matches_follow_the_rules_on_a_seeded_series(client, seeded_series):
    everyone = numbered(VISITORS)
    # The seeded series has what the rules are about: consent both ways, the own
    # organisation at another day, an event outside the series, a later day.
    some = 0
    for visitor, stored in zip(everyone, seeded_series, strict=True):
        assert stored["number"] == visitor["number"]
        expected = expected_series_matches(everyone, visitor)
        assert series_matches_of(client, stored["token"]) == expected, visitor["name"]
        some += len(expected)
    assert some >= 8
    anna = seeded_series[0]
    # Anna (Breda) meets Dirk (Zwolle) and Hans (Assen), never Eva (Gemeente Breda, at
    # Zwolle), nor Fleur (no consent), nor her own event's visitors.
    assert [m["name"] for m in series_matches_of(client, anna["token"])] == [
        m["name"] for m in expected_series_matches(everyone, everyone[0])
    ]
    names = {m["name"] for m in series_matches_of(client, anna["token"])}
    assert {"Dirk", "Hans"} <= names and not names & {"Eva", "Fleur", "Bart", "Cis"}


def test_a_checkout_outside_the_series_changes_nothing(client, seeded_series):
    anna = seeded_series[0]
    before = series_matches_of(client, anna["token"])
    outside = {**VISITORS[3], "event": OUTSIDE, "name": "Kees", "organisation": "Utrecht"}
    checkout_at(client, outside)
    assert series_matches_of(client, anna["token"]) == before
    assert series_matches_of(client, checkout_at(client, {**outside, "name": "Lot"})["token"]) == []


def test_the_receipt_page_names_the_other_event_and_keeps_updating(client, seeded_series):
    anna, cis = seeded_series[0], seeded_series[2]
    page = client.get(f"/r/{anna['token']}").get_data(as_text=True)
    assert "Van andere dagen in de reeks Samen Organiseren 2026" in page
    assert "Dirk" in page and "Samen Organiseren Zwolle, bon 1" in page
    assert "Fleur" not in page
    # Cis did not tick the box: no one from other days, and the page says why.
    page = client.get(f"/r/{cis['token']}").get_data(as_text=True)
    assert "niet voor om ook mensen van de andere dagen te zien" in page
    # A later day's newcomer appears in Anna's polled part at once.
    etag = client.get(f"/r/{anna['token']}/partners").headers["ETag"]
    newcomer = {**VISITORS[7], "name": "Mila", "organisation": "Hoogeveen"}
    checkout_at(client, newcomer)
    fresh = client.get(f"/r/{anna['token']}/partners", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert "Mila" in fresh.get_data(as_text=True)


def test_an_event_leaving_the_series_takes_its_visitors_along(client, seeded_series, login):
    anna = seeded_series[0]
    assert "Hans" in {m["name"] for m in series_matches_of(client, anna["token"])}
    etag = client.get(f"/r/{anna['token']}/partners").headers["ETag"]
    login("organiser")
    response = client.post(f"/organisator/reeksen/{SERIES}/evenementen/{ASSEN}/uit")
    assert response.status_code == 302
    assert ASSEN not in members()
    assert "Hans" not in {m["name"] for m in series_matches_of(client, anna["token"])}
    assert (
        client.get(f"/r/{anna['token']}/partners", headers={"If-None-Match": etag}).status_code
        == 200
    )


def test_hidden_erased_and_purged_visitors_leave_the_series_at_once(
    client, seeded_series, runner, login
):
    anna, dirk = seeded_series[0], seeded_series[3]
    everyone = numbered(VISITORS)

    def names() -> set[str]:
        return {m["name"] for m in series_matches_of(client, anna["token"])}

    assert {"Dirk", "Hans"} <= names()
    # A facilitator hides Hans's checkout: gone from the series too (and from N).
    login("facilitator")
    assert client.post(f"/facilitator/evenement/{ASSEN}/bon/1/verbergen").status_code == 302
    assert "Hans" not in names()
    # Dirk erases himself: gone, and no longer counted in N and n_p.
    assert client.delete(f"/api/v1/receipts/{dirk['token']}").status_code == 204
    remaining = [v for v in everyone if v["name"] not in ("Dirk", "Hans")]
    assert series_matches_of(client, anna["token"]) == expected_series_matches(
        remaining, everyone[0]
    )
    # Zwolle is purged: its visitors no longer consent, but still count in N and n_p.
    assert runner.invoke(args=["purge-personal-data", ZWOLLE]).exit_code == 0
    purged = [{**v, "share": False} if v["event"] == ZWOLLE else v for v in remaining]
    assert series_matches_of(client, anna["token"]) == expected_series_matches(purged, everyone[0])
    assert not names() & {"Eva", "Gijs"}


def test_retention_of_one_event_reaches_the_series(client, seeded_series, runner, api_token):
    from popupstore.privacy.services import today

    anna = seeded_series[0]
    assert any(m["name"] == "Hans" for m in series_matches_of(client, anna["token"]))
    headers = {"Authorization": f"Bearer {api_token('organiser')}"}
    before = client.get(f"/api/v1/series/{SERIES}/stats", headers=headers).get_json()
    assen = get_event(ASSEN)
    assen.retention_until = today() - timedelta(days=1)
    db.session.commit()
    result = runner.invoke(args=["purge-expired"])
    assert result.exit_code == 0 and ASSEN in result.output
    assert not any(m["name"] == "Hans" for m in series_matches_of(client, anna["token"]))
    # The basket lines stay as anonymous data: the series' counts are as before.
    after = client.get(f"/api/v1/series/{SERIES}/stats", headers=headers).get_json()
    assert after == before


# --- one series per event, never demo and real together --------------------------------------


def test_an_event_cannot_be_put_into_two_series(client, series_events, login):
    from popupstore.errors import ConflictError
    from popupstore.series.services import add_event_to_series, create_series

    login("organiser")
    response = client.post("/organisator/reeksen", data={"slug": "tweede", "name": "Tweede"})
    assert response.status_code == 302
    page = client.post("/organisator/reeksen/tweede/evenementen", data={"event": BREDA})
    assert page.status_code == 409
    text = page.get_data(as_text=True)
    assert "hoort al bij reeks" in text and "Samen Organiseren 2026" in text
    assert members()[BREDA] == SERIES
    with pytest.raises(ConflictError):
        add_event_to_series(create_series("derde", name="Derde"), get_event(BREDA))
    db.session.rollback()
    assert members() == {BREDA: SERIES, ZWOLLE: SERIES, ASSEN: SERIES}
    # Adding it to its own series again changes nothing.
    again = client.post(f"/organisator/reeksen/{SERIES}/evenementen", data={"event": BREDA})
    assert again.status_code == 302 and members()[BREDA] == SERIES


def test_demo_events_and_real_events_never_share_a_series(client, series_events, login):
    demo = Event(slug="demo", name="Demo", city="Utrecht", date=DATES[BREDA], is_demo=True)
    db.session.add(demo)
    db.session.commit()
    login("organiser")
    page = client.post(f"/organisator/reeksen/{SERIES}/evenementen", data={"event": "demo"})
    assert page.status_code == 422
    assert "demo-evenement en echte evenementen" in page.get_data(as_text=True)
    assert "demo" not in members()


def test_the_organiser_groups_events_into_a_series_with_clear_errors(client, series_events, login):
    login("organiser")
    bad = client.post("/organisator/reeksen", data={"slug": "Met Spatie", "name": ""})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Alleen kleine letters" in text and "Vul dit in." in text
    assert db.session.execute(select(func.count(EventSeries.id))).scalar_one() == 1
    made = client.post("/organisator/reeksen", data={"slug": "regio-2027", "name": "Regio 2027"})
    assert made.headers["Location"] == "/organisator/reeksen/regio-2027"
    assert (
        client.post(
            "/organisator/reeksen/regio-2027/evenementen", data={"event": OUTSIDE}
        ).status_code
        == 302
    )
    assert members()[OUTSIDE] == "regio-2027"
    nothing = client.post("/organisator/reeksen/regio-2027/evenementen", data={"event": ""})
    assert nothing.status_code == 422 and "Kies een evenement" in nothing.get_data(as_text=True)
    unknown = client.post("/organisator/reeksen/regio-2027/evenementen", data={"event": "nee"})
    assert unknown.status_code == 404
    page = client.get("/organisator/reeksen/regio-2027").get_data(as_text=True)
    assert "Utrecht" in page
    listing = client.get("/organisator/reeksen").get_data(as_text=True)
    assert "Regio 2027" in listing and "Samen Organiseren 2026" in listing
    assert (
        client.post(f"/organisator/reeksen/regio-2027/evenementen/{BREDA}/uit").status_code == 404
    )
    assert client.get("/organisator/reeksen/bestaat-niet").status_code == 404


# --- statistics ----------------------------------------------------------------------------------


def test_series_stats_api(client, seeded_series, api_token):
    url = f"/api/v1/series/{SERIES}/stats"
    assert client.get(url).status_code == 401
    facilitator = {"Authorization": f"Bearer {api_token('facilitator')}"}
    assert client.get(url, headers=facilitator).get_json()["error"]["code"] == "forbidden"
    organiser = {"Authorization": f"Bearer {api_token('organiser')}"}
    missing = client.get("/api/v1/series/bestaat-niet/stats", headers=organiser)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    data = client.get(url, headers=organiser).get_json()
    products: dict[str, dict[str, int]] = {}
    for visitor in VISITORS:
        for product, intent in visitor["items"].items():
            counts = products.setdefault(product, {"want": 0, "have": 0})
            counts[intent] += 1
    days: dict[str, set[str]] = {}
    for visitor in VISITORS:
        days.setdefault(organisation_key(visitor["organisation"]), set()).add(visitor["event"])
    assert data == {
        "events": [BREDA, ZWOLLE, ASSEN],
        "checkouts": len(VISITORS),
        "organisations": len(days),
        # Breda (Breda, Zwolle) and Tilburg (Breda, Assen).
        "returning_organisations": sum(1 for seen in days.values() if len(seen) >= 2),
        "products": [{"product": p, **products[p]} for p in sorted(products)],
    }
    assert data["returning_organisations"] == 2


def test_the_openapi_document_describes_the_series_endpoint(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/series/{slug}/stats"]["get"]
    assert operation["security"] == [{"bearer": []}]
    schema = document["components"]["schemas"]["SeriesStats"]
    assert schema["required"] == [
        "events",
        "checkouts",
        "organisations",
        "returning_organisations",
        "products",
    ]
    visitor = document["components"]["schemas"]["CheckoutRequest"]["properties"]["visitor"]
    assert "across_series" in visitor["properties"]
    receipt = document["components"]["schemas"]["Receipt"]["properties"]
    assert receipt["series_matches"]["items"] == {"$ref": "#/components/schemas/SeriesMatch"}


def test_series_views_for_organiser_and_facilitator(client, seeded_series, login):
    # Kampen's Gijs and Oss's Cis consented; Fleur (Deventer) did not, but she came once.
    login("organiser")
    page = client.get(f"/organisator/reeksen/{SERIES}").get_data(as_text=True)
    assert "Organisaties die terugkwamen" in page
    returning = page.split("Organisaties die terugkwamen")[1].split("In opkomst")[0]
    assert "Breda" in returning and "Tilburg" in returning
    assert "Fleur" not in page and "Anna" not in page
    facilitator_page = client.get(f"/facilitator/reeks/{SERIES}")
    assert facilitator_page.status_code == 200
    assert "Reeks: Samen Organiseren 2026" in facilitator_page.get_data(as_text=True)
    # The wall of one day shows the series' totals, and never a name.
    wall = client.get(f"/facilitator/evenement/{ASSEN}/wand/live").get_data(as_text=True)
    assert "De reeks Samen Organiseren 2026" in wall
    assert re.search(r"10\s+bonnen", wall)
    assert "waarvan 2 vaker dan één dag" in wall
    assert not any(v["name"] in wall for v in VISITORS)


def test_the_wall_and_the_series_view_follow_an_erasure_at_another_day(
    client, seeded_series, login
):
    login("facilitator")
    url = f"/facilitator/evenement/{ASSEN}/wand/live"
    first = client.get(url)
    assert "waarvan 2 vaker" in first.get_data(as_text=True)
    # Eva (Gemeente Breda, at Zwolle) erases herself: Breda came only once now.
    assert client.delete(f"/api/v1/receipts/{seeded_series[4]['token']}").status_code == 204
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert "waarvan 1 vaker" in again.get_data(as_text=True)


# --- the checkout form ---------------------------------------------------------------------------


def put_in_basket(client: Any, slug: str = "geldfit") -> None:
    assert client.post(f"/mandje/{slug}", data={"intent": "want"}).status_code == 302


def test_the_checkout_form_asks_only_at_an_event_in_a_series(client, series_events):
    activate(OUTSIDE)
    put_in_basket(client)
    assert "Laat me ook mensen van andere dagen" not in client.get("/afrekenen").get_data(
        as_text=True
    )
    activate(BREDA)
    page = client.get("/afrekenen").get_data(as_text=True)
    assert "Laat me ook mensen van andere dagen in deze reeks zien" in page
    assert "Deze dag hoort bij de reeks Samen Organiseren 2026." in page
    # Unticked by default.
    box = re.search(r'<input[^>]*name="across_series"[^>]*>', page)
    assert box is not None and "checked" not in box.group(0)
    form = {"name": "Nina", "organisation": "Breda", "share_contact": "y", "across_series": "y"}
    assert client.post("/afrekenen", data=form).status_code == 302
    stored = db.session.execute(select(Checkout)).scalar_one()
    assert (stored.visitor_name, stored.across_series, stored.share_contact) == (
        "Nina",
        True,
        True,
    )
    put_in_basket(client)
    client.post("/klaar")
    put_in_basket(client)
    assert (
        client.post("/afrekenen", data={"name": "Otto", "organisation": "Oss"}).status_code == 302
    )
    otto = db.session.execute(select(Checkout).where(Checkout.visitor_name == "Otto")).scalar_one()
    assert otto.across_series is False
