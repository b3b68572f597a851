"""The basket and the checkout form."""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response as BaseResponse

from ..auth.views import safe_next
from ..catalog.services import get_product, products_by_slug
from ..errors import DomainError
from ..events.services import active_event
from ..forms import EmptyForm
from ..kiosk.services import kiosk_mode
from ..organisations import (
    CBS_CREDIT,
    Municipality,
    clean_text,
    find_municipality,
    known_partners,
    municipality_choices,
    suggest_municipality,
)
from ..proposals.services import claim_proposals
from ..security import public
from ..transactions import committed
from ..validation import show_field_errors
from ..web import wants_json
from .checkout import named_organisations, place_checkout
from .forms import ROLE_SUGGESTIONS, CheckoutForm, IntentForm
from .payload import CheckoutRequest, parse_items, parse_visitor
from .session import (
    SessionBasket,
    basket_context,
    remember_receipt,
    remembered_receipt,
)

bp = Blueprint("basket", __name__)
bp.app_context_processor(basket_context)

CHECKOUT_KEY = "checkout_key"


def _basket() -> SessionBasket:
    return SessionBasket(session)


def _basket_lines() -> list[tuple[Any, str]]:
    items = _basket().items()
    products = products_by_slug(items)
    return [(products[slug], intent) for slug, intent in items.items() if slug in products]


@bp.get("/mandje")
@public
def show() -> str:
    lines = _basket_lines()
    stale = len(_basket()) - len(lines)
    return render_template("basket/basket.html", lines=lines, stale=stale, form=EmptyForm())


def card_anchor(slug: str) -> str:
    """The id of a product's card on the shelf, the basket and its own page."""
    return f"product-{slug}"


def _count(basket: SessionBasket) -> dict[str, Any]:
    count = len(basket)
    return {
        "count": count,
        "count_label": ngettext("%(num)d product", "%(num)d producten", count),
    }


@bp.post("/mandje/<slug>")
@public
def put(slug: str) -> BaseResponse:
    """Put a product in the basket as 'Wil ik' or 'Doen we al' (or switch it).

    Without JavaScript the visitor goes back to where they tapped: `next` (the shelf with
    its filter and search) at the product's card. The shop's script asks for JSON instead
    and updates the card, the basket count and a spoken confirmation in place.
    """
    form = IntentForm()
    product = get_product(slug)
    if product is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    basket = _basket()
    try:
        basket.put(product, form.intent.data or "")
    except DomainError as error:
        if wants_json():
            answer = jsonify(message=error.message, **_count(basket))
            answer.status_code = error.status
            return answer
        flash(error.message, "basket-error")
    else:
        if form.intent.data == "want":
            message = _("%(name)s staat in je mandje als 'Wil ik'.", name=product.name)
        else:
            message = _("%(name)s staat in je mandje als 'Doen we al'.", name=product.name)
        if wants_json():
            return jsonify(
                slug=product.slug, intent=form.intent.data, message=message, **_count(basket)
            )
        flash(message, "basket")
    back = safe_next(form.next.data)
    if back is None:
        return redirect(url_for("catalog.product", slug=slug))
    return redirect(f"{back.split('#', 1)[0]}#{card_anchor(slug)}")


@bp.post("/mandje/<slug>/verwijderen")
@public
def remove(slug: str) -> BaseResponse:
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    if slug in _basket():
        _basket().remove(slug)
        product = get_product(slug, active_only=False)
        flash(
            _("%(name)s is uit je mandje gehaald.", name=product.name if product else slug),
            "success",
        )
    return redirect(safe_next(form.next.data) or url_for("basket.show"))


def _checkout_page(
    form: CheckoutForm,
    lines: list[tuple[Any, str]],
    status: int = 200,
    suggestion: Municipality | None = None,
) -> Any:
    event = active_event()
    partners = named_organisations(event.id) if event is not None else []
    return (
        render_template(
            "basket/checkout.html",
            form=form,
            lines=lines,
            municipalities=municipality_choices(),
            partners=sorted({*known_partners(), *partners}, key=str.casefold),
            roles=ROLE_SUGGESTIONS,
            cbs_credit=CBS_CREDIT,
            event=event,
            suggestion=_choice_name(suggestion) if suggestion is not None else None,
        ),
        status,
    )


