"""The live overview: counts, popularity, and the polled fragment with ETag / 304."""

from __future__ import annotations

import re

from popupstore.events.services import get_event
from popupstore.facilitator.services import LiveSummary, ProductPopularity, live_summary

from .conftest import EVENT

LIVE = EVENT + "/live"


def counts(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', html)}


def test_live_summary_counts_checkouts_organisations_provinces(app, crowd):
    assert live_summary(get_event("breda-2026")) == LiveSummary(
        checkouts=5,
        organisations=4,  # Breda twice; Stichting Stilte has no province
        provinces=2,
        agreements=0,
        products=[
            ProductPopularity("geldfit", "Geldfit", want=3, have=1),
            ProductPopularity("vroegsignalering", "Vroegsignalering", want=2, have=1),
            ProductPopularity("gemeentepolis", "Gemeentepolis", want=2, have=0),
            ProductPopularity("schuldhulpmaatje", "SchuldHulpMaatje", want=1, have=1),
        ],
    )


def test_the_overview_shows_counts_chart_and_table(client, crowd, staff):
    html = client.get(EVENT).get_data(as_text=True)
    assert counts(html) == {"checkouts": 5, "organisations": 4, "provinces": 2, "agreements": 0}
    assert '<svg class="chart__svg chart__svg--bars"' in html and 'role="img"' in html
    row = re.search(r'<th scope="row">Geldfit</th>(.*?)</tr>', html).group(1)
    assert re.findall(r">(\d+)<", row) == ["3", "1", "4"]
    assert f'data-poll="{LIVE}"' in html
    # The receipts list: newest first, Zeger (3) by number only.
    assert html.index("<td>5</td>") < html.index("<td>1</td>")
    assert "Alleen bonnummer" in html


def test_the_live_fragment_answers_304_until_something_changes(client, crowd, staff, make_checkout):
    first = client.get(LIVE)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "no-cache, private"
    assert counts(first.get_data(as_text=True))["checkouts"] == 5
    unchanged = client.get(LIVE, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.get_data() == b""

    make_checkout({"geldfit": "want"}, name="Fien", organisation="Zwolle")
    changed = client.get(LIVE, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert counts(changed.get_data(as_text=True))["checkouts"] == 6


def test_the_etag_changes_with_agreements_plans_and_erasures(client, crowd, staff):
    def etag() -> str:
        return client.get(LIVE).headers["ETag"]

    seen = [etag()]
    agreement = {"choice": "2:geldfit", "text": "Samen beginnen"}
    assert client.post(f"/r/{crowd.anna['token']}/samenwerking", data=agreement).status_code == 302
    seen.append(etag())
    assert counts(client.get(LIVE).get_data(as_text=True))["agreements"] == 1
    assert client.post(EVENT + "/tafels", data={"min_size": 2, "max_size": 3}).status_code == 302
    seen.append(etag())
    assert client.delete(f"/api/v1/receipts/{crowd.dirk['token']}").status_code == 204
    seen.append(etag())
    assert len(set(seen)) == 4
    assert counts(client.get(LIVE).get_data(as_text=True))["checkouts"] == 4


def test_a_second_app_on_the_same_database_gives_the_same_etag(client, crowd, staff, make_app):
    """Workers share nothing but the database: their ETags must agree."""
    other = make_app().test_client()
    with other.session_transaction() as session:
        with client.session_transaction() as mine:
            session.update(dict(mine))
    assert other.get(LIVE).headers["ETag"] == client.get(LIVE).headers["ETag"]


def test_an_event_without_checkouts(client, store, staff):
    html = client.get(EVENT).get_data(as_text=True)
    assert counts(html) == {"checkouts": 0, "organisations": 0, "provinces": 0, "agreements": 0}
    assert "Nog niemand heeft afgerekend." in html
