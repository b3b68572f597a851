"""Words on the organiser's side: one term per thing, Dutch exports, error messages that do
not repeat their label, and a privacy page that says what the buttons and the contact list do.
"""

from __future__ import annotations

import html
import io
import json
import re
from typing import Any

import openpyxl
import pytest

from popupstore.basket.forms import CheckoutForm

from .conftest import BREDA
from .test_catalog import NEW_PRODUCT
from .test_events import NEW_EVENT

ORGANISER_PAGES = [
    "/organisator/",
    "/organisator/evenementen",
    f"/organisator/evenementen/{BREDA}",
    "/organisator/evenementen/nieuw",
    "/organisator/catalogus",
    "/organisator/catalogus/nieuw",
    "/organisator/statistiek",
    "/organisator/exports",
    "/organisator/drukwerk",
]
# Words that would mean the export speaks English (the basket lines' columns are the API's
# keys and stay as they are).
ENGLISH = {
    "name",
    "theme",
    "owner",
    "active",
    "want",
    "have",
    "count",
    "city",
    "date",
    "venue",
    "checkouts",
    "organisations",
    "organisation",
    "visitors",
    "sharing",
    "matches",
    "shown",
    "email",
    "role",
    "number",
    "event",
    "events",
    "true",
    "false",
    "contacts",
    "products",
    "pairs",
    "lines",
    "basket",
}


