"""The facilitator's screens: live overview, overlap, conversation groups, tables, wall."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from ..agreements.services import event_agreements
from ..auth.roles import STAFF
from ..auth.views import role_required, safe_next
from ..basket.index import event_index
from ..charts import Row, bar_chart
from ..errors import DomainError
from ..events.models import Event
from ..events.services import active_event, get_event, list_events
from ..forms import EmptyForm
from ..i18n import select_locale
from ..moderation.services import (
    Moderator,
    hidden_checkouts,
    set_agreement_hidden,
    set_checkout_hidden,
)
from ..security import count_failed_lookup, public
from ..transactions import committed
from ..validation import show_field_errors
from ..web import polled_fragment, wants_json
from .forms import CONFIRMED, LatecomersForm, PairsForm, RoundForm, TablesForm
from .rounds import pause_round, reset_round, round_state, start_round
from .services import (
    PLANNED_AT_LEAST,
    PairedLatecomer,
    collaboration_suggestions,
    conversation_groups,
    done_by_all,
    live_summary,
    live_version,
    make_pair_plan,
    make_table_plan,
    pair_latecomers_in_plan,
    plan_view,
    product_overlap,
    seat_latecomers_in_plan,
    staff_visitor,
    table_sizes_or_error,
    visitor_network,
    wall_view,
)
from .wall_links import event_for_wall_token, make_wall_link, revoke_wall_link, wall_link_of

bp = Blueprint("facilitator", __name__)
# What a latecomers button places: a seated or a paired latecomer.
Latecomer = TypeVar("Latecomer")

# Screens poll this often; an unchanged event costs one small query set and a 304.
POLL_SECONDS = 5
RECENT_RECEIPTS = 30
MODERATION_RECEIPTS = 60
CHART_PRODUCTS = 12


def _page(template: str, event: Event, **context: Any) -> str:
    return render_template(
        template, event=event, events=list_events(), poll_seconds=POLL_SECONDS, **context
    )


def _live(slug: str, template: str, context: Callable[[Event], dict[str, Any]]) -> Response:
    """A fragment that pollers fetch with If-None-Match; 304 while nothing changed.

    The event is only loaded and `context` only computed when the fragment is sent, so an
    unchanged event costs at most the one small query of `live_version`.
    """
    version = live_version(slug)
    if version is None:
        abort(404)

    def render() -> str:
        event = get_event(slug)
        return render_template(template, event=event, **context(event))

    return polled_fragment(f"{version}-{select_locale()}", render)


def _live_context(event: Event) -> dict[str, Any]:
    summary = live_summary(event)
    chart = bar_chart(
        _("Meest gekozen"),
        [Row(p.name, (p.want, p.have)) for p in summary.products[:CHART_PRODUCTS]],
        (_("Wil ik"), _("Doen we al")),
    )
    return {"summary": summary, "chart": chart}


@bp.get("/")
@role_required(*STAFF)
def index() -> Any:
    """The active event's overview, or the list of events when none is active."""
    event = active_event()
    if event is None:
        return render_template("facilitator/choose.html", events=list_events())
    return _overview(event)


@bp.get("/evenement/<slug>")
@role_required(*STAFF)
def event(slug: str) -> str:
    return _overview(get_event(slug))


def _overview(event: Event) -> str:
    recent = event_index(event).baskets()[-RECENT_RECEIPTS:][::-1]
    return _page(
        "facilitator/overview.html",
        event,
        receipts=[staff_visitor(basket) for basket in recent],
        **_live_context(event),
    )


@bp.get("/evenement/<slug>/live")
@role_required(*STAFF)
def live(slug: str) -> Response:
    return _live(slug, "facilitator/_live.html", _live_context)


