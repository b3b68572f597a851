"""The basket and the checkout form."""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from ..auth.views import safe_next
from ..catalog.services import get_product, products_by_slug
from ..errors import DomainError
from ..events.services import active_event
from ..extensions import db
from ..organisations import CBS_CREDIT, municipalities, provinces
from ..proposals.services import claim_proposals
from ..security import public
from ..validation import show_field_errors
from .checkout import place_checkout
from .forms import ROLE_SUGGESTIONS, CheckoutForm, EmptyForm, IntentForm
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


@bp.post("/mandje/<slug>")
@public
def put(slug: str) -> BaseResponse:
    form = IntentForm()
    product = get_product(slug)
    if product is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    try:
        _basket().put(product, form.intent.data or "")
    except DomainError as error:
        flash(error.message, "error")
    else:
        if form.intent.data == "want":
            flash(_("%(name)s staat in je mandje als 'Wil ik'.", name=product.name), "success")
        else:
            flash(_("%(name)s staat in je mandje als 'Doen we al'.", name=product.name), "success")
    return redirect(safe_next(form.next.data) or url_for("catalog.product", slug=slug))


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


def _checkout_page(form: CheckoutForm, lines: list[tuple[Any, str]], status: int = 200) -> Any:
    return (
        render_template(
            "basket/checkout.html",
            form=form,
            lines=lines,
            municipalities=municipalities(),
            provinces=provinces(),
            roles=ROLE_SUGGESTIONS,
            cbs_credit=CBS_CREDIT,
            event=active_event(),
        ),
        status,
    )


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
        return redirect(url_for("receipts.latest"))
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
        placed = place_checkout(event, CheckoutRequest(items, visitor), idempotency_key=key)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _checkout_page(form, lines, error.status)
    # Products this visitor proposed before checking out show on their receipt.
    claim_proposals(session, placed.checkout)
    db.session.commit()
    _basket().clear()
    session.pop(CHECKOUT_KEY, None)
    remember_receipt(session, placed.token, placed.checkout.number, form.checkout_key.data)
    return redirect(url_for("receipts.latest"))
