"""The catalog: reading products, and loading them from a YAML product file."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import versions
from ..errors import ConflictError, ValidationError
from ..extensions import db
from ..validation import FreeText, FreeTextError, Messages, one_line, too_long
from .models import Product
from .search import SearchText, matches, search_terms, search_text
from .themes import SHELF_ORDER, shelf_position

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_LIMIT = 64
REQUIRED_FIELDS = ("slug", "name", "theme", "summary", "description", "owner")
OPTIONAL_FIELDS = ("contact", "tags", "price", "active")
# The free-text fields of a product and their rules; the description may run over lines.
PRODUCT_TEXT = {
    "name": FreeText(120),
    "theme": FreeText(60),
    "summary": FreeText(200),
    "description": FreeText(5000, multiline=True),
    "owner": FreeText(160),
    "contact": FreeText(200, required=False),
    "price": FreeText(60, required=False),
}
PRODUCT_TAG = FreeText(40)
MAX_TAGS = 20


@dataclass(frozen=True, slots=True)
class ProductFileProblem:
    """One thing wrong in a product file: which entry, which field, what."""

    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        where = ", ".join(
            part for part in (self.entry, self.field and f"veld '{self.field}'") if part
        )
        return f"{where}: {self.message}" if where else self.message


class ProductFileError(Exception):
    """A product file that cannot be loaded; nothing has been written."""

    def __init__(self, source: str, problems: Sequence[ProductFileProblem]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(self.one_line())

    def one_line(self) -> str:
        return f"{self.source}: " + "; ".join(str(p) for p in self.problems)


@dataclass(frozen=True, slots=True)
class ProductEntry:
    slug: str
    name: str
    theme: str
    summary: str
    description: str
    owner: str
    contact: str | None = None
    tags: tuple[str, ...] = ()
    price: str | None = None
    active: bool = True


@dataclass(slots=True)
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _entry_label(index: int, raw: Any) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("slug"), str) and one_line(raw["slug"]):
        return f"products[{index}] (slug '{one_line(raw['slug'])[:80]}')"
    return f"products[{index}]"


def _check_entry(index: int, raw: Any) -> tuple[ProductEntry | None, list[ProductFileProblem]]:
    label = _entry_label(index, raw)
    if not isinstance(raw, dict):
        return None, [ProductFileProblem(label, "", str(_l("moet een mapping met velden zijn")))]
    problems: list[ProductFileProblem] = []

    def problem(name: str, message: Any) -> None:
        problems.append(ProductFileProblem(label, name, str(message)))

    for key in raw:
        if key not in REQUIRED_FIELDS and key not in OPTIONAL_FIELDS:
            problem(str(key), _l("onbekend veld"))
    for name in REQUIRED_FIELDS:
        if raw.get(name) is None:
            problem(name, _l("verplicht veld ontbreekt"))
    values: dict[str, Any] = {}
    slug = raw.get("slug")
    if isinstance(slug, str):
        slug = slug.strip()
        if not slug:
            problem("slug", Messages.REQUIRED)
        elif len(slug) > SLUG_LIMIT:
            problem("slug", too_long(SLUG_LIMIT))
        elif not SLUG_PATTERN.match(slug):
            problem("slug", _l("alleen kleine letters, cijfers en koppeltekens"))
        values["slug"] = slug
    elif slug is not None:
        problem("slug", Messages.NOT_TEXT)
    for name, rule in PRODUCT_TEXT.items():
        if name not in raw or (raw[name] is None and name in REQUIRED_FIELDS):
            continue
        try:
            values[name] = rule.clean(raw[name])
        except FreeTextError as error:
            problem(name, error.message)
    tags = raw.get("tags", [])
    if tags is None:
        tags = []
    if not isinstance(tags, list):
        problem("tags", _l("moet een lijst met teksten zijn"))
    elif len(tags) > MAX_TAGS:
        problem("tags", _l("hoogstens %(n)d tags", n=MAX_TAGS))
    else:
        cleaned: list[str] = []
        for tag in tags:
            try:
                cleaned.append(PRODUCT_TAG.clean(tag) or "")
            except FreeTextError as error:
                problem("tags", error.message)
                break
        values["tags"] = tuple(dict.fromkeys(cleaned))
    active = raw.get("active", True)
    if not isinstance(active, bool):
        problem("active", _l("moet true of false zijn"))
    else:
        values["active"] = active
    if problems:
        return None, problems
    return ProductEntry(**values), []


def parse_product_file(text: str | bytes, source: str) -> list[ProductEntry]:
    """Validate a product file completely; raise ProductFileError listing every problem."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ProductFileError(
                source, [ProductFileProblem("", "", str(_l("het bestand is geen UTF-8")))]
            ) from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = str(_l("regel %(line)d", line=mark.line + 1)) if mark is not None else ""
        message = str(_l("geen geldige YAML"))
        raise ProductFileError(source, [ProductFileProblem(where, "", message)]) from None
    if not isinstance(document, dict) or set(document) != {"products"}:
        message = _l("verwacht een mapping met precies één sleutel 'products'")
        raise ProductFileError(source, [ProductFileProblem("", "products", str(message))])
    raw_entries = document["products"]
    if not isinstance(raw_entries, list):
        message = _l("moet een lijst met producten zijn")
        raise ProductFileError(source, [ProductFileProblem("", "products", str(message))])
    problems: list[ProductFileProblem] = []
    entries: list[ProductEntry] = []
    first_index: dict[str, int] = {}
    for index, raw in enumerate(raw_entries):
        entry, found = _check_entry(index, raw)
        problems.extend(found)
        if entry is None:
            continue
        if entry.slug in first_index:
            message = _l("dubbele slug, ook in products[%(index)d]", index=first_index[entry.slug])
            problems.append(ProductFileProblem(_entry_label(index, raw), "slug", str(message)))
            continue
        first_index[entry.slug] = index
        entries.append(entry)
    if problems:
        raise ProductFileError(source, problems)
    return entries


