"""Statistics per event and across events: the service, the pages and the stats endpoint."""

from __future__ import annotations

import re

import pytest

from popupstore.events.services import get_event, list_events
from popupstore.matching import PairCount, ProductCount
from popupstore.organiser.stats import Count, compare_events, statistics

from .conftest import BREDA, VISITORS, ZWOLLE

STATS = f"/api/v1/events/{BREDA}/stats"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def shown(answers, indexes) -> int:
    return sum(len(answers[i]["matches"]) + len(answers[i]["colleagues"]) for i in indexes)


def test_statistics_of_one_event(app, shop):
    stats = statistics([get_event(BREDA)])
    assert stats.checkouts == 4
    assert stats.visitors_sharing == 3
    # "Gemeente Breda" and "breda" are one organisation after normalisation.
    assert stats.organisations == 3
    assert stats.products == [
        ProductCount("geldfit", 2, 1),
        ProductCount("gemeentepolis", 2, 0),
        ProductCount("schuldhulpmaatje", 0, 1),
        ProductCount("vroegsignalering", 1, 1),
    ]
    assert stats.lines == 8
    assert stats.pairs == [
        PairCount("geldfit", "vroegsignalering", 2),
        PairCount("geldfit", "gemeentepolis", 1),
        PairCount("geldfit", "schuldhulpmaatje", 1),
        PairCount("gemeentepolis", "vroegsignalering", 1),
    ]
    assert stats.by_province == [Count("Noord-Brabant", 3), Count("onbekend", 1)]
    assert stats.basket_sizes == [Count("1", 1), Count("2", 2), Count("3", 1)]
    assert stats.organisation_types == [Count("gemeente", 3), Count("woningcorporatie", 1)]
    assert stats.roles == [Count("Schuldhulpverlening", 2), Count("", 1), Count("Wijkteam", 1)]
    assert stats.matches_shown == shown(shop, range(4))
    assert stats.matches_shown > 0


def test_statistics_of_all_events_together(app, shop):
    stats = statistics(list_events())
    assert (stats.checkouts, stats.visitors_sharing, stats.organisations) == (5, 3, 4)
    assert stats.by_province == [
        Count("Noord-Brabant", 3),
        Count("Overijssel", 1),
        Count("onbekend", 1),
    ]
    assert ProductCount("vroegsignalering", 2, 1) in stats.products
    assert stats.matches_shown == shown(shop, range(5))
    every = stats.every_province()
    assert len(every) == 13 and every[-1] == Count("onbekend", 1)
    assert Count("Drenthe", 0) in every and Count("Overijssel", 1) in every


def test_events_compared_oldest_first(app, shop):
    summaries = compare_events(list_events())
    assert [(s.event.slug, s.statistics.checkouts) for s in summaries] == [
        (ZWOLLE, 1),
        (BREDA, 4),
    ]


def test_an_event_without_checkouts_has_empty_statistics(app, two_events):
    stats = statistics([get_event(ZWOLLE)])
    assert (stats.checkouts, stats.organisations, stats.lines, stats.matches_shown) == (0, 0, 0, 0)
    assert stats.products == stats.pairs == stats.by_province == stats.basket_sizes == []


def test_an_erased_checkout_counts_nowhere(client, shop, api_token):
    client.delete(f"/api/v1/receipts/{shop[2]['token']}")
    body = client.get(STATS, headers=bearer(api_token("organiser"))).get_json()
    assert body["checkouts"] == 3
    assert body["organisations"] == 2
    assert {"product": "gemeentepolis", "want": 1, "have": 0} in body["products"]
    assert body["by_province"] == [{"province": "Noord-Brabant", "checkouts": 3}]


def test_the_stats_endpoint_answers_as_the_contract_says(client, shop, api_token):
    response = client.get(STATS, headers=bearer(api_token("organiser")))
    assert response.status_code == 200
    assert response.get_json() == {
        "checkouts": 4,
        "visitors_sharing": 3,
        "products": [
            {"product": "geldfit", "want": 2, "have": 1},
            {"product": "gemeentepolis", "want": 2, "have": 0},
            {"product": "schuldhulpmaatje", "want": 0, "have": 1},
            {"product": "vroegsignalering", "want": 1, "have": 1},
        ],
        "organisations": 3,
        "by_province": [
            {"province": "Noord-Brabant", "checkouts": 3},
            {"province": "onbekend", "checkouts": 1},
        ],
    }