@bp.get("/evenement/<slug>/overlap")
@role_required(*STAFF)
def overlap(slug: str) -> str:
    found = get_event(slug)
    recent = event_index(found).baskets()[-MODERATION_RECEIPTS:][::-1]
    return _page(
        "facilitator/overlap.html",
        found,
        overlap=product_overlap(found),
        network=visitor_network(found),
        receipts=[(staff_visitor(basket), len(basket.items)) for basket in recent],
        hidden=hidden_checkouts(found),
        moderation_form=EmptyForm(),
    )


def _moderator() -> Moderator:
    return Moderator(id=int(current_user.id), username=str(current_user.username))


def _moderate(slug: str, change: Callable[[Event], object], done: str) -> BaseResponse:
    found = get_event(slug)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    with committed():
        change(found)
    flash(done, "success")
    return redirect(safe_next(form.next.data) or url_for("facilitator.overlap", slug=slug))


@bp.post("/evenement/<slug>/bon/<int:number>/verbergen")
@role_required(*STAFF)
def hide_checkout(slug: str, number: int) -> BaseResponse:
    return _moderate(
        slug,
        lambda event: set_checkout_hidden(event, number, True, _moderator()),
        _("Bon %(number)d is verborgen: hij telt nergens meer mee.", number=number),
    )


@bp.post("/evenement/<slug>/bon/<int:number>/tonen")
@role_required(*STAFF)
def show_checkout(slug: str, number: int) -> BaseResponse:
    return _moderate(
        slug,
        lambda event: set_checkout_hidden(event, number, False, _moderator()),
        _("Bon %(number)d telt weer mee.", number=number),
    )


@bp.post("/evenement/<slug>/afspraak/<int:agreement_id>/verbergen")
@role_required(*STAFF)
def hide_agreement(slug: str, agreement_id: int) -> BaseResponse:
    return _moderate(
        slug,
        lambda event: set_agreement_hidden(event, agreement_id, True, _moderator()),
        _("De afspraak is verborgen."),
    )


@bp.post("/evenement/<slug>/afspraak/<int:agreement_id>/tonen")
@role_required(*STAFF)
def show_agreement(slug: str, agreement_id: int) -> BaseResponse:
    return _moderate(
        slug,
        lambda event: set_agreement_hidden(event, agreement_id, False, _moderator()),
        _("De afspraak staat weer op de bonnen en de wand."),
    )


@bp.get("/evenement/<slug>/gesprekken")
@role_required(*STAFF)
def groups(slug: str) -> str:
    found = get_event(slug)
    return _page(
        "facilitator/groups.html",
        found,
        groups=conversation_groups(found),
        done_by_all=done_by_all(found),
    )


@bp.get("/evenement/<slug>/samenwerking")
@role_required(*STAFF)
def collaborations(slug: str) -> str:
    found = get_event(slug)
    return _page(
        "facilitator/collaborations.html",
        found,
        suggestions=collaboration_suggestions(found),
        agreements=event_agreements(found),
    )


def _tables_page(
    event: Event, tables_form: TablesForm, status: int = 200, problem: str | None = None
) -> tuple[str, int]:
    return (
        _page(
            "facilitator/tables.html",
            event,
            problem=problem,
            tables_form=tables_form,
            latecomers_form=LatecomersForm(),
            pairs_form=PairsForm(),
            tables=plan_view(event, "tables"),
            pairs=plan_view(event, "pairs"),
            checkouts=len(event_index(event)),
        ),
        status,
    )


@bp.get("/evenement/<slug>/tafels")
@role_required(*STAFF)
def tables(slug: str) -> tuple[str, int]:
    found = get_event(slug)
    form = TablesForm()
    stored = plan_view(found, "tables")
    if stored is not None and stored.min_size and stored.max_size:
        form.min_size.data, form.max_size.data = stored.min_size, stored.max_size
    return _tables_page(found, form)


