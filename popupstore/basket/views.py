"""Basket, checkout and receipts."""

from __future__ import annotations

import secrets
from typing import Any

from flask import (
    Blueprint,
    Response,
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

from ..api.serializers import checkout_created_json
from ..auth.views import safe_next
from ..catalog.services import get_product, product_name_map, products_by_slug
from ..errors import DomainError
from ..events.services import active_event
from ..extensions import db
from ..i18n import select_locale
from ..kiosk.services import kiosk_mode, reset_visitor
from ..organisations import CBS_CREDIT, municipalities
from ..pagecache import cached_page, visitor_variant
from ..security import count_failed_lookup, public
from ..web import base_url, polled_fragment
from .forms import ROLE_SUGGESTIONS, CheckoutForm, EmptyForm, IntentForm
from .models import Checkout
from .qr import qr_png
from .services import (
    CheckoutRequest,
    ReceiptState,
    SessionBasket,
    checkout_view,
    erase_checkout,
    find_checkout_by_token,
    parse_items,
    parse_visitor,
    place_checkout,
    receipt_state,
    request_as_json,
    request_fingerprint,
)

bp = Blueprint("basket", __name__)

RECEIPT_KEY = "receipt"
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
    receipt = session.get(RECEIPT_KEY)
    # A second tap on "Afrekenen" after the first one went through: show that receipt.
    if (
        request.method == "POST"
        and receipt
        and form.checkout_key.data
        and form.checkout_key.data == receipt.get("key")
    ):
        return redirect(url_for("basket.receipt"))
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
        for name, message in fields.items():
            field = getattr(form, name, None)
            if field is not None:
                field.errors = [*field.errors, message]
        return _checkout_page(form, lines, 422)
    checkout_request = CheckoutRequest(items=items, visitor=visitor)
    root = base_url()
    key = "kiosk-" + (form.checkout_key.data or session[CHECKOUT_KEY])[:60]
    try:
        outcome = place_checkout(
            event,
            checkout_request,
            lambda view: checkout_created_json(view, root),
            idempotency_key=key,
            fingerprint=request_fingerprint(request_as_json(checkout_request)),
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _checkout_page(form, lines, error.status)
    db.session.commit()
    _basket().clear()
    session.pop(CHECKOUT_KEY, None)
    session[RECEIPT_KEY] = {
        "token": outcome.response["token"],
        "number": outcome.response["number"],
        "key": form.checkout_key.data,
    }
    return redirect(url_for("basket.receipt"))


@bp.get("/kassabon")
@public
def receipt() -> Any:
    """The receipt right after checkout, on the device that checked out."""
    stored = session.get(RECEIPT_KEY) or {}
    token = str(stored.get("token", ""))
    checkout = find_checkout_by_token(token) if token else None
    if checkout is None:
        session.pop(RECEIPT_KEY, None)
        return redirect(url_for("catalog.start"))
    return _render_receipt("basket/receipt.html", checkout, token, form=EmptyForm())


def _render_receipt(template: str, checkout: Checkout, token: str, **extra: Any) -> str:
    return render_template(
        template,
        view=checkout_view(checkout),
        product_names=product_name_map(),
        token=token,
        receipt_url=f"{base_url()}/r/{token}",
        **extra,
    )


@bp.post("/klaar")
@public
def finish() -> BaseResponse:
    """The visitor is done: forget everything about them on this device."""
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    # On the booth tablet the next visitor starts in Dutch; on a phone the choice stays.
    reset_visitor(session, keep_language=not kiosk_mode())
    return redirect(url_for("catalog.start"))


def checkout_or_404(token: str) -> Checkout:
    """The checkout of a receipt token; a plain 404 (counted as a guess) when there is none."""
    checkout = find_checkout_by_token(token)
    if checkout is None:
        count_failed_lookup()
        abort(404)
    return checkout


def _kiosk_visitor_only(token: str) -> None:
    """On the booth tablet a receipt page shows only the receipt of the visitor at hand.

    Otherwise the next visitor could page back through the history to an earlier
    visitor's receipt; a visitor's own phone opens any receipt whose token it holds.
    """
    if kiosk_mode() and (session.get(RECEIPT_KEY) or {}).get("token") != token:
        abort(404)


def _receipt_state_or_404(token: str) -> ReceiptState:
    state = receipt_state(token)
    if state is None:
        count_failed_lookup()
        abort(404)
    return state


@bp.get("/r/<token>")
@public
def receipt_page(token: str) -> str:
    _kiosk_visitor_only(token)
    state = _receipt_state_or_404(token)

    def render() -> str:
        checkout = db.get_or_404(Checkout, state.checkout_id)
        return _render_receipt("basket/receipt_page.html", checkout, token)

    # 240 phones may open their receipt at once: render each once per change of the event.
    return cached_page(("receipt", state.event_id), state.version, visitor_variant(), render)


@bp.get("/r/<token>/partners")
@public
def receipt_partners(token: str) -> Any:
    """The live part of a receipt page, fetched by the page every few seconds."""
    state = _receipt_state_or_404(token)

    def render() -> str:
        checkout = db.get_or_404(Checkout, state.checkout_id)
        return render_template(
            "basket/_partners.html",
            view=checkout_view(checkout),
            product_names=product_name_map(),
        )

    return polled_fragment(f"{state.etag}-{select_locale()}", render)


@bp.get("/r/<token>/qr.png")
@public
def receipt_qr(token: str) -> Response:
    checkout_or_404(token)
    response = Response(qr_png(f"{base_url()}/r/{token}"), mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/r/<token>/wissen", methods=["GET", "POST"])
@public
def erase(token: str) -> Any:
    _kiosk_visitor_only(token)
    checkout = checkout_or_404(token)
    form = EmptyForm()
    if form.validate_on_submit():
        erase_checkout(checkout)
        db.session.commit()
        stored = session.get(RECEIPT_KEY)
        if stored and stored.get("token") == token:
            session.pop(RECEIPT_KEY, None)
        return redirect(url_for("basket.erased"))
    return render_template(
        "basket/erase.html", view=checkout_view(checkout), token=token, form=form
    )


@bp.get("/gewist")
@public
def erased() -> str:
    return render_template("basket/erased.html")