def test_the_stats_endpoint_works_for_a_past_event(client, shop, api_token):
    body = client.get(f"/api/v1/events/{ZWOLLE}/stats", headers=bearer(api_token("organiser")))
    assert body.get_json()["by_province"] == [{"province": "Overijssel", "checkouts": 1}]


@pytest.mark.parametrize(
    ("role", "url", "status", "code"),
    [
        (None, STATS, 401, "unauthorized"),
        ("facilitator", STATS, 403, "forbidden"),
        (None, "/api/v1/events/bestaat-niet/stats", 401, "unauthorized"),
        ("facilitator", "/api/v1/events/bestaat-niet/stats", 403, "forbidden"),
        ("organiser", "/api/v1/events/bestaat-niet/stats", 404, "not_found"),
    ],
)
def test_the_stats_endpoint_is_for_organisers(client, store, api_token, role, url, status, code):
    headers = bearer(api_token(role)) if role else {}
    response = client.get(url, headers=headers)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code


def test_the_event_page_draws_charts_with_their_numbers(organiser, shop):
    html = organiser.get(f"/organisator/evenementen/{BREDA}").get_data(as_text=True)
    # Six statistics charts and the municipalities reached per province.
    assert html.count('<svg class="chart__svg') == 7
    assert html.count('role="img"') == 7
    # Every chart points at its table; the table holds the numbers.
    for chart_id in re.findall(r'aria-describedby="([a-z-]+-table)"', html):
        assert f'id="{chart_id}"' in html
    products = html[html.index('id="event-products-table"') :]
    products = products[: products.index("</table>")]
    assert re.search(
        r'<th scope="row">Geldfit</th><td class="num">2</td><td class="num">1</td>', products
    )
    provinces = html[html.index('id="event-provinces-table"') :]
    assert re.search(r'<th scope="row">Noord-Brabant</th><td class="num">3</td>', provinces)
    assert re.search(r"<dt>Organisaties</dt><dd>3</dd>", html)
    # No names on a statistics page.
    for visitor in VISITORS:
        assert visitor["name"] not in html


def test_the_statistics_page_compares_the_events(organiser, shop):
    html = organiser.get("/organisator/statistiek").get_data(as_text=True)
    compare = html[html.index('id="compare-table"') :]
    compare = compare[: compare.index("</table>")]
    assert re.search(
        r'<th scope="row">Samen Organiseren Zwolle</th><td class="num">1</td>'
        r'<td class="num">1</td><td class="num">0</td>',
        compare,
    )
    assert re.search(
        r'<th scope="row">Samen Organiseren Breda</th><td class="num">4</td>'
        r'<td class="num">3</td><td class="num">3</td>',
        compare,
    )
    assert re.search(r"<dt>Bezoekers die afrekenden</dt><dd>5</dd>", html)


def test_the_print_view_opens_every_table_and_sets_a4(organiser, shop):
    html = organiser.get("/organisator/statistiek/rapport").get_data(as_text=True)
    # The comparison and seven statistics charts, then the outcome's four (tests/followup).
    assert html.count('<details class="chart__data" open>') == 8 + 4
    assert "Rapport: alle evenementen" in html
    event = organiser.get(f"/organisator/evenementen/{BREDA}/rapport").get_data(as_text=True)
    assert "Rapport: Samen Organiseren Breda" in event
    with organiser.get("/static/css/organiser.css") as response:
        assert "@page { size: A4 portrait;" in response.get_data(as_text=True)


def test_statistics_count_the_agreements_made(app, shop, organiser):
    from sqlalchemy import select

    from popupstore.agreements.services import record_agreement
    from popupstore.basket.models import Checkout
    from popupstore.extensions import db

    anna = db.session.execute(select(Checkout).where(Checkout.visitor_name == "Anna")).scalar_one()
    record_agreement(anna, 4, "geldfit", "Samen een pilot met Geldfit in Midden-Brabant.")
    db.session.commit()
    assert statistics([get_event(BREDA)]).agreements == 1
    assert statistics([get_event(ZWOLLE)]).agreements == 0
    assert statistics(list_events()).agreements == 1
    compared = {s.event.slug: s.statistics.agreements for s in compare_events(list_events())}
    assert compared == {BREDA: 1, ZWOLLE: 0}
    html = organiser.get(f"/organisator/evenementen/{BREDA}").get_data(as_text=True)
    figure = re.search(r"Samenwerkingsafspraken vastgelegd</dt><dd>(\d+)</dd>", html)
    assert figure and figure.group(1) == "1"