def _choice_name(municipality: Municipality) -> str:
    """The name to offer for a municipality: the one it uses, unless two share it."""
    shown = municipality.display_name
    return shown if find_municipality(shown) == municipality else municipality.name


def _receipt_url(token: str) -> str:
    """Where a visitor lands after checking out: the booth tablet shows the receipt with its
    QR code and "Klaar — volgende bezoeker"; a visitor's own phone opens its own receipt
    page at once, the link to keep."""
    if kiosk_mode():
        return url_for("receipts.latest")
    return url_for("receipts.page", token=token)


def _organisation_as_meant(form: CheckoutForm) -> Municipality | None:
    """Settle "Bedoel je …?" before a typed name becomes an organisation of its own.

    Returns the municipality to suggest, or None when the name may go through: it names a
    municipality or a known partner, is far from any municipality, or the visitor answered
    the suggestion made for exactly this name (taking it replaces the name).
    """
    typed = clean_text(form.organisation.data or "")
    answered = clean_text(form.suggested_for.data or "") == typed
    chosen = form.use_organisation.data or ""
    if answered and chosen and find_municipality(chosen) is not None:
        form.organisation.data = chosen
        return None
    if answered and clean_text(form.keep_organisation.data or "") == typed:
        return None
    if (form.organisation_type.data or "gemeente") != "gemeente":
        return None  # the visitor said their organisation is not a municipality
    event = active_event()
    also_known = tuple(named_organisations(event.id)) if event is not None else ()
    return suggest_municipality(typed, also_known)


@bp.route("/afrekenen", methods=["GET", "POST"])
@public
def checkout() -> Any:
    form = CheckoutForm()
    receipt = remembered_receipt(session)
    # A second tap on "Afrekenen" after the first one went through: show that receipt.
    if (
        request.method == "POST"
        and receipt
        and form.checkout_key.data
        and form.checkout_key.data == receipt.get("key")
    ):
        return redirect(_receipt_url(str(receipt.get("token", ""))))
    lines = _basket_lines()
    if not lines:
        flash(_("Je mandje is nog leeg. Kies eerst iets uit de winkel."), "info")
        return redirect(url_for("catalog.start"))
    if request.method == "GET" or not session.get(CHECKOUT_KEY):
        session[CHECKOUT_KEY] = secrets.token_urlsafe(16)
    if request.method == "GET":
        form.checkout_key.data = session[CHECKOUT_KEY]
        return _checkout_page(form, lines)
    if not form.validate_on_submit():
        form.checkout_key.data = session[CHECKOUT_KEY]
        return _checkout_page(form, lines, 422)
    suggestion = _organisation_as_meant(form)
    if suggestion is not None:
        form.checkout_key.data = session[CHECKOUT_KEY]
        form.suggested_for.data = clean_text(form.organisation.data or "")
        return _checkout_page(form, lines, 422, suggestion)
    event = active_event()
    if event is None:
        flash(_("Er is nu geen evenement actief: afrekenen kan even niet."), "error")
        return _checkout_page(form, lines, 409)
    fields: dict[str, str] = {}
    items = parse_items([{"product": p.slug, "intent": i} for p, i in lines], fields)
    visitor = parse_visitor(form.visitor_data(), fields, prefix="")
    if fields:
        show_field_errors(form, fields)
        return _checkout_page(form, lines, 422)
    # The form's key makes a double tap (two posts at once) one checkout.
    key = "kiosk-" + (form.checkout_key.data or session[CHECKOUT_KEY])[:60]
    try:
        with committed():
            placed = place_checkout(event, CheckoutRequest(items, visitor), idempotency_key=key)
            # Products this visitor proposed before checking out show on their receipt.
            claim_proposals(session, placed.checkout)
    except DomainError as error:
        flash(error.message, "error")
        return _checkout_page(form, lines, error.status)
    _basket().clear()
    session.pop(CHECKOUT_KEY, None)
    remember_receipt(session, placed.token, placed.checkout.number, form.checkout_key.data)
    return redirect(_receipt_url(placed.token))
