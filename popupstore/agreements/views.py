"""The samenwerkingsbon on a visitor's receipt page (`/r/<token>/...`, public like the receipt)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..basket.models import Checkout
from ..catalog.services import product_name_map
from ..errors import DomainError
from ..receipts.views import checkout_or_404
from ..security import public
from ..transactions import committed
from ..validation import show_field_errors
from .forms import AgreementForm
from .services import AgreementLine, agreement_partners, agreements_of, record_agreement

bp = Blueprint("agreements", __name__)


@bp.app_template_global()
def receipt_agreements(checkout: Checkout) -> list[AgreementLine]:
    """The agreements shown on a receipt page (the basket blueprint renders that page)."""
    return agreements_of(checkout)


@bp.route("/r/<token>/samenwerking", methods=["GET", "POST"])
@public
def new(token: str) -> Any:
    checkout = checkout_or_404(token)
    partners = agreement_partners(checkout)
    form = AgreementForm()
    form.offer(partners, product_name_map())
    status, problem = 200, None
    if request.method == "POST":
        # The service checks every field (and names each problem); the form's own check
        # adds nothing but the CSRF token, which alone makes a request unreadable.
        if not form.validate_on_submit() and "csrf_token" in form.errors:
            abort(400)
        number, product = form.chosen()
        try:
            with committed():
                record_agreement(checkout, number, product, form.text.data)
        except DomainError as error:
            status, problem = error.status, error.message
            show_field_errors(form, error.fields)
        else:
            flash(_("Jullie afspraak staat op de bon."), "success")
            return redirect(url_for("receipts.page", token=token, _anchor="afspraken"))
    return (
        render_template(
            "agreements/new.html",
            form=form,
            checkout=checkout,
            partners=partners,
            problem=problem,
            token=token,
        ),
        status,
    )
