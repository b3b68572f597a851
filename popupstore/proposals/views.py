"""Proposing a product (kiosk, phone, receipt page) and the organiser's review queue."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from ..auth.roles import ORGANISER
from ..auth.views import role_required
from ..basket.models import Checkout
from ..basket.session import remembered_receipt
from ..catalog.models import Product
from ..catalog.services import get_product, themes
from ..errors import DomainError
from ..events.models import Event
from ..events.services import active_event
from ..receipts.services import find_checkout_by_token
from ..receipts.views import checkout_or_404, kiosk_gate
from ..security import public
from ..transactions import committed
from ..validation import show_field_errors
from .forms import ApproveForm, DeclineForm, MergeForm, ProposalForm
from .models import Proposal
from .services import (
    Credit,
    ProposalTally,
    approve_proposal,
    decline_proposal,
    edit_proposal,
    get_proposal,
    merge_proposal,
    merge_targets,
    pending_count,
    product_credit,
    proposal_queue,
    proposal_tallies,
    proposals_of,
    remember_proposal,
    submit_proposal,
    suggested_slug,
)

bp = Blueprint("proposals", __name__)
bp.before_request(kiosk_gate)


@bp.app_template_global()
def receipt_proposals(checkout: Checkout) -> list[Proposal]:
    """The proposals shown on a visitor's own receipt page."""
    return proposals_of(checkout)


@bp.app_template_global()
def credit_of(product: Product) -> Credit | None:
    """'Aangedragen door … tijdens …' of a product that came from a proposal."""
    return product_credit(product)


@bp.app_template_global()
def proposal_tallies_of(events: Iterable[Event]) -> list[ProposalTally]:
    """Proposals per event and their outcome, for the organiser's statistics."""
    return proposal_tallies(events)


@bp.app_template_global()
def pending_proposals() -> int:
    """How many proposals wait for the organiser (shown in the organiser's menu)."""
    return pending_count()


# --- the visitor ------------------------------------------------------------------------------


def _device_checkout() -> Checkout | None:
    """The checkout this device made last (kiosk or phone), until "Klaar"."""
    token = str(remembered_receipt(session).get("token", ""))
    return find_checkout_by_token(token) if token else None


