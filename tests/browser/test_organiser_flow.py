"""An organiser in real Chromium: a new event, a product file with an error and its fix,
a checkout, and an XLSX export opened and checked."""

from __future__ import annotations

import openpyxl
from playwright.sync_api import expect

from popupstore.organiser.exports import BASKET_LINE_COLUMNS

ENTRY = """  - slug: budgetcoach
    name: Budgetcoach
    theme: Budgetbeheer
    summary: Een coach helpt een half jaar met het huishoudboekje.
    description: Vrijwillige budgetcoaches komen thuis en helpen met overzicht.
"""
BROKEN = "products:\n" + ENTRY + "    kleur: groen\n"
FIXED = "products:\n" + ENTRY + "    owner: Gemeente Zwolle\n"


def yaml_file(text: str) -> dict[str, object]:
    return {"name": "producten.yaml", "mimeType": "application/yaml", "buffer": text.encode()}


def test_organiser_prepares_an_event_and_exports_it(
    live_server, store, make_user, page, screenshot, tmp_path
):
    make_user("olga", "organiser", "geheim-wachtwoord")
    page.goto(live_server.url + "/login")
    page.get_by_label("Gebruikersnaam").fill("olga")
    page.get_by_label("Wachtwoord").fill("geheim-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(live_server.url + "/organisator/")
    assert page.locator("h1").inner_text() == "Organisatie"

    # A new event, active at once.
    page.get_by_role("link", name="Nieuw evenement").click()
    page.get_by_label("Korte naam (slug)", exact=True).fill("zwolle-2027")
    page.get_by_label("Naam", exact=True).fill("Samen Organiseren Zwolle")
    page.get_by_label("Plaats", exact=True).fill("Zwolle")
    page.get_by_label("Datum", exact=True).fill("2027-03-04")
    page.get_by_label("Locatie", exact=True).fill("Hanzehuis")
    page.get_by_label("Meteen actief maken").check()
    screenshot(page, "1-new-event")
    page.get_by_role("button", name="Evenement aanmaken").click()
    page.wait_for_url("**/organisator/evenementen/zwolle-2027")
    assert "Samen Organiseren Zwolle" in page.locator("h1").inner_text()
    assert "Actief" in page.locator("h1").inner_text()
    assert "4 maart 2027" in page.locator(".lead").inner_text()

    # A product file with an error: the error is shown, nothing is loaded.
    page.get_by_role("link", name="Catalogus", exact=True).click()
    page.get_by_role("link", name="YAML-bestand uploaden").click()
    page.get_by_label("Productbestand (YAML)").set_input_files(yaml_file(BROKEN))
    page.get_by_role("button", name="Uploaden en controleren").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    # store.js moves focus to the summary once the page has loaded; wait for it.
    expect(summary).to_be_focused()
    problems = summary.locator("tbody tr")
    assert problems.count() == 2
    text = summary.inner_text()
    assert "products[0] (slug 'budgetcoach')" in text
    assert "kleur" in text and "onbekend veld" in text
    assert "owner" in text and "verplicht veld ontbreekt" in text
    screenshot(page, "2-upload-error")

    # The fixed file loads.
    page.get_by_label("Productbestand (YAML)").set_input_files(yaml_file(FIXED))
    page.get_by_role("button", name="Uploaden en controleren").click()
    page.wait_for_url("**/organisator/catalogus")
    assert "1 nieuw, 0 bijgewerkt, 0 ongewijzigd" in page.locator(".flashes").inner_text()
    assert page.locator("tr", has_text="Budgetcoach").count() == 1
    screenshot(page, "3-catalog")

    # A visitor checks out at the new event.
    answer = page.request.post(
        live_server.url + "/api/v1/events/zwolle-2027/checkouts",
        data={
            "items": [
                {"product": "budgetcoach", "intent": "want"},
                {"product": "geldfit", "intent": "have"},
            ],
            "visitor": {
                "name": "Fenna",
                "organisation": "Gemeente Zwolle",
                "email": "fenna@zwolle.nl",
                "role": "=Wijkteam",
                "share_contact": True,
            },
        },
    )
    assert answer.status == 201

    # The statistics page shows it, and the XLSX export holds it.
    page.goto(live_server.url + "/organisator/evenementen/zwolle-2027")
    assert (
        page.locator(".figure", has_text="Bezoekers die afrekenden").locator("dd").inner_text()
        == "1"
    )
    assert page.locator("svg.chart__svg").count() >= 5
    screenshot(page, "4-statistics")
    page.get_by_role("link", name="Exports", exact=True).click()
    form = page.get_by_role("region", name="Anonieme export")
    form.get_by_label("Evenement").select_option("zwolle-2027")
    form.get_by_label("Excel (XLSX)").check()
    with page.expect_download() as info:
        form.get_by_role("button", name="Downloaden", exact=True).click()
    download = info.value
    assert download.suggested_filename == "popupstore-zwolle-2027-mandregels.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.sheetnames == [
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
    rows = list(workbook["mandregels"].iter_rows(values_only=True))
    assert rows[0] == BASKET_LINE_COLUMNS
    # No role in the anonymous export (free text may name someone).
    assert [row[:7] for row in rows[1:]] == [
        ("zwolle-2027", 1, "Zwolle", "gemeente", "Overijssel", "budgetcoach", "want"),
        ("zwolle-2027", 1, "Zwolle", "gemeente", "Overijssel", "geldfit", "have"),
    ]
    assert "Wijkteam" not in repr(rows)
    everything = repr([list(ws.iter_rows(values_only=True)) for ws in workbook])
    workbook.close()
    assert "Fenna" not in everything and "fenna@zwolle.nl" not in everything
    screenshot(page, "5-exports")
