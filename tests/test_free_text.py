"""One rule for free text in every field the store accepts, through every way in.

Each way in (the kiosk's checkout form, the API, the samenwerkingsbon, the organiser's
event, product and privacy forms, a product file uploaded or loaded on the command
line, create-event) refuses controls, bidirectional controls and values with nothing
visible with a Dutch message at the field, and stores nothing; what it stores is NFC
with its white space collapsed, and multi-line fields keep their line breaks.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from popupstore.agreements.models import Agreement
from popupstore.basket.models import Checkout
from popupstore.catalog.models import Product
from popupstore.events.models import Event
from popupstore.extensions import db
from popupstore.organiser.forms import NEW_SHELF
from popupstore.privacy.models import PrivacyNotice

FORBIDDEN = "Bevat een teken dat hier niet mag ({code})."
INVISIBLE = "Bevat geen zichtbare tekens."
# Values that must be refused, and the message each gets.
BAD_VALUES = {
    "control": ("Anna\x01Jansen", FORBIDDEN.format(code="U+0001")),
    "bel": ("Anna\x07", FORBIDDEN.format(code="U+0007")),
    "right-to-left override": ("Anna\u202enesnaJ", FORBIDDEN.format(code="U+202E")),
    "isolate": ("\u2066Breda\u2069", FORBIDDEN.format(code="U+2066")),
    "arabic letter mark": ("Breda\u061c", FORBIDDEN.format(code="U+061C")),
    "zero-width only": ("\u200b\u200d\u2060", INVISIBLE),
    "zero-width and spaces": (" \u200b \ufeff ", INVISIBLE),
    "hangul filler": ("\u3164", INVISIBLE),
}
# Typed with a decomposed é, tabs, a line break and spaces around.
MESSY = "  Ann\u0065\u0301\t de \n Vries  "
CLEAN = "Ann\u00e9 de Vries"
MESSY_LINES = "  Regel   een \r\n\r\n\r\n  Regel\ttwe\u0301e  \n"
CLEAN_LINES = "Regel een\n\nRegel tw\u00e9e"

NEW_PRODUCT = {
    "slug": "budgetcoach",
    "name": "Budgetcoach",
    "theme": "Budgetbeheer",
    "summary": "Een coach helpt een half jaar met het huishoudboekje.",
    "description": "Vrijwillige budgetcoaches komen thuis.",
    "owner": "Gemeente Zwolle",
    "contact": "budgetcoach@zwolle.nl",
    "tags": "coaching, vrijwilligers",
    "price": "Gratis",
    "active": "y",
}
PRODUCT_FIELDS = ("name", "theme", "summary", "description", "owner", "contact", "tags", "price")
# The product forms choose a shelf from a list; a new shelf's name is the typed text.
PRODUCT_FORM = {**NEW_PRODUCT, "theme": NEW_SHELF, "new_theme": NEW_PRODUCT["theme"]}
PRODUCT_FORM_FIELDS = tuple("new_theme" if f == "theme" else f for f in PRODUCT_FIELDS)
NEW_EVENT = {
    "slug": "zwolle-2027",
    "name": "Samen Organiseren Zwolle",
    "city": "Zwolle",
    "date": "2027-03-04",
    "venue": "Hanzehuis",
}
NOTICE = {
    "controller": "Gemeente Breda.",
    "purpose": "Om je te verbinden.",
    "retention": "Tot 30 dagen na de dag.",
    "rights": "Inzien en wissen.",
}
VISITOR = {"name": "Cas", "organisation": "Zwolle", "role": "Beleid", "email": "cas@zwolle.nl"}


@dataclass(frozen=True)
class Outcome:
    """What a way in answered: refused (and the message at the field) or accepted."""

    refused: bool
    message: str | None


def html_field_error(html: str, field: str) -> str | None:
    found = re.search(rf'<p class="field__error" id="{re.escape(field)}-error">([^<]*)</p>', html)
    return found.group(1) if found else None


def stored_row(model: Any, *where: Any, columns: dict[str, str]) -> dict[str, Any] | None:
    db.session.expire_all()
    query = select(model).where(*where).order_by(model.id.desc()).limit(1)
    row = db.session.execute(query).scalars().first()
    if row is None:
        return None
    return {field: getattr(row, column) for field, column in columns.items()}


@dataclass
class WayIn:
    """One way free text enters the store, with the fields it takes."""

    name: str
    fields: tuple[str, ...]
    multiline: tuple[str, ...]
    submit: Callable[[str, Any], Outcome]
    stored: Callable[[], dict[str, Any] | None]


@pytest.fixture
def ways_in(
    app: Any,
    store: Any,
    client: FlaskClient,
    runner: FlaskCliRunner,
    login: Callable[[str], Any],
    make_checkout: Callable[..., dict[str, Any]],
    tmp_path: Path,
) -> dict[str, WayIn]:
    anna = make_checkout({"geldfit": "want"}, name="Anna", organisation="Breda")
    make_checkout({"geldfit": "want"}, name="Bram", organisation="Tilburg")
    login("organiser")

    def checkout_row() -> dict[str, Any] | None:
        columns = {"name": "visitor_name", "organisation": "organisation"}
        return stored_row(Checkout, columns={**columns, "role": "role", "email": "email"})

    def html_form(url: str, base: dict[str, Any]) -> Callable[[str, Any], Outcome]:
        def submit(field: str, value: Any) -> Outcome:
            data = {**base, field: value}
            if url == "/afrekenen":
                # A checkout empties the basket: fill it again for each try.
                client.post("/mandje/geldfit", data={"intent": "want"})
                page = client.get(url).get_data(as_text=True)
                key = re.search(r'name="checkout_key" type="hidden" value="([^"]+)"', page)
                assert key is not None
                data["checkout_key"] = key.group(1)
            response = client.post(url, data=data)
            assert response.status_code in (302, 422), response.status_code
            html = response.get_data(as_text=True)
            return Outcome(response.status_code == 422, html_field_error(html, field))

        return submit

    def api(field: str, value: Any) -> Outcome:
        body = {"items": [{"product": "geldfit", "intent": "have"}], "visitor": {**VISITOR}}
        body["visitor"][field] = value
        response = client.post("/api/v1/events/breda-2026/checkouts", json=body)
        assert response.status_code in (201, 422), response.get_json()
        if response.status_code == 201:
            return Outcome(False, None)
        error = response.get_json()["error"]
        return Outcome(True, error["fields"].get(f"visitor.{field}"))

    def product_entry(field: str, value: Any) -> dict[str, Any]:
        entry: dict[str, Any] = {k: v for k, v in NEW_PRODUCT.items() if k != "active"}
        entry["tags"] = ["coaching", "vrijwilligers"]
        entry[field] = [value] if field == "tags" else value
        return {"products": [entry]}

    def upload(field: str, value: Any) -> Outcome:
        text = yaml.safe_dump(product_entry(field, value), allow_unicode=True)
        data = {"file": (io.BytesIO(text.encode("utf-8")), "producten.yaml")}
        response = client.post(
            "/organisator/catalogus/uploaden", data=data, content_type="multipart/form-data"
        )
        assert response.status_code in (302, 422), response.status_code
        html = response.get_data(as_text=True)
        found = re.search(rf"<code>{field}</code></td><td>([^<]*)</td>", html)
        return Outcome(response.status_code == 422, found.group(1) if found else None)

    def load_products(field: str, value: Any) -> Outcome:
        path = tmp_path / "producten.yaml"
        path.write_text(
            yaml.safe_dump(product_entry(field, value), allow_unicode=True), encoding="utf-8"
        )
        result = runner.invoke(args=["load-products", str(path)])
        assert result.exit_code in (0, 2), result.output
        found = re.search(rf"veld '{field}': ([^;]*?)(?:;|$)", result.output.strip())
        return Outcome(result.exit_code == 2, found.group(1).strip() if found else None)

    def create_event(field: str, value: Any) -> Outcome:
        options = {"name": "Samen Organiseren Zwolle", "city": "Zwolle", field: value}
        result = runner.invoke(
            args=[
                "create-event",
                "zwolle-2027",
                "--name",
                options["name"],
                "--city",
                options["city"],
                "--date",
                "2027-03-04",
            ]
        )
        assert result.exit_code in (0, 2), result.output
        found = re.search(rf"\b{field}: (.*?\.)(?: \w+:|$)", result.output.strip())
        return Outcome(result.exit_code == 2, found.group(1) if found else None)

    event_columns = {"name": "name", "city": "city", "venue": "venue"}
    product_columns = {name: name for name in PRODUCT_FIELDS}
    product_form_columns = {**product_columns, "new_theme": "theme"}
    product_fields = PRODUCT_FIELDS
    return {
        way.name: way
        for way in (
            WayIn(
                "checkout form",
                ("name", "organisation", "role", "email"),
                (),
                html_form(
                    "/afrekenen",
                    {"name": "Cas", "organisation": "Zwolle", "role": "Beleid", "email": ""},
                ),
                checkout_row,
            ),
            WayIn("api checkout", ("name", "organisation", "role", "email"), (), api, checkout_row),
            WayIn(
                "agreement form",
                ("text",),
                (),
                html_form(f"/r/{anna['token']}/samenwerking", {"choice": "2:geldfit"}),
                lambda: stored_row(Agreement, columns={"text": "text"}),
            ),
            WayIn(
                "new event form",
                ("name", "city", "venue"),
                (),
                html_form("/organisator/evenementen/nieuw", NEW_EVENT),
                lambda: stored_row(Event, Event.slug == "zwolle-2027", columns=event_columns),
            ),
            WayIn(
                "event edit form",
                ("name", "city", "venue"),
                (),
                html_form("/organisator/evenementen/breda-2026/bewerken", NEW_EVENT),
                lambda: stored_row(Event, Event.slug == "breda-2026", columns=event_columns),
            ),
            WayIn(
                "new product form",
                PRODUCT_FORM_FIELDS,
                ("description",),
                html_form("/organisator/catalogus/nieuw", PRODUCT_FORM),
                lambda: stored_row(
                    Product, Product.slug == "budgetcoach", columns=product_form_columns
                ),
            ),
            WayIn(
                "product edit form",
                PRODUCT_FORM_FIELDS,
                ("description",),
                html_form("/organisator/catalogus/geldfit/bewerken", PRODUCT_FORM),
                lambda: stored_row(
                    Product, Product.slug == "geldfit", columns=product_form_columns
                ),
            ),
            WayIn(
                "product file upload",
                product_fields,
                ("description",),
                upload,
                lambda: stored_row(Product, Product.slug == "budgetcoach", columns=product_columns),
            ),
            WayIn(
                "load-products",
                product_fields,
                ("description",),
                load_products,
                lambda: stored_row(Product, Product.slug == "budgetcoach", columns=product_columns),
            ),
            WayIn(
                "privacy text form",
                tuple(NOTICE),
                tuple(NOTICE),
                html_form("/organisator/privacy/tekst", NOTICE),
                lambda: stored_row(PrivacyNotice, columns={name: name for name in NOTICE}),
            ),
            WayIn(
                "create-event",
                ("name", "city"),
                (),
                create_event,
                lambda: stored_row(Event, Event.slug == "zwolle-2027", columns=event_columns),
            ),
        )
    }


WAYS_IN = [
    "checkout form",
    "api checkout",
    "agreement form",
    "new event form",
    "event edit form",
    "new product form",
    "product edit form",
    "product file upload",
    "load-products",
    "privacy text form",
    "create-event",
]
# Every free-text field of every way in, each with one of the bad values in turn.
EVERY_FIELD = [
    ("checkout form", "name"),
    ("checkout form", "organisation"),
    ("checkout form", "role"),
    ("checkout form", "email"),
    ("api checkout", "name"),
    ("api checkout", "organisation"),
    ("api checkout", "role"),
    ("api checkout", "email"),
    ("agreement form", "text"),
    ("new event form", "name"),
    ("new event form", "city"),
    ("new event form", "venue"),
    ("event edit form", "name"),
    ("event edit form", "city"),
    ("event edit form", "venue"),
    *[
        (way, field)
        for way in ("new product form", "product edit form", "product file upload", "load-products")
        for field in (PRODUCT_FORM_FIELDS if "form" in way else PRODUCT_FIELDS)
    ],
    *[("privacy text form", field) for field in NOTICE],
    ("create-event", "name"),
    ("create-event", "city"),
]


@pytest.mark.parametrize(
    "kind", ["control", "right-to-left override", "zero-width only", "zero-width and spaces"]
)
@pytest.mark.parametrize("way", WAYS_IN)
def test_every_way_in_refuses_controls_bidi_and_invisible_values(ways_in, way, kind):
    target = ways_in[way]
    field = target.fields[0]
    value, message = BAD_VALUES[kind]
    before = target.stored()
    outcome = target.submit(field, value)
    assert outcome == Outcome(True, message)
    assert target.stored() == before


@pytest.mark.parametrize(("way", "field"), EVERY_FIELD)
def test_every_free_text_field_is_held_to_the_rule(ways_in, way, field):
    target = ways_in[way]
    kinds = list(BAD_VALUES)
    value, message = BAD_VALUES[kinds[EVERY_FIELD.index((way, field)) % len(kinds)]]
    before = target.stored()
    assert target.submit(field, value) == Outcome(True, message)
    assert target.stored() == before


@pytest.mark.parametrize("way", WAYS_IN)
def test_what_is_stored_is_nfc_with_white_space_collapsed(ways_in, way):
    target = ways_in[way]
    field = target.fields[0]
    assert target.submit(field, MESSY) == Outcome(False, None)
    stored = target.stored()
    assert stored is not None
    # A multi-line field keeps the line break (and trims the lines around it).
    assert stored[field] == (CLEAN if field not in target.multiline else "Ann\u00e9 de\nVries")
    assert unicodedata.is_normalized("NFC", stored[field])


@pytest.mark.parametrize(
    ("way", "field"),
    [
        ("new product form", "description"),
        ("product edit form", "description"),
        ("product file upload", "description"),
        ("load-products", "description"),
        ("privacy text form", "controller"),
        ("privacy text form", "rights"),
    ],
)
def test_multi_line_fields_keep_their_line_breaks(ways_in, way, field):
    target = ways_in[way]
    assert field in target.multiline
    assert target.submit(field, MESSY_LINES) == Outcome(False, None)
    stored = target.stored()
    assert stored is not None and stored[field] == CLEAN_LINES


@pytest.mark.parametrize("way", ["checkout form", "api checkout", "new event form"])
def test_lengths_count_characters_after_cleaning(ways_in, way):
    target = ways_in[way]
    field = target.fields[0]
    # 80 letters é typed decomposed: 160 code points, 80 characters once composed.
    decomposed = "e\u0301" * 80
    assert target.submit(field, decomposed) == Outcome(False, None)
    stored = target.stored()
    assert stored is not None and stored[field] == "\u00e9" * 80
    limit = 120 if way == "new event form" else 80
    too_long = "x" * (limit + 1)
    before = stored
    assert target.submit(field, too_long) == Outcome(True, f"Hoogstens {limit} tekens.")
    assert target.stored() == before
