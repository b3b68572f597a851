"""The stored table and pair plans of an event, as the rest of the store reads them.

Kept apart from the facilitator's services (which build on agreements and receipts) so a
receipt can say at which table a visitor sits without importing the facilitator's screens.
"""

from __future__ import annotations

from sqlalchemy import select

from ..basket.index import event_index
from ..events.models import Event
from ..extensions import db
from .models import ConversationPlan


def latest_plan(event: Event, kind: str) -> ConversationPlan | None:
    """The event's newest stored plan of `kind` ("tables" or "pairs"), or None."""
    query = (
        select(ConversationPlan)
        .where(ConversationPlan.event_id == event.id, ConversationPlan.kind == kind)
        .order_by(ConversationPlan.id.desc())
        .limit(1)
    )
    return db.session.execute(query).scalar_one_or_none()


def table_numbers(event: Event) -> dict[int, int]:
    """Receipt number -> table number in the event's newest table plan, numbered as the
    facilitator's screens number them: tables in plan order, those nobody of which is
    still there left out ({} before a plan exists)."""
    stored = latest_plan(event, "tables")
    if stored is None:
        return {}
    present = {basket.number for basket in event_index(event).baskets()}
    numbers: dict[int, int] = {}
    table_number = 0
    for table in stored.plan.get("tables", []):
        members = [number for number in table["members"] if number in present]
        if members:
            table_number += 1
            numbers.update(dict.fromkeys(members, table_number))
    return numbers
