"""The visitor's pages after the day: the evaluation, and unsubscribing from the mails.

Two doors lead to one evaluation: the visitor's receipt (`/r/<token>/evaluatie`, which
obeys the kiosk gate like every receipt route) and the signed link in the follow-up mail
(`/evaluatie/<signed>`). Both are public and open only while the checkout still holds its
personal data. A wrong token or signature is a plain 404, counted as a guess.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..basket.models import Checkout
from ..errors import DomainError
from ..extensions import csrf, db
from ..receipts.views import checkout_or_404, kiosk_gate
from ..security import count_failed_lookup, public
from .evaluation import evaluation_open, evaluation_state, save_evaluation
from .forms import EvaluationForm
from .links import (
    EVALUATION_PATH,
    RECEIPT_EVALUATION_PATH,
    UNSUBSCRIBE_PATH,
    checkout_of_evaluation_token,
    checkout_of_unsubscribe_token,
    receipt_evaluation_path,
)
from .models import CONTACT_ANSWERS, PRODUCT_STATUSES, RATINGS
from .outbox import unsubscribe
from .outcome import contact_label, status_label

bp = Blueprint("followup", __name__)
bp.before_request(kiosk_gate)

ONE_CLICK_FIELD = "List-Unsubscribe"
ONE_CLICK_VALUE = "One-Click"


@bp.app_template_global()
def evaluation_link(checkout: Checkout, token: str) -> str | None:
    """The receipt page's link to the evaluation, from the day after the event on."""
    return receipt_evaluation_path(token) if evaluation_open(checkout.event) else None


def _open_checkout(checkout_id: int | None) -> Checkout | None:
    """The checkout a signed link names, while it exists with its personal data and is
    not hidden."""
    checkout = db.session.get(Checkout, checkout_id) if checkout_id is not None else None
    if checkout is None or checkout.token_hash is None or checkout.hidden_at is not None:
        return None
    return checkout


def answers_from(form: MultiDict[str, str]) -> dict[str, Any]:
    """The evaluation's answers as the page posts them (`contact-<number>`,
    `product-<slug>`, `rating`, `missed`); a question left open is not in the result."""
    contacts: dict[int, str] = {}
    products: dict[str, str] = {}
    for name, value in form.items():
        kind, _dash, subject = name.partition("-")
        if kind == "contact" and subject.isdigit() and len(subject) < 10:
            contacts[int(subject)] = value
        elif kind == "product" and subject:
            products[subject] = value
    return {
        "contacts": contacts,
        "products": products,
        "rating": form.get("rating"),
        "missed": form.get("missed"),
    }


def _evaluation_page(checkout: Checkout, action: str) -> Any:
    form = EvaluationForm()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            save_evaluation(checkout, **answers_from(request.form))
        except DomainError as error:
            db.session.rollback()
            errors, status = error.fields, error.status
        else:
            db.session.commit()
            flash(_("Dank je wel! Je antwoorden zijn opgeslagen."), "success")
            return redirect(action)
    return (
        render_template(
            "followup/evaluation.html",
            state=evaluation_state(checkout),
            form=form,
            action=action,
            errors=errors,
            posted=request.form if errors else None,
            contact_answers=[(a, contact_label(a)) for a in CONTACT_ANSWERS],
            product_statuses=[(s, status_label(s)) for s in PRODUCT_STATUSES],
            rating_options=[(str(r), str(r)) for r in RATINGS],
        ),
        status,
    )


@bp.route(RECEIPT_EVALUATION_PATH, methods=["GET", "POST"])
@public
def receipt_evaluation(token: str) -> Any:
    checkout = checkout_or_404(token)
    return _evaluation_page(checkout, url_for("followup.receipt_evaluation", token=token))


@bp.route(EVALUATION_PATH, methods=["GET", "POST"])
@public
def evaluation(signed: str) -> Any:
    checkout = _open_checkout(checkout_of_evaluation_token(signed))
    if checkout is None:
        count_failed_lookup()
        abort(404)
    return _evaluation_page(checkout, url_for("followup.evaluation", signed=signed))


@bp.route(UNSUBSCRIBE_PATH, methods=["GET", "POST"])
@public
@csrf.exempt
def unsubscribe_page(signed: str) -> Any:
    """The unsubscribe link of every mail (RFC 8058): a GET asks, a POST with
    `List-Unsubscribe=One-Click` unsubscribes at once.

    The POST needs no CSRF token: mail programs send it on their own, and the signed link
    alone is what allows it (whoever holds it could post it anyway).
    """
    checkout_id = checkout_of_unsubscribe_token(signed)
    if checkout_id is None:
        count_failed_lookup()
        abort(404)
    if request.method == "POST":
        if request.form.get(ONE_CLICK_FIELD) != ONE_CLICK_VALUE:
            abort(400)
        # An erased or purged visitor has no address left: they get no mail either way.
        if db.session.get(Checkout, checkout_id) is not None:
            unsubscribe(checkout_id)
            db.session.commit()
        return render_template("followup/unsubscribed.html")
    return render_template(
        "followup/unsubscribe.html",
        action=url_for("followup.unsubscribe_page", signed=signed),
        field=ONE_CLICK_FIELD,
        value=ONE_CLICK_VALUE,
    )