def read_product_file(path: str | Path) -> list[ProductEntry]:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ProductFileError(str(path), [ProductFileProblem("", "", reason)]) from None
    return parse_product_file(data, str(path))


def upsert_products(entries: Iterable[ProductEntry]) -> LoadReport:
    """Create or update products by slug; products not named stay as they are."""
    entries = list(entries)
    existing = {
        p.slug: p
        for p in db.session.execute(
            select(Product).where(Product.slug.in_([e.slug for e in entries]))
        ).scalars()
    }
    report = LoadReport()
    for entry in entries:
        values = {
            "name": entry.name,
            "theme": entry.theme,
            "summary": entry.summary,
            "description": entry.description,
            "owner": entry.owner,
            "contact": entry.contact,
            "tags": list(entry.tags),
            "price": entry.price,
            "active": entry.active,
        }
        product = existing.get(entry.slug)
        if product is None:
            db.session.add(Product(slug=entry.slug, **values))
            report.created.append(entry.slug)
        elif any(getattr(product, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(product, key, value)
            report.updated.append(entry.slug)
        else:
            report.unchanged.append(entry.slug)
    db.session.flush()
    return report


def load_products(path: str | Path) -> LoadReport:
    """Validate the file, then upsert all of it (all or nothing: the caller commits)."""
    return upsert_products(read_product_file(path))


def theme_slug(theme: str) -> str:
    """A URL-safe form of a theme label ("Werkende armen" -> "werkende-armen")."""
    folded = unicodedata.normalize("NFKD", theme)
    ascii_only = folded.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")


def active_products() -> list[Product]:
    """Active products sorted by theme, then name (the API's order)."""
    query = select(Product).where(Product.active.is_(True)).order_by(Product.theme, Product.name)
    return list(db.session.execute(query).scalars())


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    slug: str
    product_count: int


def themes() -> list[Theme]:
    """The shelves with active products, in the shop's order (`themes.SHELF_ORDER`)."""
    query = (
        select(Product.theme, func.count(Product.id))
        .where(Product.active.is_(True))
        .group_by(Product.theme)
    )
    found = [Theme(name, theme_slug(name), count) for name, count in db.session.execute(query)]
    return sorted(found, key=lambda theme: shelf_position(theme.name))


def find_theme(slug: str) -> Theme | None:
    return next((t for t in themes() if t.slug == slug), None)


def shelf_names() -> list[str]:
    """Every shelf a product can be put on: the shop's own shelves and any theme a product
    has (retired ones included), in the shop's order; one entry per name, case ignored."""
    known = {name.lower(): name for name in SHELF_ORDER}
    for (name,) in db.session.execute(select(Product.theme).distinct()):
        known.setdefault(name.strip().lower(), name)
    return sorted(known.values(), key=shelf_position)


def _search_texts() -> dict[str, SearchText]:
    """Each active product's texts prepared for searching, by slug; kept by this worker
    until the catalog changes (preparing stems every word once)."""

    def load() -> dict[str, SearchText]:
        return {
            p.slug: search_text([p.name, p.summary, p.description, p.owner, p.theme, *p.tags])
            for p in active_products()
        }

    found: dict[str, SearchText] = versions.memo(("catalog-search",), (versions.CATALOG,), load)
    return found


def search_products(words: str = "", theme: str | None = None) -> list[Product]:
    """Active products, in the shop's shelf order, whose texts match every word typed
    (`catalog.search` says what matches: stems, one typo, compounds), on one shelf when
    `theme` (a shelf slug) is given."""
    products = sorted(active_products(), key=lambda p: (shelf_position(p.theme), p.name))
    if theme:
        products = [p for p in products if theme_slug(p.theme) == theme]
    terms = search_terms(words)
    if not terms:
        return products
    texts = _search_texts()
    return [
        p
        for p in products
        if p.slug in texts and all(matches(texts[p.slug], term) for term in terms)
    ]


def get_product(slug: str, *, active_only: bool = True) -> Product | None:
    query = select(Product).where(Product.slug == slug)
    if active_only:
        query = query.where(Product.active.is_(True))
    return db.session.execute(query).scalar_one_or_none()


def product_name_map() -> dict[str, str]:
    """Every product's name by slug, retired ones included (old baskets hold them)."""
    return dict(db.session.execute(select(Product.slug, Product.name)).all())


def product_owners() -> dict[str, str]:
    """Every product's owner by slug, retired ones included."""
    return dict(db.session.execute(select(Product.slug, Product.owner)).all())


def products_by_slug(slugs: Iterable[str]) -> dict[str, Product]:
    slugs = list(slugs)
    if not slugs:
        return {}
    query = select(Product).where(Product.slug.in_(slugs))
    return {p.slug: p for p in db.session.execute(query).scalars()}


@dataclass(frozen=True, slots=True)
class ProductPopularity:
    """A product (by slug and name) with how many checkouts want it and have it already."""

    product: str
    name: str
    want: int
    have: int

    @property
    def total(self) -> int:
        return self.want + self.have


def most_chosen(
    counts: Mapping[str, tuple[int, int]], names: Mapping[str, str]
) -> list[ProductPopularity]:
    """Products ranked the one way every screen ranks them: by how often they were chosen
    (want + have), most first, then by name, then by slug.

    `counts` maps a slug to its (want, have); a slug without a name is shown by its slug.
    """
    ranked = [
        ProductPopularity(slug, names.get(slug, slug), want, have)
        for slug, (want, have) in counts.items()
    ]
    ranked.sort(key=lambda p: (-p.total, p.name, p.product))
    return ranked


def popular_products(
    counts: Mapping[str, tuple[int, int]], limit: int = 6
) -> list[ProductPopularity]:
    """The most chosen active products (`most_chosen`), at most `limit`; `counts` holds
    (want, have) per product slug (an event's `basket.index.intent_counts`)."""
    names = {p.slug: p.name for p in active_products()}
    active = {slug: count for slug, count in counts.items() if slug in names}
    return most_chosen(active, names)[:limit]


# --- catalog admin: one product at a time, and the catalog as a product file ---------------


def all_products() -> list[Product]:
    """Every product, retired ones included, sorted by theme, then name."""
    query = select(Product).order_by(Product.theme, Product.name, Product.slug)
    return list(db.session.execute(query).scalars())


def check_product(raw: dict[str, Any]) -> ProductEntry:
    """Validate one product with the rules of the product file; ValidationError names fields."""
    entry, problems = _check_entry(0, raw)
    if entry is None:
        fields: dict[str, str] = {}
        for found in problems:
            fields.setdefault(found.field or "product", found.message)
        raise ValidationError(str(_l("Het product klopt niet.")), fields)
    return entry


def add_product(raw: dict[str, Any]) -> Product:
    """Create a product from form data; a slug already in use is a conflict."""
    entry = check_product(raw)
    if get_product(entry.slug, active_only=False) is not None:
        raise ConflictError(
            str(_l("Product '%(slug)s' bestaat al.", slug=entry.slug)),
            {"slug": str(_l("Al in gebruik."))},
        )
    upsert_products([entry])
    return db.session.execute(select(Product).where(Product.slug == entry.slug)).scalar_one()


def edit_product(product: Product, raw: dict[str, Any]) -> Product:
    """Change a product; its slug stays, because old baskets and printed labels name it."""
    entry = check_product({**raw, "slug": product.slug})
    upsert_products([entry])
    return product


def set_product_active(product: Product, active: bool) -> Product:
    """Retire a product (gone from the kiosk, kept in old baskets) or bring it back."""
    product.active = active
    db.session.flush()
    return product


def product_file_text(products: Iterable[Product], header: str = "") -> str:
    """The products as a product file that `load-products` reads back unchanged."""
    entries = []
    for product in products:
        entry: dict[str, Any] = {
            "slug": product.slug,
            "name": product.name,
            "theme": product.theme,
            "summary": product.summary,
            "description": product.description,
            "owner": product.owner,
        }
        if product.contact:
            entry["contact"] = product.contact
        if product.tags:
            entry["tags"] = list(product.tags)
        if product.price:
            entry["price"] = product.price
        entry["active"] = bool(product.active)
        entries.append(entry)
    text = yaml.safe_dump(
        {"products": entries}, allow_unicode=True, sort_keys=False, width=100, indent=2
    )
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    return comment + text
