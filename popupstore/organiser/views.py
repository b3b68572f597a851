"""The organiser's pages under /organisator: events, catalog, statistics, exports, print."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from ..auth.roles import ORGANISER
from ..auth.views import role_required
from ..catalog.services import (
    ProductFileError,
    active_products,
    add_product,
    all_products,
    edit_product,
    get_product,
    parse_product_file,
    product_file_text,
    product_name_map,
    set_product_active,
    shelf_names,
    upsert_products,
)
from ..errors import DomainError, NotFoundError
from ..events.models import Event
from ..events.services import (
    activate_event,
    active_event,
    create_event,
    get_event,
    list_events,
    update_event,
)
from ..transactions import committed
from ..validation import show_field_errors
from ..web import base_url
from .exports import (
    FORMATS,
    ContactListExporter,
    export_response,
    parse_format,
    report_exporters,
)
from .forms import EventForm, ProductFileForm, ProductForm
from .printing import poster_pdf, poster_png, shelf_labels_pdf
from .report import comparison_chart, report_charts
from .stats import (
    compare_events,
    event_baskets,
    report_figures,
    reported_events,
    statistics,
)

bp = Blueprint("organiser", __name__)

ALL_EVENTS = "alle"


def _show_errors(form: FlaskForm, error: DomainError) -> None:
    """Tie a service's field errors to the form's fields; the rest becomes a message."""
    unplaced = show_field_errors(form, error.fields)
    flash(" ".join([error.message, *unplaced]), "error")


def _form_page(
    form: FlaskForm,
    save: Callable[[], Any],
    saved: Callable[[Any], tuple[str, str]],
    template: str,
    **context: Any,
) -> Any:
    """Show `form`; on a valid POST run `save`, commit once and go where `saved` says.

    A domain error rolls everything back and is shown at its fields (422).
    """
    if form.validate_on_submit():
        try:
            with committed():
                result = save()
        except DomainError as error:
            _show_errors(form, error)
        else:
            message, target = saved(result)
            flash(message, "success")
            return redirect(target)
    status = 422 if form.errors else 200
    return render_template(template, form=form, **context), status


def _product_or_404(slug: str) -> Any:
    product = get_product(slug, active_only=False)
    if product is None:
        raise NotFoundError(_("Product '%(slug)s' bestaat niet.", slug=slug))
    return product


# --- home -----------------------------------------------------------------------------------


@bp.get("/")
@role_required(ORGANISER)
def index() -> str:
    events = list_events()
    current = active_event()
    return render_template(
        "organiser/index.html",
        event=current,
        stats=statistics([current]) if current else None,
        summaries=compare_events(events),
        product_names=product_name_map(),
        product_count=len(active_products()),
    )


# --- events ---------------------------------------------------------------------------------


@bp.get("/evenementen")
@role_required(ORGANISER)
def events() -> str:
    return render_template(
        "organiser/events.html",
        summaries=compare_events(list_events())[::-1],
        today=date.today(),
    )


@bp.route("/evenementen/nieuw", methods=["GET", "POST"])
@role_required(ORGANISER)
def new_event() -> Any:
    form = EventForm()
    return _form_page(
        form,
        lambda: create_event(
            form.slug.data or "", activate=bool(form.activate.data), **form.details()
        ),
        lambda event: (
            _("Evenement '%(name)s' is aangemaakt.", name=event.name),
            url_for("organiser.event", slug=event.slug),
        ),
        "organiser/event_form.html",
        event=None,
    )


def _report_context(events_: list[Event]) -> dict[str, Any]:
    """The statistics, the report's own figures and their charts for these events."""
    baskets = event_baskets(events_)
    stats = statistics(events_, baskets)
    names = product_name_map()
    figures = report_figures(events_, stats, names, baskets)
    return {
        "stats": stats,
        "figures": figures,
        "charts": report_charts(stats, figures, names),
        "product_names": names,
    }