def _proposal_page(
    form: ProposalForm,
    event: Event | None,
    checkout: Checkout | None,
    *,
    token: str | None = None,
    problem: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return (
        render_template(
            "proposals/new.html",
            form=form,
            event=event,
            checkout=checkout,
            token=token,
            problem=problem,
        ),
        status,
    )


def _propose(event: Event | None, checkout: Checkout | None, token: str | None) -> Any:
    form = ProposalForm()
    if not form.is_submitted() and checkout is not None:
        form.organisation.data = checkout.organisation_name
    if not form.is_submitted():
        return _proposal_page(form, event, checkout, token=token)
    if not form.validate_on_submit():
        abort(400)  # only the CSRF token can fail here: the service checks the fields
    if event is None:
        return _proposal_page(
            form,
            event,
            checkout,
            token=token,
            problem=_("Er is nu geen evenement actief: voorstellen kan even niet."),
            status=409,
        )
    try:
        with committed():
            proposal = submit_proposal(event, form.proposal_data(), checkout=checkout)
    except DomainError as error:
        show_field_errors(form, error.fields)
        return _proposal_page(
            form, event, checkout, token=token, problem=error.message, status=error.status
        )
    if checkout is None:
        remember_proposal(session, proposal)
    flash(
        _("Dank je! De organisatie bekijkt je voorstel '%(name)s'.", name=proposal.name), "success"
    )
    if token is not None:
        return redirect(url_for("receipts.page", token=token, _anchor="voorstellen"))
    if checkout is not None:
        return redirect(url_for("receipts.latest", _anchor="voorstellen"))
    return redirect(url_for("proposals.thanks"))


@bp.route("/voorstellen", methods=["GET", "POST"])
@public
def new() -> Any:
    """Propose from the shop floor: linked to this device's checkout, or to the one it
    makes next."""
    checkout = _device_checkout()
    event = checkout.event if checkout is not None else active_event()
    return _propose(event, checkout, None)


@bp.route("/r/<token>/voorstellen", methods=["GET", "POST"])
@public
def new_for_receipt(token: str) -> Any:
    """Propose from a receipt page (e.g. on one's own phone): it shows on that receipt."""
    checkout = checkout_or_404(token)
    return _propose(checkout.event, checkout, token)


@bp.get("/voorstellen/bedankt")
@public
def thanks() -> str:
    return render_template("proposals/thanks.html")


# --- the organiser ----------------------------------------------------------------------------


@bp.get("/organisator/voorstellen")
@role_required(ORGANISER)
def queue() -> str:
    return render_template("proposals/queue.html", queue=proposal_queue())


def _review_page(
    proposal: Proposal,
    *,
    edit: ProposalForm | None = None,
    approve: ApproveForm | None = None,
    merge: MergeForm | None = None,
    decline: DeclineForm | None = None,
    problem: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    if approve is None:
        approve = ApproveForm(formdata=None, slug=suggested_slug(proposal))
    if merge is None:
        merge = MergeForm(formdata=None)
    merge.product.choices = [("", _("— kies een product —"))] + [
        (product.slug, product.name) for product in merge_targets()
    ]
    return (
        render_template(
            "proposals/review.html",
            proposal=proposal,
            edit=edit or ProposalForm.for_proposal(proposal),
            approve=approve,
            merge=merge,
            decline=decline or DeclineForm(formdata=None),
            themes=themes(),
            problem=problem,
        ),
        status,
    )


@bp.route("/organisator/voorstellen/<int:proposal_id>", methods=["GET", "POST"])
@role_required(ORGANISER)
def review(proposal_id: int) -> Any:
    """A proposal with its four actions; a POST here saves the edited texts."""
    proposal = get_proposal(proposal_id)
    form = ProposalForm()
    if not form.is_submitted():
        return _review_page(proposal)
    if not form.validate_on_submit():
        abort(400)
    try:
        with committed():
            edit_proposal(proposal, form.proposal_data())
    except DomainError as error:
        show_field_errors(form, error.fields)
        return _review_page(
            get_proposal(proposal_id), edit=form, problem=error.message, status=error.status
        )
    flash(_("Het voorstel is bijgewerkt."), "success")
    return redirect(url_for("proposals.review", proposal_id=proposal_id))


def _decide(proposal_id: int, form: Any, decide: Any, done: Any, **page: Any) -> Any:
    proposal = get_proposal(proposal_id)
    if not form.validate_on_submit():
        abort(400)
    try:
        with committed():
            message = done(decide(proposal))
    except DomainError as error:
        show_field_errors(form, error.fields)
        return _review_page(
            get_proposal(proposal_id), problem=error.message, status=error.status, **page
        )
    flash(message, "success")
    return redirect(url_for("proposals.queue"))


def _staff_name() -> str:
    return str(current_user.username)


@bp.post("/organisator/voorstellen/<int:proposal_id>/opnemen")
@role_required(ORGANISER)
def approve(proposal_id: int) -> BaseResponse:
    form = ApproveForm()
    return _decide(
        proposal_id,
        form,
        lambda proposal: approve_proposal(
            proposal, slug=form.slug.data or "", theme=form.theme.data or "", by=_staff_name()
        ),
        lambda product: _("'%(name)s' ligt nu in de winkel.", name=product.name),
        approve=form,
    )


@bp.post("/organisator/voorstellen/<int:proposal_id>/samenvoegen")
@role_required(ORGANISER)
def merge(proposal_id: int) -> BaseResponse:
    form = MergeForm()

    def merge_into(proposal: Proposal) -> Product:
        product = get_product(form.product.data or "", active_only=False)
        if product is None:
            raise DomainError(
                _("Kies het product om mee samen te voegen."),
                {"product": _("Kies een product dat in de winkel ligt.")},
            )
        return merge_proposal(proposal, product, by=_staff_name())

    return _decide(
        proposal_id,
        form,
        merge_into,
        lambda product: _("Samengevoegd met '%(name)s'.", name=product.name),
        merge=form,
    )


@bp.post("/organisator/voorstellen/<int:proposal_id>/afwijzen")
@role_required(ORGANISER)
def decline(proposal_id: int) -> BaseResponse:
    form = DeclineForm()
    return _decide(
        proposal_id,
        form,
        lambda proposal: decline_proposal(proposal, form.reason.data, by=_staff_name()),
        lambda proposal: _("Het voorstel '%(name)s' is afgewezen.", name=proposal.name),
        decline=form,
    )