@bp.post("/evenement/<slug>/tafels")
@role_required(*STAFF)
def make_tables(slug: str) -> Any:
    found = get_event(slug)
    form = TablesForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            return _tables_page(
                found, form, 400, _("Het formulier is verlopen. Probeer het opnieuw.")
            )
        return _tables_page(found, form, 422, _("De tafelgrootte klopt niet."))
    stored = plan_view(found, "tables")
    if stored is not None and form.confirm.data != CONFIRMED:
        # A new plan moves people who already sit: ask first, on a page of its own.
        try:
            table_sizes_or_error(form.min_size.data, form.max_size.data)
        except DomainError as error:
            show_field_errors(form, error.fields)
            return _tables_page(found, form, error.status, error.message)
        return _page(
            "facilitator/replan.html",
            found,
            tables_form=form,
            tables=stored,
            confirm_value=CONFIRMED,
        )
    try:
        with committed():
            make_table_plan(
                found,
                form.min_size.data,
                form.max_size.data,
                minimum_checkouts=PLANNED_AT_LEAST,
            )
    except DomainError as error:
        show_field_errors(form, error.fields)
        return _tables_page(found, form, error.status, error.message)
    return redirect(url_for("facilitator.tables", slug=slug, _anchor="tafels"))


def _add_latecomers(
    slug: str,
    add: Callable[[Event], Sequence[Latecomer]],
    describe: Callable[[Latecomer], str],
    nobody: str,
    anchor: str,
) -> Any:
    """The latecomers buttons: `add` places them in the stored plan, the flash says where."""
    found = get_event(slug)
    tables_form = TablesForm(formdata=None)
    if not LatecomersForm().validate_on_submit():
        return _tables_page(
            found, tables_form, 400, _("Het formulier is verlopen. Probeer het opnieuw.")
        )
    try:
        with committed():
            added = add(found)
    except DomainError as error:
        return _tables_page(found, tables_form, error.status, error.message)
    if added:
        flash("; ".join(describe(latecomer) for latecomer in added), "success")
    else:
        flash(nobody, "info")
    return redirect(url_for("facilitator.tables", slug=slug, _anchor=anchor))


@bp.post("/evenement/<slug>/tafels/nakomers")
@role_required(*STAFF)
def seat_latecomers(slug: str) -> Any:
    """Seat who came in after the table plan, without moving anyone already seated."""
    return _add_latecomers(
        slug,
        seat_latecomers_in_plan,
        lambda seated: _(
            "bon %(number)d aan tafel %(table)d", number=seated.number, table=seated.table
        ),
        _("Iedereen zat al aan een tafel."),
        "tafels",
    )


@bp.post("/evenement/<slug>/duos")
@role_required(*STAFF)
def make_pairs(slug: str) -> Any:
    found = get_event(slug)
    form = PairsForm()
    tables_form = TablesForm(formdata=None)
    if not form.validate_on_submit():
        return _tables_page(
            found, tables_form, 400, _("Het formulier is verlopen. Probeer het opnieuw.")
        )
    stored = plan_view(found, "pairs")
    if stored is not None and form.confirm.data != CONFIRMED:
        # New pairs split duos that already talk: ask first, on a page of its own.
        return _page("facilitator/replan.html", found, pairs=stored, confirm_value=CONFIRMED)
    try:
        with committed():
            make_pair_plan(found)
    except DomainError as error:
        return _tables_page(found, tables_form, error.status, error.message)
    return redirect(url_for("facilitator.tables", slug=slug, _anchor="duos"))


def _joined(latecomer: PairedLatecomer) -> str:
    others = _(" en ").join(
        _("bon %(number)d", number=n) for n in latecomer.group if n != latecomer.number
    )
    return _("bon %(number)d bij %(others)s", number=latecomer.number, others=others)


@bp.post("/evenement/<slug>/duos/nakomers")
@role_required(*STAFF)
def pair_latecomers(slug: str) -> Any:
    """Give who came in after the pairs a duo or a trio, without splitting a duo."""
    return _add_latecomers(
        slug, pair_latecomers_in_plan, _joined, _("Iedereen had al een duo."), "duos"
    )


