"""The pages of the mail after the day: the visitor's evaluation and unsubscribe, and the
organiser's mail page and outcome report (under /organisator).

Two doors lead to one evaluation: the visitor's receipt (`/r/<token>/evaluatie`, which
obeys the kiosk gate like every receipt route) and the signed link in the follow-up mail
(`/evaluatie/<signed>`). Both are public and open only while the checkout still holds its
personal data. A wrong token or signature is a plain 404, counted as a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from ..auth.roles import ORGANISER
from ..auth.views import role_required
from ..basket.models import Checkout
from ..errors import DomainError
from ..events.models import Event
from ..events.services import get_event, list_events
from ..extensions import csrf, db
from ..forms import EmptyForm
from ..organiser.exports import FORMATS, export_response, parse_format
from ..organiser.stats import reported_events
from ..proposals.services import proposals_from_answers, propose_from_text
from ..receipts.views import checkout_or_404, kiosk_gate
from ..security import count_failed_lookup, public
from ..transactions import committed
from ..web import base_url
from .compose import follow_up_content
from .evaluation import evaluation_open, evaluation_state, find_missed_text, save_evaluation
from .exports import outcome_exporters
from .forms import EvaluationForm, FollowUpForm
from .links import (
    EVALUATION_PATH,
    RECEIPT_EVALUATION_PATH,
    UNSUBSCRIBE_PATH,
    checkout_of_evaluation_token,
    checkout_of_unsubscribe_token,
    receipt_evaluation_path,
)
from .models import CONTACT_ANSWERS, PRODUCT_STATUSES, RATINGS
from .outbox import SendReport, mail_overview, send_due_mail, unsubscribe
from .outcome import (
    OutcomeCharts,
    OutcomeReport,
    contact_label,
    outcome_charts,
    outcome_report,
    status_label,
)
from .services import follow_up_plan, save_follow_up
from .settings import mail_server, sender_address

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
            with committed():
                save_evaluation(checkout, **answers_from(request.form))
        except DomainError as error:
            errors, status = error.fields, error.status
        else:
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
            with committed():
                unsubscribe(checkout_id)
        return render_template("followup/unsubscribed.html")
    return render_template(
        "followup/unsubscribe.html",
        action=url_for("followup.unsubscribe_page", signed=signed),
        field=ONE_CLICK_FIELD,
        value=ONE_CLICK_VALUE,
    )


# --- the organiser's pages ---------------------------------------------------------------

ALL_EVENTS = "alle"
# The button sends at most this many mails per press (the command has no limit), so the
# request stays well within the server's time-out; the rest waits for the next press or run.
BUTTON_LIMIT = 100
PREVIEW_NAME = "Anna"


@bp.app_template_global()
def follow_up_outcome(events: Sequence[Event]) -> tuple[OutcomeReport, OutcomeCharts]:
    """The outcome report of these events and its charts (for the A4 print view)."""
    report = outcome_report(events)
    return report, outcome_charts(report.total, report.products)


@bp.app_template_global()
def follow_up_mail_summary(event: Event) -> dict[str, Any]:
    """What the event page says about the mail after the day."""
    return {
        "overview": mail_overview(event),
        "plan": follow_up_plan(event),
        "mail_on": mail_server() is not None,
    }


def _languages() -> list[tuple[str, str]]:
    return [("nl", "Nederlands"), ("en", "English")]


@bp.route("/organisator/evenementen/<slug>/mail", methods=["GET", "POST"])
@role_required(ORGANISER)
def mail(slug: str) -> Any:
    event = get_event(slug)
    plan = follow_up_plan(event)
    form = FollowUpForm(
        data={"send_on": plan.send_on if plan.chosen_date else None, "text": plan.text}
    )
    status = 200
    if form.validate_on_submit():
        try:
            with committed():
                save_follow_up(
                    event, send_on=form.send_on.data, text=form.text.data, by=current_user.username
                )
        except DomainError as error:
            for name, message in error.fields.items():
                form[name].errors = [*form[name].errors, message]
            flash(error.message, "error")
        else:
            flash(_("De vervolgmail is opgeslagen."), "success")
            return redirect(url_for("followup.mail", slug=slug))
    if form.errors:
        status = 422
    language = request.args.get("taal", "nl")
    if language not in dict(_languages()):
        language = "nl"
    store = base_url()
    preview = follow_up_content(
        locale=language,
        name=PREVIEW_NAME,
        event=event,
        evaluation_url=f"{store}/evaluatie/…",
        unsubscribe_url=f"{store}/mail/afmelden/…",
        privacy_url=f"{store}/privacy",
        text=plan.text,
    )
    server = mail_server()
    return (
        render_template(
            "followup/mail_settings.html",
            event=event,
            plan=plan,
            form=form,
            overview=mail_overview(event),
            server=server,
            sender=sender_address(),
            preview=preview,
            preview_language=language,
            languages=_languages(),
            send_form=EmptyForm(),
        ),
        status,
    )


@bp.post("/organisator/evenementen/<slug>/mail/versturen")
@role_required(ORGANISER)
def send_now(slug: str) -> BaseResponse:
    """The button next to `popupstore send-mail`: send what is due now, of every event."""
    get_event(slug)
    report = send_due_mail(limit=BUTTON_LIMIT)
    flash(*_send_message(report))
    return redirect(url_for("followup.mail", slug=slug))


def _send_message(report: SendReport) -> tuple[str, str]:
    if report.mail_off:
        return _("Mail staat uit: er is niets verstuurd."), "error"
    parts = [
        ngettext("%(num)d mail verstuurd", "%(num)d mails verstuurd", report.sent),
        ngettext("%(num)d mislukt", "%(num)d mislukt", len(report.failed)),
    ]
    if report.retry_later:
        parts.append(ngettext("%(num)d later opnieuw", "%(num)d later opnieuw", report.retry_later))
    if report.waiting:
        parts.append(ngettext("%(num)d wacht nog", "%(num)d wachten nog", report.waiting))
    message = ", ".join(parts) + "."
    if report.unreachable:
        message += " " + _(
            "De mailserver was niet bereikbaar (%(reason)s).", reason=report.unreachable
        )
        return message, "error"
    return message, "error" if report.failed else "success"


# --- the outcome report ---------------------------------------------------------------------


def _outcome_page(events: list[Event], template: str, scope: str | None) -> str:
    report = outcome_report(events)
    return render_template(
        template,
        events=events,
        report=report,
        charts=outcome_charts(report.total, report.products),
        event_names={e.id: e.name for e in events},
        scope=scope or ALL_EVENTS,
        formats=FORMATS.values(),
        # On screen (not in print), each "Wat miste je?" answer can become a proposal.
        proposed=proposals_from_answers(m.checkout_id for m in report.missed),
        propose_form=EmptyForm(),
    )


@bp.post("/organisator/uitkomst/gemist/<int:evaluation_id>/voorstel")
@role_required(ORGANISER)
def propose_missed(evaluation_id: int) -> BaseResponse:
    """Turn one visitor's "Wat miste je in de winkel?" into a pending product proposal."""
    # CSRFProtect has already checked the token of every POST.
    missed = find_missed_text(evaluation_id)
    if missed is None:
        abort(404)
    event = db.get_or_404(Event, missed.event_id)
    try:
        with committed():
            proposal = propose_from_text(event, missed.text, checkout_id=missed.checkout_id)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(
            url_for("followup.event_outcome", slug=event.slug, _anchor="outcome-missed")
        )
    flash(_("Van het antwoord is een voorstel gemaakt: maak het af en beslis erover."), "success")
    return redirect(url_for("proposals.review", proposal_id=proposal.id))


@bp.get("/organisator/evenementen/<slug>/uitkomst")
@role_required(ORGANISER)
def event_outcome(slug: str) -> str:
    return _outcome_page([get_event(slug)], "followup/outcome.html", slug)


@bp.get("/organisator/uitkomst")
@role_required(ORGANISER)
def outcome() -> str:
    # Demo events hold simulated visitors: what came of "all events" leaves them out.
    return _outcome_page(reported_events(list_events()), "followup/outcome.html", None)


@bp.get("/organisator/exports/uitkomst")
@role_required(ORGANISER)
def export_outcome() -> Response:
    slug = request.args.get("event", ALL_EVENTS, type=str)
    if slug == ALL_EVENTS:
        events, scope = reported_events(list_events()), "alle-evenementen"
    else:
        found = get_event(slug)
        events, scope = [found], found.slug
    fmt = parse_format(request.args.get("format"))
    return export_response(fmt, outcome_exporters(events), scope)
