"""The public privacy page and the organiser's privacy pages under /organisator/privacy."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth.roles import ORGANISER
from ..auth.views import role_required
from ..db_setup import scrub_erased_data
from ..errors import DomainError
from ..events.services import get_event
from ..security import public
from ..transactions import committed
from ..validation import show_field_errors
from .erasure import purge_personal_data
from .forms import NoticeForm, PurgeForm, RetentionForm
from .services import (
    event_privacy_overview,
    privacy_notice,
    set_retention,
    today,
    update_privacy_notice,
)

bp = Blueprint("privacy", __name__)


def _organiser_home() -> str:
    if "organiser.index" in current_app.view_functions:
        return url_for("organiser.index")
    return url_for("facilitator.index")


@bp.get("/privacy")
@public
def notice() -> str:
    # The event visitors check out for now, and every event whose data are still kept.
    pending = [e for e in event_privacy_overview() if e.pending or e.event.is_active]
    return render_template(
        "privacy/notice.html", notice=privacy_notice(), pending=pending, today=today()
    )


@bp.get("/organisator/privacy")
@role_required(ORGANISER)
def overview() -> str:
    return render_template(
        "privacy/overview.html",
        events=event_privacy_overview(),
        notice=privacy_notice(),
        home=_organiser_home(),
        today=today(),
    )


@bp.route("/organisator/privacy/tekst", methods=["GET", "POST"])
@role_required(ORGANISER)
def edit_notice() -> Any:
    form = NoticeForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                with committed():
                    update_privacy_notice(
                        controller=form.controller.data or "",
                        purpose=form.purpose.data or "",
                        retention=form.retention.data or "",
                        rights=form.rights.data or "",
                        by=current_user.username,
                    )
            except DomainError as error:
                show_field_errors(form, error.fields)
            else:
                flash(_("De privacytekst is opgeslagen."), "success")
                return redirect(url_for("privacy.overview"))
        status = 422
    else:
        current = privacy_notice()
        form.controller.data = current.controller
        form.purpose.data = current.purpose
        form.retention.data = current.retention
        form.rights.data = current.rights
    return render_template("privacy/edit.html", form=form), status


def _event_page(event: Any, form: RetentionForm, status: int = 200) -> tuple[str, int]:
    found = next(e for e in event_privacy_overview() if e.event.id == event.id)
    return (
        render_template("privacy/event.html", item=found, form=form, today=today()),
        status,
    )


@bp.route("/organisator/privacy/evenement/<slug>", methods=["GET", "POST"])
@role_required(ORGANISER)
def event(slug: str) -> Any:
    found = get_event(slug)
    form = RetentionForm()
    if not form.is_submitted():
        form.retention_until.data = found.retention_date
        return _event_page(found, form)
    if form.validate():
        try:
            with committed():
                set_retention(found, form.retention_until.data)
        except DomainError as error:
            show_field_errors(form, error.fields)
        else:
            flash(
                _(
                    "Persoonsgegevens van %(name)s worden bewaard tot en met %(date)s.",
                    name=found.name,
                    date=found.retention_date.isoformat(),
                ),
                "success",
            )
            return redirect(url_for("privacy.event", slug=found.slug))
    return _event_page(found, form, 422)


@bp.route("/organisator/privacy/evenement/<slug>/wissen", methods=["GET", "POST"])
@role_required(ORGANISER)
def purge(slug: str) -> Response | tuple[str, int]:
    found = get_event(slug)
    form = PurgeForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            with committed():
                result = purge_personal_data(found)
            scrub_erased_data()
            flash(
                _(
                    "Persoonsgegevens van %(name)s gewist: %(n)d bonnen zijn nu anoniem.",
                    name=found.name,
                    n=result.checkouts,
                ),
                "success",
            )
            return redirect(url_for("privacy.event", slug=found.slug))
        status = 422
    item = next(e for e in event_privacy_overview() if e.event.id == found.id)
    return render_template("privacy/purge.html", item=item, form=form), status
