"""Exports: every format parsed back and compared with what was checked out (contract §4)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import select

from popupstore.basket.models import Checkout
from popupstore.events.models import Event
from popupstore.extensions import db
from popupstore.organiser import exports
from popupstore.organiser.exports import (
    BASKET_LINE_COLUMNS,
    defuse,
    local_timestamp,
    quarter_hour,
)

from .conftest import BREDA, VISITORS, ZWOLLE

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
EVENT_EXPORT = f"/api/v1/events/{BREDA}/export"
ALL_EXPORT = "/api/v1/export"
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
# What normalisation makes of each visitor's organisation (contract §5).
ORGANISATIONS = {
    "Gemeente Breda": ("Breda", "gemeente", "Noord-Brabant"),
    "breda": ("Breda", "gemeente", "Noord-Brabant"),
    "Woonbron": ("Woonbron", "woningcorporatie", "onbekend"),
    "Tilburg": ("Tilburg", "gemeente", "Noord-Brabant"),
    "Zwolle": ("Zwolle", "gemeente", "Overijssel"),
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def checkout_times() -> dict[tuple[str, int], datetime]:
    rows = db.session.execute(
        select(Event.slug, Checkout.number, Checkout.checked_out_at).join(Event)
    )
    return {(slug, number): moment for slug, number, moment in rows}


def expected_records(*slugs: str) -> list[dict[str, Any]]:
    """The basket lines of VISITORS in export order: events by date, numbers, line order."""
    times = checkout_times()
    numbers: dict[str, int] = {}
    records = {slug: [] for slug in slugs}
    for visitor in VISITORS:
        slug = visitor["event"]
        numbers[slug] = numbers.get(slug, 0) + 1
        if slug not in records:
            continue
        organisation, kind, province = ORGANISATIONS[visitor["organisation"]]
        moment = times[(slug, numbers[slug])]
        for product, intent in visitor["items"].items():
            records[slug].append(
                {
                    "event": slug,
                    "number": numbers[slug],
                    "organisation": organisation,
                    "organisation_type": kind,
                    "province": province,
                    "product": product,
                    "intent": intent,
                    "checked_out_at": quarter_hour(moment, AMSTERDAM),
                }
            )
    order = [ZWOLLE, BREDA]  # Zwolle (March) comes before Breda (November)
    return [r for slug in order if slug in records for r in records[slug]]


def as_csv_rows(records: list[dict[str, Any]]) -> list[list[str]]:
    return [["" if r[c] is None else str(r[c]) for c in BASKET_LINE_COLUMNS] for r in records]


def read_csv(data: bytes, delimiter: str = ",") -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "CSV starts with a UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def read_xlsx(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    sheets = {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in workbook}
    workbook.close()
    return sheets


def get(client: Any, url: str, token: str) -> Any:
    response = client.get(url, headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response


# --- every format, parsed back -----------------------------------------------------------------


def test_csv_is_the_default_with_a_header_and_one_row_per_basket_line(client, shop, api_token):
    response = get(client, EVENT_EXPORT, api_token("organiser"))
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="popupstore-{BREDA}-mandregels.csv"'
    )
    rows = read_csv(response.data)
    assert rows[0] == list(BASKET_LINE_COLUMNS)
    assert rows[1:] == as_csv_rows(expected_records(BREDA))
    assert len(rows) - 1 == sum(len(v["items"]) for v in VISITORS if v["event"] == BREDA)


def test_csv_semicolon_for_dutch_excel(client, shop, api_token):
    response = get(client, EVENT_EXPORT + "?format=csv-semicolon", api_token("organiser"))
    assert response.headers["Content-Disposition"].endswith('-mandregels-puntkomma.csv"')
    text = response.data.decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(BASKET_LINE_COLUMNS)
    rows = read_csv(response.data, ";")
    assert rows[1:] == as_csv_rows(expected_records(BREDA))


def test_json_is_an_array_of_objects_with_the_contract_keys(client, shop, api_token):
    response = get(client, EVENT_EXPORT + "?format=json", api_token("organiser"))
    assert response.mimetype == "application/json"
    records = json.loads(response.data)
    assert records == expected_records(BREDA)
    for record in records:
        assert list(record) == list(BASKET_LINE_COLUMNS)
        assert ISO_WITH_OFFSET.match(record["checked_out_at"])
        moment = datetime.fromisoformat(record["checked_out_at"])
        assert moment.utcoffset() == AMSTERDAM.utcoffset(moment.replace(tzinfo=None))


def test_xlsx_has_the_basket_lines_first_then_dutch_sheets_figures_and_outcome(
    client, shop, api_token
):
    response = get(client, EVENT_EXPORT + "?format=xlsx", api_token("organiser"))
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheets = read_xlsx(response.data)
    assert list(sheets) == [
        "mandregels",
        "producten",
        "combinaties",
        "evenementen",
        "gemeenten bereikt",
        "vraag en ervaring",
        "kennisroutes",
        "afspraken",
        "soort werk",
        "uitkomst",
        "evaluatie-antwoorden",
        "gemist",
    ]
    lines = sheets["mandregels"]
    assert lines[0] == BASKET_LINE_COLUMNS
    expected = [tuple(r[c] for c in BASKET_LINE_COLUMNS) for r in expected_records(BREDA)]
    assert lines[1:] == expected
    products = {row[0]: row for row in sheets["producten"][1:]}
    assert sheets["producten"][0] == (
        "product",
        "naam",
        "schap",
        "eigenaar",
        "in de winkel",
        "wil ik",
        "doen we al",
    )
    assert products["geldfit"][4] == "ja"
    assert products["geldfit"][-2:] == (2, 1)
    assert products["schuldhulpmaatje"][-2:] == (0, 1)
    assert products["jongeren-perspectief-fonds"][-2:] == (0, 0)  # active, not chosen
    assert "oude-aanpak" not in products  # retired and not chosen
    assert sheets["combinaties"] == [
        ("product a", "product b", "mandjes"),
        ("geldfit", "vroegsignalering", 2),
        ("geldfit", "gemeentepolis", 1),
        ("geldfit", "schuldhulpmaatje", 1),
        ("gemeentepolis", "vroegsignalering", 1),
    ]
    assert sheets["evenementen"][1] == (
        BREDA,
        "Samen Organiseren Breda",
        "Breda",
        "2026-11-12",
        None,
        4,
        3,
        3,
        sum(len(a["matches"]) + len(a["colleagues"]) for a in shop[:4]),
        0,
    )


@pytest.mark.parametrize("fmt", ["csv", "csv-semicolon", "xlsx", "json"])
def test_the_all_events_export_holds_every_event(client, shop, api_token, fmt):
    response = get(client, f"{ALL_EXPORT}?format={fmt}", api_token("organiser"))
    assert "popupstore-alle-evenementen-mandregels" in response.headers["Content-Disposition"]
    expected = expected_records(ZWOLLE, BREDA)
    assert len(expected) == 9
    if fmt == "json":
        assert json.loads(response.data) == expected
    elif fmt == "xlsx":
        sheets = read_xlsx(response.data)
        assert sheets["mandregels"][1:] == [
            tuple(r[c] for c in BASKET_LINE_COLUMNS) for r in expected
        ]
        assert [row[0] for row in sheets["evenementen"][1:]] == [ZWOLLE, BREDA]
    else:
        rows = read_csv(response.data, ";" if fmt == "csv-semicolon" else ",")
        assert rows[1:] == as_csv_rows(expected)


def test_an_event_without_checkouts_exports_only_the_header(client, two_events, api_token):
    token = api_token("organiser")
    rows = read_csv(get(client, EVENT_EXPORT, token).data)
    assert rows == [list(BASKET_LINE_COLUMNS)]
    assert json.loads(get(client, EVENT_EXPORT + "?format=json", token).data) == []


def test_an_erased_checkout_is_not_exported(client, shop, api_token):
    client.delete(f"/api/v1/receipts/{shop[0]['token']}")
    records = json.loads(get(client, EVENT_EXPORT + "?format=json", api_token("organiser")).data)
    assert {r["number"] for r in records} == {2, 3, 4}


# --- access and bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        (None, EVENT_EXPORT, 401),
        (None, ALL_EXPORT + "?format=bad", 401),
        ("facilitator", EVENT_EXPORT, 403),
        ("facilitator", ALL_EXPORT, 403),
        ("facilitator", "/api/v1/events/nope/export?format=bad", 403),
        ("organiser", "/api/v1/events/nope/export?format=bad", 404),
        ("organiser", EVENT_EXPORT + "?format=xls", 422),
        ("organiser", EVENT_EXPORT + "?format=CSV", 422),
        ("organiser", EVENT_EXPORT + "?format=", 422),
        ("organiser", EVENT_EXPORT + "?format=contacts", 422),
        ("organiser", ALL_EXPORT + "?format=pdf", 422),
    ],
)
def test_exports_check_token_then_event_then_format(client, store, api_token, role, url, status):
    headers = bearer(api_token(role)) if role else {}
    response = client.get(url, headers=headers)
    assert response.status_code == status
    error = response.get_json()["error"]
    if status == 422:
        assert error["code"] == "validation_error"
        assert "csv, csv-semicolon, xlsx, json" in error["fields"]["format"]


def test_the_organiser_pages_export_the_same_rows(organiser, shop):
    response = organiser.get(f"/organisator/exports/anoniem?event={BREDA}&format=csv")
    assert response.status_code == 200
    assert read_csv(response.data)[1:] == as_csv_rows(expected_records(BREDA))
    response = organiser.get("/organisator/exports/anoniem?event=alle&format=xlsx")
    assert len(read_xlsx(response.data)["mandregels"]) == 10
    assert organiser.get("/organisator/exports/anoniem?format=xml").status_code == 422
    assert organiser.get("/organisator/exports/anoniem?event=nope").status_code == 404


# --- formula protection and privacy ------------------------------------------------------------

RISKY = ["=1+1", "+31 6 12345678", "-ministerie", "@SUM(A1)"]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        (" =x", " =x"),
        ("|x", "|x"),
        ("%x", "%x"),
        ("", ""),
        (-1, -1),
        (None, None),
    ],
)
def test_defuse_prefixes_exactly_the_formula_characters(value, written):
    assert defuse(value) == written


@pytest.fixture
def risky_shop(store, make_checkout):
    for index, text in enumerate(RISKY):
        make_checkout({"geldfit": "want"}, name=f"R{index}", organisation=text, role=text)


def test_csv_and_xlsx_cells_cannot_run_as_formulas(client, risky_shop, api_token):
    token = api_token("organiser")
    rows = read_csv(get(client, EVENT_EXPORT, token).data)[1:]
    assert [r[2] for r in rows] == ["'" + t for t in RISKY]
    semicolon = read_csv(get(client, EVENT_EXPORT + "?format=csv-semicolon", token).data, ";")
    assert [r[2] for r in semicolon[1:]] == ["'" + t for t in RISKY]
    data = get(client, EVENT_EXPORT + "?format=xlsx", token).data
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook["mandregels"]
    cells = [row[2] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == ["'" + t for t in RISKY]
    assert all(cell.data_type == "s" for cell in cells)
    workbook.close()


def test_json_carries_the_values_unchanged(client, risky_shop, api_token):
    data = get(client, EVENT_EXPORT + "?format=json", api_token("organiser")).data
    assert [r["organisation"] for r in json.loads(data)] == list(RISKY)


def _export_texts(client: Any, token: str) -> list[str]:
    texts = []
    for url in (EVENT_EXPORT, ALL_EXPORT):
        for fmt in ("csv", "csv-semicolon", "json"):
            texts.append(get(client, f"{url}?format={fmt}", token).data.decode("utf-8-sig"))
        sheets = read_xlsx(get(client, f"{url}?format=xlsx", token).data)
        texts.append(json.dumps(sheets, default=str, ensure_ascii=False))
    return texts


def test_exports_hold_no_names_and_no_email_addresses(client, shop, api_token):
    texts = _export_texts(client, api_token("organiser"))
    for text in texts:
        for visitor in VISITORS:
            assert visitor["name"] not in text
            if visitor.get("email"):
                assert visitor["email"] not in text
        assert "@" not in text


# --- the contact list (organiser UI only) ------------------------------------------------------


def test_the_contact_list_holds_only_visitors_who_agreed_and_says_so(organiser, shop):
    response = organiser.get(f"/organisator/exports/contactlijst?event={BREDA}&format=csv")
    assert response.status_code == 200
    assert "popupstore-breda-2026-contactlijst.csv" in response.headers["Content-Disposition"]
    rows = read_csv(response.data)
    # The notice quotes the box the visitor ticked, word for word.
    assert rows[0][0].startswith(
        "Contactlijst: alleen bezoekers die bij het afrekenen 'Anderen mogen mij als "
        "gesprekspartner zien' aanvinkten."
    )
    assert rows[1] == ["evenement", "bonnummer", "naam", "organisatie", "rol", "e-mailadres"]
    assert rows[2:] == [
        [BREDA, "1", "Anna", "Breda", "Schuldhulpverlening", "anna@breda.nl"],
        [BREDA, "3", "Cas", "Woonbron", "", "cas@woonbron.nl"],
        [BREDA, "4", "Dewi", "Tilburg", "Wijkteam", ""],
    ]
    everyone = organiser.get("/organisator/exports/contactlijst?event=alle&format=json")
    body = json.loads(everyone.data)
    assert body["notice"].startswith("Contactlijst: alleen bezoekers")
    assert [r["naam"] for r in body["rows"]] == ["Anna", "Cas", "Dewi"]  # not Bram, not Eva
    sheets = read_xlsx(
        organiser.get(f"/organisator/exports/contactlijst?event={BREDA}&format=xlsx").data
    )
    [sheet] = sheets.values()
    assert sheet[0][0].startswith("Contactlijst: alleen bezoekers")
    assert [row[2] for row in sheet[2:]] == ["Anna", "Cas", "Dewi"]


def test_the_contact_list_is_not_for_facilitators_and_not_in_the_api(client, shop, login):
    login("facilitator")
    assert client.get("/organisator/exports/contactlijst?format=csv").status_code == 403
    assert not [
        r
        for r in client.application.url_map.iter_rules()
        if "contact" in r.rule and r.rule.startswith("/api/")
    ]


# --- streaming ---------------------------------------------------------------------------------


def test_csv_and_json_are_written_while_they_stream(client, shop, api_token, monkeypatch):
    monkeypatch.setattr(exports, "BATCH_ROWS", 2)
    token = api_token("organiser")
    response = client.get(EVENT_EXPORT, headers=bearer(token), buffered=False)
    assert response.is_streamed
    chunks = list(response.response)
    # The header, then two lines at a time: 8 lines make 4 more chunks.
    assert len(chunks) == 5
    assert read_csv(b"".join(chunks))[1:] == as_csv_rows(expected_records(BREDA))
    response.close()
    response = client.get(EVENT_EXPORT + "?format=json", headers=bearer(token), buffered=False)
    chunks = list(response.response)
    assert len(chunks) >= 5
    assert json.loads(b"".join(chunks)) == expected_records(BREDA)
    response.close()


def test_an_xlsx_export_leaves_no_temporary_file(client, shop, api_token, monkeypatch, tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    monkeypatch.setattr(exports.tempfile, "tempdir", str(folder))
    removed: list[str] = []
    remove = exports._remove
    monkeypatch.setattr(exports, "_remove", lambda path: removed.append(path) or remove(path))
    get(client, EVENT_EXPORT + "?format=xlsx", api_token("organiser"))
    assert removed and all(path.startswith(str(folder)) for path in removed)
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 12, 13, 3, tzinfo=UTC), "2026-11-12T14:03:00+01:00"),
        (datetime(2026, 6, 5, 12, 0, 30, 999, tzinfo=UTC), "2026-06-05T14:00:30+02:00"),
    ],
)
def test_times_are_amsterdam_local_with_their_offset(moment, text):
    assert local_timestamp(moment, AMSTERDAM) == text


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 12, 13, 3, 59, tzinfo=UTC), "2026-11-12T14:00:00+01:00"),
        (datetime(2026, 11, 12, 13, 14, 59, 999, tzinfo=UTC), "2026-11-12T14:00:00+01:00"),
        (datetime(2026, 11, 12, 13, 15, tzinfo=UTC), "2026-11-12T14:15:00+01:00"),
        (datetime(2026, 6, 5, 12, 59, 30, tzinfo=UTC), "2026-06-05T14:45:00+02:00"),
    ],
)
def test_the_anonymous_export_rounds_times_down_to_the_quarter_hour(moment, text):
    assert quarter_hour(moment, AMSTERDAM) == text


def test_the_anonymous_export_holds_no_role(client, store, make_checkout, api_token):
    make_checkout({"geldfit": "want"}, role="wethouder van Breda")
    token = api_token("organiser")
    for fmt in ("csv", "json", "xlsx", "csv-semicolon"):
        data = get(client, f"{EVENT_EXPORT}?format={fmt}", token).data
        assert b"wethouder" not in data
    assert "role" not in BASKET_LINE_COLUMNS
