"""The facilitator's view of an event (built out in the matching work)."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..auth.views import role_required
from ..basket.matchindex import event_index
from ..events.services import active_event, get_event, list_events

bp = Blueprint("facilitator", __name__)

STAFF = ("facilitator", "organiser")


@bp.get("/")
@role_required(*STAFF)
def index() -> str:
    event = active_event()
    return render_template(
        "facilitator/index.html",
        event=event,
        events=list_events(),
        baskets=event_index(event).baskets() if event else [],
    )


@bp.get("/evenement/<slug>")
@role_required(*STAFF)
def event(slug: str) -> str:
    found = get_event(slug)
    return render_template(
        "facilitator/index.html",
        event=found,
        events=list_events(),
        baskets=event_index(found).baskets(),
    )
