"""The report's answers: municipalities reached, demand against experience, knowledge routes,
agreements and kinds of work; on the pages, in the A4 view and in the anonymous export.

Every figure follows from VISITORS (conftest): at Breda, Anna (Breda, consenting) wants
Geldfit and has Vroegsignalering; Bram (Breda, not consenting) has Geldfit and wants
Vroegsignalering and Gemeentepolis; Cas (Woonbron) wants Gemeentepolis; Dewi (Tilburg,
consenting) has SchuldHulpMaatje and wants Geldfit. At Zwolle, Eva wants Vroegsignalering.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from typing import Any

import openpyxl
import pytest

from popupstore.events.services import activate_event, get_event, list_events
from popupstore.extensions import db
from popupstore.organiser.stats import (
    Count,
    KnowledgeRoute,
    ProductGap,
    ProvinceReach,
    RouteSide,
    event_baskets,
    report_figures,
    reported_events,
    role_kind,
    statistics,
)

from .conftest import BREDA, ZWOLLE

NAMES = {
    "geldfit": "Geldfit",
    "gemeentepolis": "Gemeentepolis",
    "schuldhulpmaatje": "SchuldHulpMaatje",
    "vroegsignalering": "Vroegsignalering",
}
DEMO = "demo-2026"


def figures_of(*slugs: str) -> Any:
    events = [get_event(slug) for slug in slugs]
    return report_figures(events, statistics(events), NAMES)


def xlsx_sheets(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheets = {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in workbook}
    workbook.close()
    return sheets


def api_get(client: Any, url: str, token: str) -> Any:
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


# --- the figures ---------------------------------------------------------------------------------


def test_municipalities_reached_per_province_out_of_the_register(app, shop):
    figures = figures_of(BREDA)
    reach = {r.province: r for r in figures.reach}
    assert len(reach) == 12
    # Breda and Tilburg ("Gemeente Breda" and "breda" are one); Woonbron is no municipality.
    assert reach["Noord-Brabant"] == ProvinceReach("Noord-Brabant", 2, 56)
    assert reach["Noord-Brabant"].percentage == 4
    assert reach["Overijssel"] == ProvinceReach("Overijssel", 0, 25)
    assert (figures.municipalities_reached, figures.municipalities_total) == (2, 342)
    together = figures_of(BREDA, ZWOLLE)
    assert {r.province: r.reached for r in together.reach if r.reached} == {
        "Noord-Brabant": 2,
        "Overijssel": 1,
    }


def test_the_gap_between_wanting_and_doing_per_product_largest_first(app, shop):
    assert figures_of(BREDA).gaps == [
        ProductGap("gemeentepolis", "Gemeentepolis", 2, 0),
        ProductGap("geldfit", "Geldfit", 2, 1),
        ProductGap("vroegsignalering", "Vroegsignalering", 1, 1),
        ProductGap("schuldhulpmaatje", "SchuldHulpMaatje", 0, 1),
    ]
    assert [g.gap for g in figures_of(BREDA).gaps] == [2, 1, 0, -1]


def test_knowledge_routes_name_organisations_only_as_their_visitors_consented(app, shop):
    # Geldfit: Breda does it (only Bram, who did not consent: counted, not named), Tilburg
    # wants it (Dewi consented: named). Anna of Breda wants it too, but Breda already does
    # it. Vroegsignalering: only Breda on both sides, so no route; SchuldHulpMaatje: nobody
    # wants it; Gemeentepolis: nobody does it yet.
    assert figures_of(BREDA).routes == [
        KnowledgeRoute("geldfit", "Geldfit", have=RouteSide((), 1), want=RouteSide(("Tilburg",), 0))
    ]
    # Over both days, Zwolle (Eva, not consenting) wants Vroegsignalering that Breda does
    # (Anna consented for Breda having it).
    routes = {r.product: r for r in figures_of(BREDA, ZWOLLE).routes}
    assert routes["vroegsignalering"].have == RouteSide(("Breda",), 0)
    assert routes["vroegsignalering"].want == RouteSide((), 1)


def test_a_purged_visitor_names_no_organisation(app, shop, runner):
    assert runner.invoke(args=["purge-personal-data", BREDA]).exit_code == 0
    [route] = figures_of(BREDA).routes
    assert route.want == RouteSide((), 1)


def test_an_erased_visitor_counts_on_no_side(app, shop, client):
    assert client.delete(f"/api/v1/receipts/{shop[3]['token']}").status_code == 204
    assert figures_of(BREDA).routes == []


def test_agreements_are_counted_per_product(app, shop):
    from sqlalchemy import select

    from popupstore.agreements.services import record_agreement
    from popupstore.basket.models import Checkout

    anna = db.session.execute(select(Checkout).where(Checkout.visitor_name == "Anna")).scalar_one()
    record_agreement(anna, 4, "geldfit", "Samen een pilot met Geldfit.")
    db.session.commit()
    assert figures_of(BREDA).agreements == [Count("geldfit", 1)]
    assert figures_of(ZWOLLE).agreements == []


@pytest.mark.parametrize(
    ("role", "kind"),
    [
        ("Schuldhulpverlening", "Schuldhulpverlening"),
        ("budgetcoach", "Schuldhulpverlening"),
        ("Beleidsmedewerker schuldhulp", "Schuldhulpverlening"),
        ("Vroegsignalering", "Vroegsignalering"),
        ("Klantmanager", "Werk en inkomen"),
        ("Consulent Werk en Inkomen", "Werk en inkomen"),
        ("Wijkteam", "Wijkteam en zorg"),
        ("sociaal werker", "Wijkteam en zorg"),
        ("Wethouder sociaal domein", "Beleid en bestuur"),
        ("Bestuur (wethouder)", "Beleid en bestuur"),
        ("Gemeentelijke belastingen", "Incasso en belastingen"),
        ("Incasso en debiteurenbeheer", "Incasso en belastingen"),
        ("SchuldHulpMaatje vrijwilliger", "Vrijwilliger"),
        ("Coördinator armoedepact", "Andere rol"),
        ("", "Niet ingevuld"),
        ("   ", "Niet ingevuld"),
        (None, "Niet ingevuld"),
    ],
)
def test_free_text_roles_fall_into_a_few_kinds(app, role, kind):
    with app.test_request_context():
        assert role_kind(role) == kind


def test_every_role_the_checkout_suggests_has_a_kind_of_its_own(app):
    from popupstore.basket.forms import ROLE_SUGGESTIONS

    with app.test_request_context():
        kinds = {str(role): role_kind(str(role)) for role in ROLE_SUGGESTIONS}
    assert "Andere rol" not in kinds.values(), kinds
    # "A few kinds": fewer kinds than suggestions.
    assert len(set(kinds.values())) < len(kinds)


def test_role_kinds_count_every_kind_in_a_fixed_order(app, shop):
    kinds = figures_of(BREDA).role_kinds
    assert kinds == [
        Count("Vroegsignalering", 0),
        Count("Vrijwilliger", 0),
        Count("Incasso en belastingen", 0),
        Count("Schuldhulpverlening", 2),
        Count("Werk en inkomen", 0),
        Count("Beleid en bestuur", 0),
        Count("Wijkteam en zorg", 1),
        Count("Andere rol", 0),
        Count("Niet ingevuld", 1),
    ]


# --- the pages --------------------------------------------------------------------------------


def table_after(html: str, marker: str) -> str:
    part = html[html.index(marker) :]
    return part[: part.index("</table>")]


def test_the_event_page_answers_the_report_questions(organiser, shop):
    html = organiser.get(f"/organisator/evenementen/{BREDA}").get_data(as_text=True)
    reach = table_after(html, 'id="event-answers-reach"')
    assert re.search(
        r'<th scope="row">Noord-Brabant</th><td class="num">2</td><td class="num">56</td>'
        r'<td class="num">4%</td>',
        reach,
    )
    assert "2 van de 342 gemeenten had minstens één bezoeker." in html
    assert "Bron: CBS" in html
    gaps = table_after(html, 'id="event-answers-gap"')
    assert re.findall(r'<th scope="row">([^<]+)</th>', gaps) == [
        "Gemeentepolis",
        "Geldfit",
        "Vroegsignalering",
        "SchuldHulpMaatje",
    ]
    routes = table_after(html, 'id="event-answers-routes"')
    assert re.search(
        r'<th scope="row">Geldfit</th><td>1 organisatie zonder naam</td><td>Tilburg</td>', routes
    )
    # Roles are shown by kind; the chart's table holds the kinds, never the roles as typed.
    roles = table_after(html, 'id="event-roles-table"')
    assert re.search(r'<th scope="row">Wijkteam en zorg</th><td class="num">1</td>', roles)


def test_the_a4_view_opens_with_a_one_page_summary(organiser, shop):
    html = organiser.get(f"/organisator/evenementen/{BREDA}/rapport").get_data(as_text=True)
    summary = html[
        html.index('id="summary-title"') : html.index("</section>", html.index("summary-title"))
    ]
    # The summary comes before every chart, and the stylesheet breaks the page after it.
    assert html.index('id="summary-title"') < html.index('<svg class="chart__svg')
    assert re.search(r"<dt>Gemeenten bereikt</dt><dd>2 van 342</dd>", summary)
    assert "Noord-Brabant: 2 van 56 gemeenten" in summary
    assert "Gemeentepolis: 2 willen het, 0 doen het al" in summary
    assert "Geldfit: 1 organisatie doet het al → 1 wil het" in summary
    assert "Schuldhulpverlening: 2" in summary
    assert "Bron: CBS" in summary
    with organiser.get("/static/css/organiser.css") as response:
        assert ".report__summary { break-after: page; }" in response.get_data(as_text=True)


# --- the anonymous export ----------------------------------------------------------------------


def test_the_anonymous_export_carries_the_same_figures(client, shop, api_token):
    data = api_get(client, f"/api/v1/events/{BREDA}/export?format=xlsx", api_token("organiser"))
    sheets = xlsx_sheets(data.data)
    reach = sheets["gemeenten bereikt"]
    assert reach[0] == ("Bron: CBS",)
    assert reach[1] == ("provincie", "gemeenten bereikt", "gemeenten totaal", "aandeel (%)")
    assert ("Noord-Brabant", 2, 56, 4) in reach
    assert len(reach) == 2 + 12
    assert sheets["vraag en ervaring"] == [
        ("product", "naam", "wil ik", "doen we al", "verschil"),
        ("gemeentepolis", "Gemeentepolis", 2, 0, 2),
        ("geldfit", "Geldfit", 2, 1, 1),
        ("vroegsignalering", "Vroegsignalering", 1, 1, 0),
        ("schuldhulpmaatje", "SchuldHulpMaatje", 0, 1, -1),
    ]
    assert sheets["kennisroutes"] == [
        (
            "product",
            "naam",
            "doet het al: organisaties",
            "doet het al: zonder naam",
            "wil het: organisaties",
            "wil het: zonder naam",
        ),
        ("geldfit", "Geldfit", None, 1, "Tilburg", 0),
    ]
    assert sheets["afspraken"] == [("product", "naam", "samenwerkingsafspraken")]
    kinds = dict(sheets["soort werk"][1:])
    assert (kinds["Schuldhulpverlening"], kinds["Wijkteam en zorg"], kinds["Niet ingevuld"]) == (
        2,
        1,
        1,
    )


def test_roles_as_typed_never_reach_the_anonymous_export(client, store, make_checkout, api_token):
    make_checkout({"geldfit": "want"}, role="Coördinator armoedepact Oost")
    data = api_get(client, f"/api/v1/events/{BREDA}/export?format=xlsx", api_token("organiser"))
    sheets = xlsx_sheets(data.data)
    assert "armoedepact" not in json.dumps(sheets, default=str, ensure_ascii=False)
    assert ("Andere rol", 1) in sheets["soort werk"]


# --- demo events stay out of "all events" -------------------------------------------------------


@pytest.fixture
def demo_shop(shop: Any, make_event: Any, make_checkout: Any) -> Any:
    """The shop, and a demo event with two simulated visitors from Groningen."""
    demo = make_event(DEMO, name="Demodag", city="Utrecht", day=date(2026, 6, 1))
    demo.is_demo = True
    db.session.commit()
    for name in ("Sim", "Ula"):
        make_checkout({"gemeentepolis": "have"}, event=DEMO, name=name, organisation="Groningen")
    activate_event(get_event(BREDA))
    db.session.commit()
    return shop


def test_reports_over_all_events_leave_demo_events_out(app, demo_shop):
    every = list_events()
    assert [e.slug for e in reported_events(every)] == [BREDA, ZWOLLE]
    real = statistics(reported_events(every))
    assert real.checkouts == 5
    assert len(event_baskets([get_event(DEMO)])) == 2


def test_the_all_events_pages_and_exports_hold_no_simulated_visitors(
    organiser, demo_shop, api_token
):
    html = organiser.get("/organisator/statistiek").get_data(as_text=True)
    assert re.search(r"<dt>Bezoekers die afrekenden</dt><dd>5</dd>", html)
    assert "1 demo-evenement met gesimuleerde bezoekers telt niet mee." in html
    assert "Demodag" not in html
    report = organiser.get("/organisator/statistiek/rapport").get_data(as_text=True)
    assert "Demodag" not in report
    assert "Groningen: 1 van 10 gemeenten" not in report
    assert re.search(r"<dt>Bezoekers die afrekenden</dt><dd>5</dd>", report)
    token = api_token("organiser")
    records = json.loads(api_get(organiser, "/api/v1/export?format=json", token).data)
    assert {r["event"] for r in records} == {BREDA, ZWOLLE}
    sheets = xlsx_sheets(organiser.get("/organisator/exports/anoniem?event=alle&format=xlsx").data)
    assert [row[0] for row in sheets["evenementen"][1:]] == [ZWOLLE, BREDA]
    assert ("Groningen", 0, 10, 0) in sheets["gemeenten bereikt"]
    listing = organiser.get("/organisator/evenementen").get_data(as_text=True)
    demo_row = listing[listing.index(">Demodag<") :]
    assert ">Demo</span>" in demo_row[: demo_row.index("</tr>")]
    # The demo event itself can still be looked at and exported on its own.
    own = json.loads(api_get(organiser, f"/api/v1/events/{DEMO}/export?format=json", token).data)
    assert {r["organisation"] for r in own} == {"Groningen"}


def test_what_came_of_all_events_leaves_demo_events_out(organiser, demo_shop):
    outcome = organiser.get("/organisator/uitkomst").get_data(as_text=True)
    assert "Demodag" not in outcome
    assert "Samen Organiseren Breda" in outcome
    rows = organiser.get("/organisator/exports/uitkomst?event=alle&format=json")
    events = {row["evenement"] for row in json.loads(rows.data)}
    assert events == {BREDA, ZWOLLE}
    own = organiser.get(f"/organisator/exports/uitkomst?event={DEMO}&format=json")
    assert {row["evenement"] for row in json.loads(own.data)} == {DEMO}
