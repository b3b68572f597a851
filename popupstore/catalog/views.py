"""The kiosk's shop floor: start page, shelves, product pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, session

from .. import versions
from ..basket.index import intent_counts
from ..basket.session import SessionBasket, page_variant
from ..events.services import active_event, active_event_id
from ..pagecache import kept_page
from ..security import public
from .services import (
    find_theme,
    get_product,
    popular_products,
    search_products,
    theme_slug,
    themes,
)
from .themes import theme_class

bp = Blueprint("catalog", __name__)


@bp.app_template_global()
def theme_css(theme: str) -> str:
    return theme_class(theme)


bp.add_app_template_global(theme_slug)


@bp.get("/")
@public
def start() -> str:
    def render() -> str:
        event = active_event()
        return render_template(
            "catalog/start.html",
            event=event,
            themes=themes(),
            popular=popular_products(intent_counts(event), limit=6) if event else [],
        )

    # The start page is what every visitor and every idle reset opens: keep it rendered.
    event_id = active_event_id()
    depends_on: tuple[str, ...] = (versions.CATALOG, versions.EVENTS)
    if event_id is not None:
        depends_on += versions.event_names(event_id)
    return kept_page(("start", *page_variant()), versions.state(*depends_on), render)


@bp.get("/producten")
@public
def products() -> str:
    words = request.args.get("q", "", type=str)[:100]
    theme_slug = request.args.get("thema", "", type=str)[:80] or None
    theme = find_theme(theme_slug) if theme_slug else None
    if theme_slug and theme is None:
        abort(404)
    return render_template(
        "catalog/products.html",
        products=search_products(words, theme.slug if theme else None),
        themes=themes(),
        theme=theme,
        words=words,
        basket=SessionBasket(session),
    )


@bp.get("/product/<slug>")
@public
def product(slug: str) -> str:
    found = get_product(slug)
    if found is None:
        abort(404)
    return render_template("catalog/product.html", product=found, basket=SessionBasket(session))
