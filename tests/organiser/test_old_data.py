"""Rows stored before the free-text rule existed are made safe where they are written.

Controls, bidirectional controls and line breaks are planted straight into the database
(as an older version of the store may have stored them); every export format, the
contact list, the API export and the printed material must still come out, with such
characters replaced by U+FFFD in sheets and PDFs and kept as they are in JSON.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from popupstore.basket.models import Checkout
from popupstore.catalog.models import Product
from popupstore.events.models import Event
from popupstore.extensions import db

from .conftest import BREDA

R = "\ufffd"
# What is planted, and what a sheet (CSV or XLSX) shows of it.
NAME = ("Anna\x01\u202eJansen", f"Anna{R}{R}Jansen")
EMAIL = ("anna\x02@breda.nl", f"anna{R}@breda.nl")
ROLE = ("\x0b=1+1", f"{R}=1+1")
# Not a municipality: a municipality is always shown by its register's own name.
ORGANISATION = ("Stichting Oud\x1f\ufffe", f"Stichting Oud{R}{R}")
PRODUCT_NAME = ("Geld\x1bfit", f"Geld{R}fit")
# U+001C and a CR are what made the PDF's text layout fail.
THEME = ("Preventie\x1c", f"Preventie{R}")
EVENT_NAME = ("Samen\x1cOrganiseren\u2066", f"Samen{R}Organiseren{R}")
CITY = ("Breda\x07", f"Breda{R}")


@pytest.fixture
def planted(shop: Any) -> None:
    """Anna's checkout, the geldfit product and the Breda event, with characters the
    input rule now refuses."""
    anna = db.session.execute(
        select(Checkout).join(Event).where(Event.slug == BREDA, Checkout.number == 1)
    ).scalar_one()
    anna.visitor_name, anna.email, anna.role = NAME[0], EMAIL[0], ROLE[0]
    anna.organisation_name, anna.organisation_key = ORGANISATION[0], "stichting oud"
    product = db.session.execute(select(Product).where(Product.slug == "geldfit")).scalar_one()
    product.name, product.theme = PRODUCT_NAME[0], THEME[0]
    product.owner, product.summary = "\u202eEigenaar\x0c", "Een\rregel\x1d"
    event = db.session.execute(select(Event).where(Event.slug == BREDA)).scalar_one()
    event.name, event.city, event.venue = EVENT_NAME[0], CITY[0], "Zaal\x0b1"
    db.session.commit()


def download(client: Any, url: str, **headers: str) -> bytes:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.get_data()


def sheet_rows(data: bytes, title: str) -> list[tuple[Any, ...]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [tuple(row) for row in workbook[title].iter_rows(values_only=True)]


def csv_rows(data: bytes, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def test_the_anonymous_xlsx_export_writes_old_rows(organiser, planted):
    data = download(organiser, f"/organisator/exports/anoniem?event={BREDA}&format=xlsx")
    lines = sheet_rows(data, "mandregels")
    header = list(lines[0])
    annas = [row for row in lines[1:] if row[header.index("number")] == 1]
    assert annas and {row[header.index("organisation")] for row in annas} == {ORGANISATION[1]}
    products = sheet_rows(data, "producten")
    assert (
        "geldfit",
        PRODUCT_NAME[1],
        THEME[1],
        f"{R}Eigenaar{R}",
    ) in [row[:4] for row in products]
    events = sheet_rows(data, "evenementen")
    assert (BREDA, EVENT_NAME[1], CITY[1], "2026-11-12", f"Zaal{R}1") in [row[:5] for row in events]


def test_the_contact_list_writes_old_rows_in_every_format(organiser, planted):
    url = f"/organisator/exports/contactlijst?event={BREDA}&format="
    rows = sheet_rows(download(organiser, url + "xlsx"), "contactlijst")
    assert (BREDA, 1, NAME[1], ORGANISATION[1], ROLE[1], EMAIL[1]) in rows
    for fmt, delimiter in (("csv", ","), ("csv-semicolon", ";")):
        found = csv_rows(download(organiser, url + fmt), delimiter)
        assert [BREDA, "1", NAME[1], ORGANISATION[1], ROLE[1], EMAIL[1]] in found
    records = json.loads(download(organiser, url + "json"))["rows"]
    # JSON carries every string as it is (its escapes make any character safe).
    assert {
        "evenement": BREDA,
        "bonnummer": 1,
        "naam": NAME[0],
        "organisatie": ORGANISATION[0],
        "rol": ROLE[0],
        "e-mailadres": EMAIL[0],
    } in records


def test_the_api_export_writes_old_rows_also_after_a_purge(client, planted, api_token, runner):
    token = {"Authorization": f"Bearer {api_token('organiser')}"}
    url = f"/api/v1/events/{BREDA}/export?format="
    for _round in ("before", "after the purge"):
        lines = csv_rows(download(client, url + "csv", **token))
        column = lines[0].index("organisation")
        assert ORGANISATION[1] in {line[column] for line in lines[1:]}
        rows = sheet_rows(download(client, url + "xlsx", **token), "mandregels")
        column = list(rows[0]).index("organisation")
        assert ORGANISATION[1] in {row[column] for row in rows[1:]}
        records = json.loads(download(client, url + "json", **token))
        assert ORGANISATION[0] in {record["organisation"] for record in records}
        assert runner.invoke(args=["purge-personal-data", BREDA]).exit_code == 0


def test_a_sheet_still_defuses_formulas_once_made_writable(organiser, planted):
    anna = db.session.execute(
        select(Checkout).join(Event).where(Event.slug == BREDA, Checkout.number == 1)
    ).scalar_one()
    anna.visitor_name, anna.role = "=HYPERLINK(1)\x01", "\x01=HYPERLINK(1)"
    db.session.commit()
    url = f"/organisator/exports/contactlijst?event={BREDA}&format="
    expected = ["'=HYPERLINK(1)" + R, R + "=HYPERLINK(1)"]
    [row] = [
        r for r in sheet_rows(download(organiser, url + "xlsx"), "contactlijst") if r[1:2] == (1,)
    ]
    assert [row[2], row[4]] == expected
    [line] = [r for r in csv_rows(download(organiser, url + "csv")) if r[1:2] == ["1"]]
    assert [line[2], line[4]] == expected


@pytest.mark.parametrize(
    "url",
    [
        "/organisator/drukwerk/poster.pdf",
        "/organisator/drukwerk/poster.png",
        "/organisator/drukwerk/schapkaartjes.pdf",
    ],
)
def test_printed_material_draws_old_rows(organiser, planted, url):
    data = download(organiser, url)
    assert data.startswith(b"%PDF" if url.endswith(".pdf") else b"\x89PNG")


def test_old_rows_reach_no_page_with_their_controls(app, planted, client, login):
    """Stored before the input rule, a name with a bidi override would reorder another
    visitor's screen or the wall: every page prints it with the control replaced."""
    login("facilitator")
    for url in (
        f"/facilitator/evenement/{BREDA}",
        f"/facilitator/evenement/{BREDA}/overlap",
        f"/facilitator/evenement/{BREDA}/gesprekken",
        f"/facilitator/evenement/{BREDA}/wand",
        "/",
        "/producten",
    ):
        html = client.get(url).get_data(as_text=True)
        assert "\u202e" not in html and "\u2066" not in html, url
        assert "\x01" not in html and "\x1c" not in html, url
    assert f"Geld{R}fit" in client.get("/producten").get_data(as_text=True)
