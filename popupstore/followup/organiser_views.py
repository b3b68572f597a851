"""The organiser's pages of the follow-up, under /organisator: per event the mail after the
day (date, text, preview, who gets it, failures, a send button), and the outcome report
per event and over all events, with its anonymous export."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from ..auth.roles import ORGANISER
from ..auth.views import role_required
from ..basket.forms import EmptyForm
from ..errors import DomainError
from ..events.models import Event
from ..events.services import get_event, list_events
from ..extensions import db
from ..organiser.exports import FORMATS, export_response, parse_format
from ..web import base_url
from .compose import follow_up_content
from .exports import outcome_exporters
from .forms import FollowUpForm
from .outbox import SendReport, mail_overview, send_due_mail
from .outcome import OutcomeCharts, OutcomeReport, outcome_charts, outcome_report
from .services import follow_up_plan, save_follow_up
from .settings import mail_server, sender_address

bp = Blueprint("followup_organiser", __name__)

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


@bp.route("/evenementen/<slug>/mail", methods=["GET", "POST"])
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
            save_follow_up(
                event, send_on=form.send_on.data, text=form.text.data, by=current_user.username
            )
        except DomainError as error:
            db.session.rollback()
            for name, message in error.fields.items():
                form[name].errors = [*form[name].errors, message]
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("De vervolgmail is opgeslagen."), "success")
            return redirect(url_for("followup_organiser.mail", slug=slug))
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


@bp.post("/evenementen/<slug>/mail/versturen")
@role_required(ORGANISER)
def send_now(slug: str) -> BaseResponse:
    """The button next to `popupstore send-mail`: send what is due now, of every event."""
    get_event(slug)
    report = send_due_mail(limit=BUTTON_LIMIT)
    flash(*_send_message(report))
    return redirect(url_for("followup_organiser.mail", slug=slug))


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
    )


@bp.get("/evenementen/<slug>/uitkomst")
@role_required(ORGANISER)
def event_outcome(slug: str) -> str:
    return _outcome_page([get_event(slug)], "followup/outcome.html", slug)


@bp.get("/uitkomst")
@role_required(ORGANISER)
def outcome() -> str:
    return _outcome_page(list_events(), "followup/outcome.html", None)


@bp.get("/exports/uitkomst")
@role_required(ORGANISER)
def export_outcome() -> Response:
    slug = request.args.get("event", ALL_EVENTS, type=str)
    if slug == ALL_EVENTS:
        events, scope = list_events(), "alle-evenementen"
    else:
        found = get_event(slug)
        events, scope = [found], found.slug
    fmt = parse_format(request.args.get("format"))
    return export_response(fmt, outcome_exporters(events), scope)
