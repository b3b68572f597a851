"""Catalog admin: add, edit, retire products; upload and download the product file."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from popupstore.catalog.models import Product
from popupstore.catalog.services import (
    all_products,
    get_product,
    parse_product_file,
    product_file_text,
    upsert_products,
)
from popupstore.extensions import db

from ..conftest import TEST_PRODUCTS

NEW_PRODUCT = {
    "slug": "budgetcoach",
    "name": "Budgetcoach",
    "theme": "Preventie",
    "summary": "Een coach helpt een half jaar met het huishoudboekje.",
    "description": "Vrijwillige budgetcoaches komen thuis en helpen met overzicht.",
    "owner": "Gemeente Zwolle",
    "contact": "budgetcoach@zwolle.nl",
    "tags": "coaching, vrijwilligers",
    "price": "Gratis",
    "active": "y",
}


def product_count() -> int:
    return db.session.execute(select(func.count(Product.id))).scalar_one()


def kiosk_slugs(client: Any) -> set[str]:
    return {p["slug"] for p in client.get("/api/v1/products").get_json()["products"]}


def upload(client: Any, text: str, name: str = "producten.yaml") -> Any:
    data = {"file": (io.BytesIO(text.encode("utf-8")), name)}
    return client.post(
        "/organisator/catalogus/uploaden", data=data, content_type="multipart/form-data"
    )


def test_the_catalog_lists_every_product_retired_ones_too(organiser, store):
    html = organiser.get("/organisator/catalogus").get_data(as_text=True)
    for product in all_products():
        assert product.name in html
    assert "Uit de winkel</strong>" in html  # oude-aanpak is retired
    assert "7 producten in de winkel." in html


def test_an_organiser_adds_a_product_that_the_kiosk_sells(organiser, store):
    response = organiser.post("/organisator/catalogus/nieuw", data=NEW_PRODUCT)
    assert response.status_code == 302
    product = get_product("budgetcoach")
    assert product is not None
    assert (product.name, product.owner, product.contact, product.price, product.tags) == (
        "Budgetcoach",
        "Gemeente Zwolle",
        "budgetcoach@zwolle.nl",
        "Gratis",
        ["coaching", "vrijwilligers"],
    )
    assert "budgetcoach" in kiosk_slugs(organiser)
    assert organiser.get("/product/budgetcoach").status_code == 200


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"slug": "geldfit"}, "slug", "Al in gebruik."),
        ({"slug": "Budget Coach"}, "slug", "alleen kleine letters, cijfers en koppeltekens"),
        ({"name": ""}, "name", "Vul dit in."),
        ({"summary": "x" * 201}, "summary", "Hoogstens 200 tekens."),
        ({"tags": "a, " + "b" * 41}, "tags", "Hoogstens 40 tekens."),
    ],
)
def test_a_bad_product_shows_the_error_at_its_field_and_stores_nothing(
    organiser, store, change, field, message
):
    before = product_count()
    response = organiser.post("/organisator/catalogus/nieuw", data={**NEW_PRODUCT, **change})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', html), html
    assert 'aria-invalid="true"' in html
    assert product_count() == before


def test_an_organiser_edits_a_product_but_not_its_slug(organiser, store):
    form = organiser.get("/organisator/catalogus/geldfit/bewerken").get_data(as_text=True)
    assert 'value="zelftest, online"' in form and 'name="slug"' not in form
    data = {**NEW_PRODUCT, "slug": "ander", "name": "Geldfit 2.0", "tags": ""}
    response = organiser.post("/organisator/catalogus/geldfit/bewerken", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    product = get_product("geldfit")
    assert (product.name, product.tags) == ("Geldfit 2.0", [])
    assert get_product("ander", active_only=False) is None


def test_unknown_products_are_404(organiser, store):
    assert organiser.get("/organisator/catalogus/niets/bewerken").status_code == 404
    assert organiser.post("/organisator/catalogus/niets/uit").status_code == 404


def test_a_retired_product_leaves_the_kiosk_but_stays_in_baskets_and_statistics(
    organiser, store, make_checkout
):
    receipt = make_checkout({"geldfit": "want", "vroegsignalering": "have"})
    response = organiser.post("/organisator/catalogus/geldfit/uit")
    assert response.status_code == 302
    db.session.expire_all()
    assert get_product("geldfit") is None
    assert get_product("geldfit", active_only=False) is not None
    assert "geldfit" not in kiosk_slugs(organiser)
    assert organiser.get("/product/geldfit").status_code == 404
    # Old receipts and the statistics keep it.
    items = organiser.get(f"/api/v1/receipts/{receipt['token']}").get_json()["items"]
    assert {"product": "geldfit", "intent": "want"} in items
    html = organiser.get("/organisator/evenementen/breda-2026").get_data(as_text=True)
    assert "Geldfit" in html
    organiser.post("/organisator/catalogus/geldfit/terug")
    db.session.expire_all()
    assert "geldfit" in kiosk_slugs(organiser)


def test_uploading_a_file_with_errors_lists_every_one_and_changes_nothing(organiser, store):
    text = yaml.safe_dump(
        {
            "products": [
                {
                    "slug": "goed",
                    "name": "Goed",
                    "theme": "T",
                    "summary": "S",
                    "description": "D",
                    "owner": "O",
                },
                {
                    "slug": "geen-eigenaar",
                    "name": "X",
                    "theme": "T",
                    "summary": "S",
                    "description": "D",
                    "colour": "rood",
                },
                {
                    "slug": "Fout Slug",
                    "name": 12,
                    "theme": "T",
                    "summary": "S",
                    "description": "D",
                    "owner": "O",
                    "active": "ja",
                },
            ]
        },
        allow_unicode=True,
    )
    before = product_count()
    response = upload(organiser, text)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "producten.yaml is niet geladen: 5 fouten" in html
    rows = re.findall(
        r"<tr><td>([^<]*)</td><td>(?:<code>)?([^<]*)(?:</code>)?</td><td>([^<]*)</td></tr>", html
    )
    assert sorted(rows) == sorted(
        [
            ("products[1] (slug &#39;geen-eigenaar&#39;)", "colour", "onbekend veld"),
            ("products[1] (slug &#39;geen-eigenaar&#39;)", "owner", "verplicht veld ontbreekt"),
            ("products[2] (slug &#39;Fout Slug&#39;)", "name", "Moet tekst zijn."),
            (
                "products[2] (slug &#39;Fout Slug&#39;)",
                "slug",
                "alleen kleine letters, cijfers en koppeltekens",
            ),
            ("products[2] (slug &#39;Fout Slug&#39;)", "active", "moet true of false zijn"),
        ]
    )
    assert "Er is niets veranderd." in html
    assert product_count() == before
    assert get_product("goed") is None


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"products: [", "regel"),
        (b"\xff\xfe", "geen UTF-8"),
        (b"dingen: []", "precies één sleutel"),
    ],
)
def test_an_unreadable_file_is_refused_with_a_reason(organiser, store, content, words):
    data = {"file": (io.BytesIO(content), "kapot.yaml")}
    response = organiser.post(
        "/organisator/catalogus/uploaden", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "kapot.yaml is niet geladen" in html and words in html


def test_uploading_without_a_file_says_so(organiser, store):
    response = organiser.post("/organisator/catalogus/uploaden", data={})
    assert response.status_code == 422
    assert "Kies een bestand." in response.get_data(as_text=True)


def test_a_good_upload_is_loaded_and_reported(organiser, store):
    text = TEST_PRODUCTS.read_text(encoding="utf-8").replace("name: Geldfit", "name: Geldfit Plus")
    text += """  - slug: nieuw-product
    name: Nieuw product
    theme: Preventie
    summary: Kort.
    description: Lang.
    owner: Gemeente Breda
