"""The receipt: right after checkout on the device that checked out, and at `/r/<token>`.

Every route with a receipt token obeys the kiosk gate: on the booth tablet only the receipt
of the visitor at hand opens, so the next visitor cannot page back to an earlier one (a
visitor's own phone opens any receipt whose token it holds).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..basket.models import Checkout
from ..basket.qr import qr_png
from ..basket.session import forget_receipt, page_variant, remembered_receipt
from ..catalog.services import product_name_map
from ..db_setup import scrub_erased_data
from ..extensions import db
from ..forms import EmptyForm
from ..i18n import select_locale, today
from ..kiosk.services import kiosk_mode
from ..pagecache import kept_page
from ..privacy.erasure import erase_checkout
from ..security import count_failed_lookup, public
from ..transactions import committed
from ..web import base_url, polled_fragment, reset_visitor
from .services import (
    ReceiptState,
    checkout_view,
    find_checkout_by_token,
    receipt_partners,
    receipt_state,
)

bp = Blueprint("receipts", __name__)


@bp.before_request
def kiosk_gate() -> None:
    """On the booth tablet a token route opens only the receipt of the visitor at hand.

    Other blueprints with routes under /r/<token>/ register it too."""
    token = (request.view_args or {}).get("token")
    if token is not None and kiosk_mode() and remembered_receipt(session).get("token") != token:
        abort(404)


def checkout_or_404(token: str) -> Checkout:
    """The checkout of a receipt token; a plain 404 (counted as a guess) when there is none."""
    checkout = find_checkout_by_token(token)
    if checkout is None:
        count_failed_lookup()
        abort(404)
    return checkout


def _state_or_404(token: str) -> ReceiptState:
    state = receipt_state(token)
    if state is None:
        count_failed_lookup()
        abort(404)
    return state


def _render_receipt(
    template: str, checkout: Checkout, token: str, state: ReceiptState | None = None, **extra: Any
) -> str:
    view = (
        checkout_view(checkout) if state is None else checkout_view(checkout, series=state.series)
    )
    return render_template(
        template,
        view=view,
        partners=receipt_partners(view),
        product_names=product_name_map(),
        token=token,
        receipt_url=f"{base_url()}/r/{token}",
        **extra,
    )


@bp.get("/kassabon")
@public
def latest() -> Any:
    """The receipt right after checkout, on the device that checked out."""
    token = str(remembered_receipt(session).get("token", ""))
    checkout = find_checkout_by_token(token) if token else None
    if checkout is None:
        forget_receipt(session)
        return redirect(url_for("catalog.start"))
    if not kiosk_mode():
        # A visitor's own phone keeps its own receipt page, the link to take home.
        return redirect(url_for("receipts.page", token=token))
    return _render_receipt("receipts/receipt.html", checkout, token, form=EmptyForm())


@bp.post("/klaar")
@public
def finish() -> BaseResponse:
    """The visitor is done: forget everything about them on this device."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    # On the booth tablet the next visitor starts in Dutch; on a phone the choice stays.
    reset_visitor(session, keep_language=not kiosk_mode())
    return redirect(url_for("catalog.start"))


@bp.get("/r/<token>")
@public
def page(token: str) -> str:
    state = _state_or_404(token)

    def render() -> str:
        checkout = db.get_or_404(Checkout, state.checkout_id)
        return _render_receipt("receipts/receipt_page.html", checkout, token, state)

    # 240 phones may open their receipt at once: render each once per change of the event.
    # The day is part of the key: from the day after the event the page offers the
    # evaluation (templates/followup/_receipt_link.html).
    key = ("receipt", state.checkout_id, today().isoformat(), *page_variant())
    return kept_page(key, state.versions, render)


@bp.get("/r/<token>/partners")
@public
def partners(token: str) -> Any:
    """The live part of a receipt page, fetched by the page every few seconds."""
    state = _state_or_404(token)

    def render() -> str:
        checkout = db.get_or_404(Checkout, state.checkout_id)
        view = checkout_view(checkout, series=state.series)
        return render_template(
            "receipts/_partners.html",
            view=view,
            partners=receipt_partners(view),
            product_names=product_name_map(),
        )

    return polled_fragment(f"{state.etag}-{select_locale()}", render)


@bp.get("/r/<token>/qr.png")
@public
def qr(token: str) -> Response:
    checkout_or_404(token)
    response = Response(qr_png(f"{base_url()}/r/{token}"), mimetype="image/png")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/r/<token>/wissen", methods=["GET", "POST"])
@public
def erase(token: str) -> Any:
    checkout = checkout_or_404(token)
    form = EmptyForm()
    if form.validate_on_submit():
        with committed():
            erase_checkout(checkout)
        scrub_erased_data()
        forget_receipt(session, token)
        return redirect(url_for("receipts.erased"))
    return render_template(
        "receipts/erase.html", view=checkout_view(checkout), token=token, form=form
    )


@bp.get("/gewist")
@public
def erased() -> str:
    return render_template("receipts/erased.html")
