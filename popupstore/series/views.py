"""The series pages: the organiser groups events into a series; organiser and facilitator
see what the series adds up to."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from ..auth.roles import ORGANISER, STAFF
from ..auth.views import role_required
from ..catalog.services import product_name_map
from ..errors import DomainError, ValidationError
from ..events.models import Event
from ..events.services import get_event, list_events
from ..transactions import committed
from ..validation import show_field_errors
from .forms import AddEventForm, SeriesForm
from .services import (
    SeriesInfo,
    SeriesStatistics,
    add_event_to_series,
    create_series,
    get_series,
    list_series,
    remove_event_from_series,
    series_info,
    series_of_event,
    series_statistics,
)

bp = Blueprint("series", __name__)


@bp.app_template_global()
def event_series(event: Event) -> SeriesInfo | None:
    """The series an event is in, for pages about the event."""
    return series_of_event(event.id)


@bp.app_template_global()
def series_totals(event: Event) -> SeriesStatistics | None:
    """What the event's series adds up to (None for an event in no series): the wall."""
    info = series_of_event(event.id)
    return series_statistics(info) if info is not None else None


# --- organiser --------------------------------------------------------------------------------


def _list_page(form: SeriesForm, status: int = 200) -> tuple[str, int]:
    return render_template("series/list.html", form=form, series=list_series()), status


@bp.route("/organisator/reeksen", methods=["GET", "POST"])
@role_required(ORGANISER)
def index() -> Any:
    form = SeriesForm()
    if not form.is_submitted():
        return _list_page(form)
    if not form.validate_on_submit():
        return _list_page(form, 400)
    try:
        with committed():
            series = create_series(form.slug.data or "", name=form.name.data or "")
    except DomainError as error:
        unplaced = show_field_errors(form, error.fields)
        flash(" ".join([error.message, *unplaced]), "error")
        return _list_page(form, error.status)
    flash(_("Reeks '%(name)s' is aangemaakt.", name=series.name), "success")
    return redirect(url_for("series.organiser_view", slug=series.slug))


def _choices(info: SeriesInfo) -> list[tuple[str, str]]:
    inside = {day.slug for day in info.days}
    return [("", _("— kies een evenement —"))] + [
        (event.slug, f"{event.name} ({event.date.isoformat()})")
        for event in list_events()
        if event.slug not in inside
    ]


def _series_page(slug: str, form: AddEventForm | None = None, status: int = 200) -> Any:
    info = series_info(get_series(slug))
    form = form or AddEventForm(formdata=None)
    form.event.choices = _choices(info)
    return (
        render_template(
            "series/organiser.html",
            info=info,
            stats=series_statistics(info),
            form=form,
            product_names=product_name_map(),
        ),
        status,
    )


@bp.get("/organisator/reeksen/<slug>")
@role_required(ORGANISER)
def organiser_view(slug: str) -> Any:
    return _series_page(slug)


@bp.post("/organisator/reeksen/<slug>/evenementen")
@role_required(ORGANISER)
def add_event(slug: str) -> Any:
    series = get_series(slug)
    form = AddEventForm()
    if not form.validate_on_submit():
        return _series_page(slug, form, 400)
    try:
        with committed():
            if not form.event.data:
                raise ValidationError(_("Kies een evenement."), {"event": _("Kies een evenement.")})
            event = get_event(form.event.data)
            add_event_to_series(series, event)
    except DomainError as error:
        unplaced = show_field_errors(form, error.fields)
        flash(" ".join([error.message, *unplaced]), "error")
        return _series_page(slug, form, error.status)
    flash(_("'%(event)s' hoort nu bij deze reeks.", event=event.name), "success")
    return redirect(url_for("series.organiser_view", slug=slug))


@bp.post("/organisator/reeksen/<slug>/evenementen/<event_slug>/uit")
@role_required(ORGANISER)
def remove_event(slug: str, event_slug: str) -> BaseResponse:
    # CSRFProtect has already checked the token of every POST.
    series = get_series(slug)
    event = get_event(event_slug)
    with committed():
        remove_event_from_series(series, event)
    flash(_("'%(event)s' hoort niet meer bij deze reeks.", event=event.name), "success")
    return redirect(url_for("series.organiser_view", slug=slug))


# --- facilitator -----------------------------------------------------------------------------


@bp.get("/facilitator/reeks/<slug>")
@role_required(*STAFF)
def facilitator_view(slug: str) -> str:
    info = series_info(get_series(slug))
    return render_template(
        "series/facilitator.html",
        info=info,
        stats=series_statistics(info),
        product_names=product_name_map(),
        event=None,
        events=list_events(),
    )