def visible_text(page: str) -> str:
    """The words a reader sees: no tags, scripts, styles or attribute values."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def label(form_field: Any) -> str:
    return str(form_field.kwargs.get("label") or form_field.args[0])


@pytest.mark.parametrize("path", ORGANISER_PAGES)
def test_the_organiser_pages_say_product_and_bon(organiser, shop, path):
    text = visible_text(organiser.get(path).get_data(as_text=True))
    # The test catalog's retired product is called "Oude aanpak": its name and slug may show.
    text = text.replace("Oude aanpak", "").replace("oude-aanpak", "")
    assert not re.search(r"\baanpak", text, re.I), path
    assert "kassabon" not in text.lower(), path


def test_the_anonymous_workbook_speaks_dutch_apart_from_the_basket_lines(client, shop, api_token):
    response = client.get(
        f"/api/v1/events/{BREDA}/export?format=xlsx",
        headers={"Authorization": f"Bearer {api_token('organiser')}"},
    )
    assert (
        'filename="popupstore-breda-2026-mandregels.xlsx"'
        in (response.headers["Content-Disposition"])
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    assert workbook.sheetnames[0] == "mandregels"
    assert workbook.sheetnames[-3:] == ["uitkomst", "evaluatie-antwoorden", "gemist"]
    for title in workbook.sheetnames:
        assert not set(re.findall(r"[a-z]+", title.lower())) & ENGLISH, title
        if title == "mandregels":
            continue
        rows = list(workbook[title].iter_rows(values_only=True))
        header = rows[1] if title == "gemeenten bereikt" else rows[0]
        words = set(re.findall(r"[a-z]+", " ".join(map(str, header)).lower()))
        assert not words & ENGLISH, (title, words & ENGLISH)
        values = {str(v).lower() for row in rows[1:] for v in row}
        assert not values & {"true", "false"}, title
    workbook.close()


def test_the_contact_list_speaks_dutch_in_every_format(organiser, shop):
    base = f"/organisator/exports/contactlijst?event={BREDA}&format="
    response = organiser.get(base + "json")
    assert (
        'filename="popupstore-breda-2026-contactlijst.json"'
        in (response.headers["Content-Disposition"])
    )
    keys = set(json.loads(response.data)["rows"][0])
    assert keys == {"evenement", "bonnummer", "naam", "organisatie", "rol", "e-mailadres"}
    semicolon = organiser.get(base + "csv-semicolon").headers["Content-Disposition"]
    assert 'filename="popupstore-breda-2026-contactlijst-puntkomma.csv"' in semicolon


def test_the_privacy_page_matches_the_checkout_the_receipt_and_the_contact_list(
    client, organiser, shop, app
):
    with app.test_request_context():
        consent = str(CheckoutForm.share_contact.args[0])
        follow_up = str(CheckoutForm.follow_up.args[0])
    page = " ".join(visible_text(client.get("/privacy").get_data(as_text=True)).split())
    # The boxes and the button by the words they carry.
    assert f"'{consent}'" in page
    assert f"'{follow_up}'" in page
    assert "'Mijn gegevens wissen'" in page
    receipt = organiser.get(shop[0]["receipt_url"]).get_data(as_text=True)
    assert "Mijn gegevens wissen" in receipt
    # The contact list holds what the page says it holds, of those who ticked that box.
    assert "contactlijst" in page
    for column, said in [
        ("naam", "voornaam"),
        ("organisatie", "organisatie"),
        ("rol", "rol"),
        ("e-mailadres", "e-mailadres"),
    ]:
        assert said in page, column
    notice = organiser.get(f"/organisator/exports/contactlijst?event={BREDA}&format=csv")
    first_line = notice.data.decode("utf-8-sig").splitlines()[0]
    assert f"'{consent}'" in first_line
    assert "Statistieken en de anonieme exports bevatten nooit namen of e-mailadressen." in page


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/organisator/evenementen/nieuw", {}),
        ("/organisator/catalogus/nieuw", {}),
        ("/organisator/catalogus/nieuw", {"theme": "__nieuw__"}),
        ("/organisator/catalogus/uploaden", {}),
    ],
)
def test_error_messages_do_not_repeat_their_label(organiser, store, url, data):
    response = organiser.post(url, data=data)
    assert response.status_code == 422
    assert_messages_do_not_repeat_their_label(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/organisator/evenementen/nieuw", {**NEW_EVENT, "slug": BREDA}),
        ("/organisator/catalogus/nieuw", {**NEW_PRODUCT, "slug": "geldfit"}),
        ("/organisator/reeksen", {"slug": "noorden", "name": "Het noorden"}),
    ],
    ids=["event", "product", "series"],
)
def test_a_slug_in_use_is_said_without_repeating_the_label(organiser, store, url, data):
    if url == "/organisator/reeksen":
        assert organiser.post(url, data=data).status_code == 302
    response = organiser.post(url, data=data)
    assert response.status_code in (409, 422), response.status_code  # the form again
    page = html.unescape(response.get_data(as_text=True))
    assert re.search(r'id="slug-error">[^<]*Al in gebruik\.', page), page
    assert_messages_do_not_repeat_their_label(page)


def assert_messages_do_not_repeat_their_label(page: str) -> None:
    """Every item of the error summary ("Label: message") leaves the label out of the message."""
    summary = re.search(r'<div class="error-summary.*?</div>', page, re.S)
    assert summary
    items = [html.unescape(i) for i in re.findall(r'<a href="#[^"]+">(.*?)</a>', summary.group(0))]
    assert items
    for item in items:
        field_label, message = item.split(": ", 1)
        main_word = re.sub(r"\(.*?\)", "", field_label).split()[0].lower()
        assert main_word not in message.lower(), item


def test_the_exports_page_describes_what_the_files_hold(organiser, shop, app):
    page = organiser.get("/organisator/exports").get_data(as_text=True)
    anonymous = visible_text(page[page.index('id="anon-title"') : page.index("</section>")])
    # The anonymous export holds no role (its columns are the API's), and says so.
    assert ", rol," not in anonymous and "Geen namen, geen e-mailadressen, geen rollen." in (
        " ".join(anonymous.split())
    )
    assert "kennisroutes" in anonymous
    with app.test_request_context():
        consent = str(CheckoutForm.share_contact.args[0])
    contacts = page[page.index('id="contacts-title"') :]
    contacts = visible_text(contacts[: contacts.index("</section>")])
    assert f"'{consent}'" in " ".join(contacts.split())