@bp.get("/evenementen/<slug>")
@role_required(ORGANISER)
def event(slug: str) -> str:
    found = get_event(slug)
    return render_template(
        "organiser/event.html", event=found, formats=FORMATS.values(), **_report_context([found])
    )


@bp.get("/evenementen/<slug>/rapport")
@role_required(ORGANISER)
def event_report(slug: str) -> str:
    found = get_event(slug)
    return render_template(
        "organiser/report.html",
        events=[found],
        comparison=None,
        summaries=[],
        demo_events=0,
        **_report_context([found]),
    )


@bp.route("/evenementen/<slug>/bewerken", methods=["GET", "POST"])
@role_required(ORGANISER)
def edit_event(slug: str) -> Any:
    found = get_event(slug)
    form = EventForm.for_event(found)
    return _form_page(
        form,
        lambda: update_event(found, **form.details()),
        lambda event: (
            _("Evenement '%(name)s' is bijgewerkt.", name=event.name),
            url_for("organiser.event", slug=event.slug),
        ),
        "organiser/event_form.html",
        event=found,
    )


@bp.post("/evenementen/<slug>/activeren")
@role_required(ORGANISER)
def activate(slug: str) -> BaseResponse:
    # CSRFProtect has already checked the token of every POST.
    found = get_event(slug)
    with committed():
        activate_event(found)
    flash(_("'%(name)s' is nu het actieve evenement van de kiosk.", name=found.name), "success")
    return redirect(url_for("organiser.events"))


# --- catalog --------------------------------------------------------------------------------


@bp.get("/catalogus")
@role_required(ORGANISER)
def catalog() -> str:
    return render_template("organiser/catalog.html", products=all_products())


@bp.route("/catalogus/nieuw", methods=["GET", "POST"])
@role_required(ORGANISER)
def new_product() -> Any:
    form = ProductForm()
    form.offer_shelves(shelf_names())
    return _form_page(
        form,
        lambda: add_product(form.product_data()),
        lambda product: (
            _("Product '%(name)s' is toegevoegd.", name=product.name),
            url_for("organiser.catalog"),
        ),
        "organiser/product_form.html",
        product=None,
    )


@bp.route("/catalogus/<slug>/bewerken", methods=["GET", "POST"])
@role_required(ORGANISER)
def edit_product_page(slug: str) -> Any:
    found = _product_or_404(slug)
    form = ProductForm.for_product(found, shelf_names())
    return _form_page(
        form,
        lambda: edit_product(found, form.product_data()),
        lambda product: (
            _("Product '%(name)s' is bijgewerkt.", name=product.name),
            url_for("organiser.catalog"),
        ),
        "organiser/product_form.html",
        product=found,
    )


@bp.post("/catalogus/<slug>/<any(uit, terug):action>")
@role_required(ORGANISER)
def retire_product(slug: str, action: str) -> BaseResponse:
    product = _product_or_404(slug)
    with committed():
        set_product_active(product, action == "terug")
    if product.active:
        flash(_("'%(name)s' ligt weer in de winkel.", name=product.name), "success")
    else:
        flash(
            _(
                "'%(name)s' is uit de winkel gehaald; oude mandjes en statistieken houden het.",
                name=product.name,
            ),
            "success",
        )
    return redirect(url_for("organiser.catalog"))


@bp.route("/catalogus/uploaden", methods=["GET", "POST"])
@role_required(ORGANISER)
def upload_products() -> Any:
    form = ProductFileForm()
    problems = None
    if form.validate_on_submit():
        upload = form.file.data
        source = (upload.filename or "upload.yaml")[:100]
        try:
            with committed():
                report = upsert_products(parse_product_file(upload.read(), source))
        except ProductFileError as error:
            problems = error
        else:
            flash(
                _(
                    "%(file)s geladen: %(created)d nieuw, %(updated)d bijgewerkt, "
                    "%(same)d ongewijzigd.",
                    file=source,
                    created=len(report.created),
                    updated=len(report.updated),
                    same=len(report.unchanged),
                ),
                "success",
            )
            return redirect(url_for("organiser.catalog"))
    status = 422 if problems is not None or form.errors else 200
    return render_template("organiser/upload.html", form=form, problems=problems), status