def _wall_page(event: Event, **context: Any) -> str:
    return render_template(
        "facilitator/wall.html",
        event=event,
        wall=wall_view(event),
        poll_seconds=POLL_SECONDS,
        round_form=RoundForm(formdata=None),
        **context,
    )


@bp.get("/evenement/<slug>/wand")
@role_required(*STAFF)
def wall(slug: str) -> str:
    found = get_event(slug)
    return _wall_page(
        found,
        staff=True,
        live_url=url_for("facilitator.wall_live", slug=slug),
        sources=event_agreements(found, include_hidden=True),
        moderation_form=EmptyForm(),
        wall_link=wall_link_of(found),
    )


@bp.get("/evenement/<slug>/wand/live")
@role_required(*STAFF)
def wall_live(slug: str) -> Response:
    return _live(slug, "facilitator/_wall_body.html", lambda event: {"wall": wall_view(event)})


@bp.post("/evenement/<slug>/ronde")
@role_required(*STAFF)
def round_timer(slug: str) -> Any:
    """Start, pause or reset the event's round timer, for every screen that shows it.

    The wall's script asks for JSON and gets the new state; without the script the form
    posts and the wall page comes back. Bad input changes nothing and says why.
    """
    found = get_event(slug)
    form = RoundForm()
    script = wants_json()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            message = _("Het formulier is verlopen. Probeer het opnieuw.")
            status = 400
        else:
            message = " ".join(str(error) for errors in form.errors.values() for error in errors)
            status = 422
        if script:
            return jsonify(message=message), status
        flash(message, "error")
        return redirect(url_for("facilitator.wall", slug=slug), code=303)
    with committed():
        minutes = form.minutes.data or round_state(found).minutes
        if form.action.data == "start":
            start_round(found, minutes)
        elif form.action.data == "pause":
            pause_round(found)
        else:
            reset_round(found, minutes)
    if script:
        state = round_state(found)
        return jsonify(
            minutes=state.minutes, state=state.state, left_ms=state.left_ms, version=state.version
        )
    return redirect(url_for("facilitator.wall", slug=slug), code=303)


@bp.post("/evenement/<slug>/wand/link")
@role_required(*STAFF)
def new_wall_link(slug: str) -> BaseResponse:
    """Make the event's read-only wall link (replacing any earlier one) and show it once."""
    found = get_event(slug)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    with committed():
        token = make_wall_link(found)
    flash(
        _(
            "Nieuwe wandlink: %(url)s — open hem op het scherm aan de wand. Hij wordt maar één "
            "keer getoond; de vorige link werkt niet meer.",
            url=url_for("facilitator.wall_by_link", token=token, _external=True),
        ),
        "success",
    )
    return redirect(url_for("facilitator.wall", slug=slug, _anchor="wall-link-title"))


@bp.post("/evenement/<slug>/wand/link/intrekken")
@role_required(*STAFF)
def revoke_wall_link_view(slug: str) -> BaseResponse:
    found = get_event(slug)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    with committed():
        revoke_wall_link(found)
    flash(_("De wandlink is ingetrokken: hij werkt niet meer."), "success")
    return redirect(url_for("facilitator.wall", slug=slug, _anchor="wall-link-title"))


def _event_for_wall_link(token: str) -> Event:
    found = event_for_wall_token(token)
    if found is None:
        count_failed_lookup()
        abort(404)
    return found


@bp.get("/wand/<token>")
@public
def wall_by_link(token: str) -> str:
    """The wall alone, without a login: what a screen left on all day opens."""
    found = _event_for_wall_link(token)
    return _wall_page(
        found, staff=False, live_url=url_for("facilitator.wall_by_link_live", token=token)
    )


@bp.get("/wand/<token>/live")
@public
def wall_by_link_live(token: str) -> Response:
    found = _event_for_wall_link(token)
    return _live(
        found.slug, "facilitator/_wall_body.html", lambda event: {"wall": wall_view(event)}
    )
