"""Loading products from YAML: the service and `popupstore load-products`."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from popupstore.catalog.models import Product
from popupstore.catalog.services import ProductFileError, load_products, parse_product_file
from popupstore.extensions import db

from ..conftest import TEST_PRODUCTS

SEED = Path(__file__).resolve().parents[2] / "seed_products.yaml"

VALID_ENTRY = {
    "slug": "nieuwe-aanpak",
    "name": "Nieuwe aanpak",
    "theme": "Preventie",
    "summary": "Kort.",
    "description": "Lang genoeg.",
    "owner": "Gemeente Breda",
}


def _write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "products.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return path


def _count() -> int:
    return db.session.execute(select(func.count(Product.id))).scalar_one()


def test_load_products_creates_then_updates_by_slug(app, runner, tmp_path):
    result = runner.invoke(args=["load-products", str(TEST_PRODUCTS)])
    assert result.exit_code == 0, result.output
    assert "8 nieuw" in result.output
    assert _count() == 8
    retired = db.session.execute(select(Product).where(Product.slug == "oude-aanpak")).scalar_one()
    assert retired.active is False

    changed = {**VALID_ENTRY, "slug": "geldfit", "name": "Geldfit 2.0"}
    path = _write(tmp_path, {"products": [changed]})
    result = runner.invoke(args=["load-products", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 nieuw, 1 bijgewerkt" in result.output
    db.session.expire_all()
    names = dict(db.session.execute(select(Product.slug, Product.name)).all())
    assert names["geldfit"] == "Geldfit 2.0"
    # Products not in the file stay as they are.
    assert names["vroegsignalering"] == "Vroegsignalering"
    assert _count() == 8


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        ({**VALID_ENTRY, "colour": "red"}, "colour", "onbekend veld"),
        ({k: v for k, v in VALID_ENTRY.items() if k != "owner"}, "owner", "verplicht"),
        ({**VALID_ENTRY, "name": 12}, "name", "tekst"),
        ({**VALID_ENTRY, "tags": "jongeren"}, "tags", "lijst"),
        ({**VALID_ENTRY, "active": "ja"}, "active", "true of false"),
        ({**VALID_ENTRY, "slug": "Met Spaties"}, "slug", "kleine letters"),
        ({**VALID_ENTRY, "price": ["x"]}, "price", "tekst"),
    ],
)
def test_bad_entry_exits_2_naming_file_entry_and_field(app, runner, tmp_path, entry, field, words):
    good = {**VALID_ENTRY, "slug": "eerste"}
    path = _write(tmp_path, {"products": [good, entry]})
    result = runner.invoke(args=["load-products", str(path)])
    assert result.exit_code == 2
    message = result.output
    assert str(path) in message
    assert "products[1]" in message
    assert f"'{field}'" in message
    assert words in message
    # All or nothing: the good entry was not written either.
    assert _count() == 0


def test_duplicate_slugs_are_named(app, runner, tmp_path):
    path = _write(tmp_path, {"products": [VALID_ENTRY, {**VALID_ENTRY, "name": "Twee"}]})
    result = runner.invoke(args=["load-products", str(path)])
    assert result.exit_code == 2
    assert "products[1] (slug 'nieuwe-aanpak')" in result.output
    assert "dubbele slug" in result.output
    assert _count() == 0


@pytest.mark.parametrize(
    "text",
    ["products: [", "- just\n- a list\n", "products: {}\n", "products: []\nextra: 1\n"],
)
def test_malformed_documents_are_rejected(text):
    with pytest.raises(ProductFileError) as caught:
        parse_product_file(text, "x.yaml")
    assert caught.value.one_line().startswith("x.yaml: ")
    assert "\n" not in caught.value.one_line()


def test_missing_file_exits_2(app, runner, tmp_path):
    result = runner.invoke(args=["load-products", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml" in result.output


def test_every_problem_is_reported_at_once():
    text = yaml.safe_dump(
        {"products": [{"slug": "a"}, {**VALID_ENTRY, "extra": 1}, "not a mapping"]}
    )
    with pytest.raises(ProductFileError) as caught:
        parse_product_file(text, "many.yaml")
    problems = caught.value.problems
    assert {(p.entry.split(" ")[0], p.field) for p in problems} >= {
        ("products[0]", "name"),
        ("products[0]", "owner"),
        ("products[1]", "extra"),
        ("products[2]", ""),
    }


def test_load_products_service_upserts(app):
    report = load_products(TEST_PRODUCTS)
    assert sorted(report.created)[:2] == ["collectief-schuldregelen", "geldfit"]
    db.session.commit()
    again = load_products(TEST_PRODUCTS)
    assert again.created == [] and again.updated == [] and len(again.unchanged) == 8


def _words(text: str) -> int:
    return len(text.split())


def test_seed_catalog_is_complete_and_loads(app, runner):
    document = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    products = document["products"]
    assert len(products) >= 24
    themes = Counter(p["theme"] for p in products)
    assert len(themes) >= 7
    for product in products:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", product["slug"])
        assert 60 <= _words(product["description"]) <= 150, product["slug"]
        assert "\n" not in product["summary"].strip()
        assert product.get("price"), product["slug"]
        assert product.get("tags"), product["slug"]
    result = runner.invoke(args=["load-products", str(SEED)])
    assert result.exit_code == 0, result.output
    assert _count() == len(products)


def test_seed_catalog_speaks_to_the_visitor_as_the_screens_do():
    """The screens say "je"; so does the catalog. A contact appears only where the facts
    behind the catalog give one, and they give none."""
    from popupstore.catalog.themes import SHELF_ORDER

    products = yaml.safe_load(SEED.read_text(encoding="utf-8"))["products"]
    for product in products:
        for name in ("summary", "description", "price"):
            assert not re.search(r"\b[Uu]w?\b", product[name]), (product["slug"], name)
        assert "contact" not in product, product["slug"]
        assert product["theme"] in SHELF_ORDER, product["slug"]