@bp.get("/catalogus/producten.yaml")
@role_required(ORGANISER)
def download_products() -> Response:
    header = _(
        "Catalogus van de pop-up store, %(day)s. Laad terug met 'popupstore load-products' "
        "of upload hem op de catalogus-pagina.",
        day=date.today().isoformat(),
    )
    text = product_file_text(all_products(), header)
    response = Response(text, mimetype="application/yaml")
    response.headers["Content-Disposition"] = 'attachment; filename="popupstore-catalogus.yaml"'
    return response


# --- statistics -----------------------------------------------------------------------------


def _all_events_report(template: str) -> str:
    """Every real event together; demo events (simulated visitors) are left out."""
    every = list_events()
    events_ = reported_events(every)
    summaries = compare_events(events_)
    return render_template(
        template,
        events=events_,
        summaries=summaries,
        comparison=comparison_chart(summaries),
        demo_events=len(every) - len(events_),
        **_report_context(events_),
    )


@bp.get("/statistiek")
@role_required(ORGANISER)
def statistics_page() -> str:
    return _all_events_report("organiser/statistics.html")


@bp.get("/statistiek/rapport")
@role_required(ORGANISER)
def statistics_report() -> str:
    return _all_events_report("organiser/report.html")


# --- exports --------------------------------------------------------------------------------


def _export_scope() -> tuple[list[Event], str]:
    slug = request.args.get("event", ALL_EVENTS, type=str)
    if slug == ALL_EVENTS:
        return reported_events(list_events()), "alle-evenementen"
    found = get_event(slug)
    return [found], found.slug


@bp.get("/exports")
@role_required(ORGANISER)
def exports() -> str:
    return render_template(
        "organiser/exports.html",
        events=list_events(),
        formats=FORMATS.values(),
        all_events=ALL_EVENTS,
        notice=ContactListExporter.notice,
    )


@bp.get("/exports/anoniem")
@role_required(ORGANISER)
def export_anonymous() -> Response:
    events_, scope = _export_scope()
    fmt = parse_format(request.args.get("format"))
    return export_response(fmt, report_exporters(events_), scope)


@bp.get("/exports/contactlijst")
@role_required(ORGANISER)
def export_contacts() -> Response:
    events_, scope = _export_scope()
    fmt = parse_format(request.args.get("format"))
    return export_response(fmt, [ContactListExporter(events_)], scope)


# --- printed material -----------------------------------------------------------------------


def _store_url() -> str:
    return base_url() + "/"


@bp.get("/drukwerk")
@role_required(ORGANISER)
def printing() -> str:
    return render_template(
        "organiser/printing.html",
        store_url=_store_url(),
        event=active_event(),
        product_count=len(active_products()),
    )


def _download(data: bytes, mimetype: str, filename: str, *, inline: bool = False) -> Response:
    response = Response(data, mimetype=mimetype)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@bp.get("/drukwerk/poster.png")
@role_required(ORGANISER)
def poster_image() -> Response:
    inline = request.args.get("voorbeeld") == "1"
    data = poster_png(_store_url(), active_event())
    return _download(data, "image/png", "popupstore-poster-a3.png", inline=inline)


@bp.get("/drukwerk/poster.pdf")
@role_required(ORGANISER)
def poster_document() -> Response:
    return _download(
        poster_pdf(_store_url(), active_event()), "application/pdf", "popupstore-poster-a3.pdf"
    )


@bp.get("/drukwerk/schapkaartjes.pdf")
@role_required(ORGANISER)
def shelf_labels() -> Response:
    data = shelf_labels_pdf(base_url(), active_products())
    return _download(data, "application/pdf", "popupstore-schapkaartjes-a4.pdf")