"""
    response = upload(organiser, text)
    assert response.status_code == 302
    page = organiser.get("/organisator/catalogus").get_data(as_text=True)
    assert "producten.yaml geladen: 1 nieuw, 1 bijgewerkt, 7 ongewijzigd." in page
    assert get_product("geldfit").name == "Geldfit Plus"


def test_the_downloaded_catalog_loads_back_unchanged(organiser, store):
    organiser.post("/organisator/catalogus/nieuw", data=NEW_PRODUCT)
    response = organiser.get("/organisator/catalogus/producten.yaml")
    assert response.status_code == 200
    assert response.mimetype == "application/yaml"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    entries = parse_product_file(text, "download")
    assert len(entries) == product_count() == 9
    retired = next(e for e in entries if e.slug == "oude-aanpak")
    assert retired.active is False
    report = upsert_products(entries)
    assert (report.created, report.updated) == ([], [])
    assert sorted(report.unchanged) == sorted(p.slug for p in all_products())
    # Through the upload page too, and the second download is the same file.
    upload(organiser, text, "terug.yaml")
    page = organiser.get("/organisator/catalogus").get_data(as_text=True)
    assert "terug.yaml geladen: 0 nieuw, 0 bijgewerkt, 9 ongewijzigd." in page
    again = organiser.get("/organisator/catalogus/producten.yaml").get_data(as_text=True)
    assert again == text


def test_the_product_file_keeps_every_field(app, store):
    text = product_file_text(all_products())
    by_slug = {e["slug"]: e for e in yaml.safe_load(text)["products"]}
    assert by_slug["schuldhulpmaatje"] == {
        "slug": "schuldhulpmaatje",
        "name": "SchuldHulpMaatje",
        "theme": "Vrijwilligers",
        "summary": "Getrainde vrijwilligers coachen huishoudens met geldzorgen.",
        "description": "Vrijwilligers helpen huishoudens hun geldzaken op orde te krijgen.",
        "owner": "SchuldHulpMaatje",
        "contact": "schuldhulpmaatje.nl",
        "tags": ["vrijwilligers"],
        "active": True,
    }
    assert by_slug["vroegsignalering"]["price"] == "Wettelijk verplicht"


def test_a_half_sent_edit_form_is_refused_without_a_crash(organiser, store):
    """A post that leaves out fields (a script, an old page) gets the form back, not a 500."""
    response = organiser.post("/organisator/catalogus/geldfit/bewerken", data={"name": ""})
    assert response.status_code == 422
    db.session.expire_all()
    product = db.session.execute(select(Product).where(Product.slug == "geldfit")).scalar_one()
    assert (product.name, product.tags) == ("Geldfit", ["zelftest", "online"])


def test_the_shelf_is_chosen_from_a_list_and_a_typo_opens_no_new_shelf(organiser, store):
    form = organiser.get("/organisator/catalogus/nieuw").get_data(as_text=True)
    select = re.search(r'<select[^>]*id="theme".*?</select>', form, re.S).group(0)
    offered = re.findall(r'<option[^>]*value="([^"]*)"', select)
    # The shop's own shelves in their order, then the test catalog's other themes, then
    # the deliberate way to a new shelf.
    assert offered[:4] == ["", "Vroegsignalering", "Preventie", "Digitaal"]
    assert "Vrijwilligers" in offered and offered[-1] == "__nieuw__"
    themes_before = {p.theme for p in all_products()}

    typo = organiser.post("/organisator/catalogus/nieuw", data={**NEW_PRODUCT, "theme": "Preventi"})
    assert typo.status_code == 422
    typo_html = typo.get_data(as_text=True)
    assert re.search(r'id="theme-error">[^<]*Kies er een uit de lijst', typo_html)
    typed_without_choosing = organiser.post(
        "/organisator/catalogus/nieuw", data={**NEW_PRODUCT, "new_theme": "Budgetbeheer"}
    )
    assert typed_without_choosing.status_code == 422
    assert "Kies eerst" in typed_without_choosing.get_data(as_text=True)
    no_name = organiser.post(
        "/organisator/catalogus/nieuw", data={**NEW_PRODUCT, "theme": "__nieuw__"}
    )
    assert no_name.status_code == 422
    assert "Vul dit in, of kies een bestaand schap." in no_name.get_data(as_text=True)
    assert {p.theme for p in all_products()} == themes_before

    # Chosen on purpose, a new shelf is made; a new name that is an old one in other
    # letters goes on the old shelf.
    made = organiser.post(
        "/organisator/catalogus/nieuw",
        data={**NEW_PRODUCT, "theme": "__nieuw__", "new_theme": "  Budget beheer "},
    )
    assert made.status_code == 302
    assert get_product("budgetcoach").theme == "Budget beheer"
    same = organiser.post(
        "/organisator/catalogus/nieuw",
        data={**NEW_PRODUCT, "slug": "tweede", "theme": "__nieuw__", "new_theme": "preventie"},
    )
    assert same.status_code == 302
    assert get_product("tweede").theme == "Preventie"


def test_editing_a_product_keeps_its_shelf_selected(organiser, store):
    form = organiser.get("/organisator/catalogus/geldfit/bewerken").get_data(as_text=True)
    assert re.search(r'<option selected value="Digitaal">|<option value="Digitaal" selected', form)
