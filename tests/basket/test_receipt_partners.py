"""What a receipt page tells a visitor about the people to meet: who already does what they
want ("Doet het al — vraag hoe") and who wants the same, each with role and table; their
own table; municipalities by the names they use; a work area for partners."""

from __future__ import annotations

import re
from typing import Any

from popupstore.events.services import get_event
from popupstore.extensions import db
from popupstore.facilitator.services import make_table_plan


def section(html: str, heading: str) -> str:
    """The receipt section under `heading`, up to the next one."""
    start = html.index(f">{heading}</h2>")
    end = html.find('class="receipt__heading"', start)
    return html[start : end if end > 0 else len(html)]


def receipt_html(client: Any, token: str) -> str:
    return client.get(f"/r/{token}").get_data(as_text=True)


def test_partners_are_split_by_what_they_can_offer_with_their_role(client, store, make_checkout):
    anna = make_checkout({"geldfit": "want", "gemeentepolis": "want"}, name="Anna")
    make_checkout(
        {"geldfit": "have"}, name="Bram", organisation="Tilburg", role="Schuldhulpverlening"
    )
    make_checkout({"gemeentepolis": "want"}, name="Cor", organisation="Den Haag")
    make_checkout({"geldfit": "have"}, name="Dirk", organisation="Assen", share_contact=False)
    html = receipt_html(client, anna["token"])
    ask_how = section(html, "Doet het al — vraag hoe")
    same_wish = section(html, "Wil hetzelfde")
    assert "Bram" in ask_how and "Tilburg · Schuldhulpverlening" in ask_how
    assert "doet het al" in ask_how
    assert "Cor" in same_wish and "Den Haag" in same_wish
    assert "Bram" not in same_wish and "Cor" not in ask_how
    # Who did not consent is on no one's receipt, role and all.
    assert "Dirk" not in html and "Assen" not in html
    assert "Jouw tafel" not in html and "tafel " not in ask_how


def test_tables_show_on_the_receipt_as_soon_as_the_facilitator_makes_a_plan(
    client, store, make_checkout
):
    anna = make_checkout({"geldfit": "want"}, name="Anna")
    make_checkout({"geldfit": "have"}, name="Bram", organisation="Tilburg")
    make_checkout({"geldfit": "want"}, name="Cor", organisation="Utrecht")
    make_checkout({"geldfit": "have"}, name="Dirk", organisation="Zwolle")
    before = receipt_html(client, anna["token"])
    assert "Jouw tafel" not in before
    make_table_plan(get_event("breda-2026"), min_size=2, max_size=2)
    db.session.commit()
    html = receipt_html(client, anna["token"])
    own = re.search(r"Jouw tafel: (\d+)", html)
    assert own is not None
    # Anna's partner at her table carries the same number; the others their own.
    tables = dict(
        re.findall(
            r"<strong>(\w+)</strong>[^<]*<span[^>]*>\(bon \d+\)</span> · "
            r'<span class="match__table">tafel (\d+)</span>',
            html,
        )
    )
    assert set(tables) == {"Bram", "Cor", "Dirk"}
    assert sorted(tables.values()).count(own.group(1)) == 1
    # The live part that the page polls shows the same.
    fragment = client.get(f"/r/{anna['token']}/partners").get_data(as_text=True)
    assert f"Jouw tafel: {own.group(1)}" in fragment


def test_municipalities_appear_by_the_names_they_use(client, store, make_checkout):
    anna = make_checkout({"geldfit": "want"}, name="Anna", organisation="'s-Gravenhage")
    make_checkout({"geldfit": "have"}, name="Bram", organisation="Middelburg (Z.)")
    html = receipt_html(client, anna["token"])
    assert "Anna · Den Haag" in html
    assert "Middelburg" in html
    assert "'s-Gravenhage" not in html and "&#39;s-Gravenhage" not in html
    assert "Middelburg (Z.)" not in html
    body = client.get(f"/api/v1/receipts/{anna['token']}").get_json()
    assert body["matches"][0]["organisation"] == "Middelburg"


def test_a_partner_without_a_work_area_is_told_why_there_is_no_collaboration(
    client, store, make_checkout
):
    nel = make_checkout({"geldfit": "want"}, name="Nel", organisation="Alwel")
    html = receipt_html(client, nel["token"])
    collaborations = section(html, "Samen oppakken in je provincie")
    assert "Je gaf geen werkgebied op" in collaborations
    assert "uit je provincie" not in collaborations
    breda = make_checkout({"geldfit": "want"}, name="Anna")
    alone = section(receipt_html(client, breda["token"]), "Samen oppakken in je provincie")
    assert "Nog geen andere organisaties uit Noord-Brabant die hetzelfde willen." in alone
