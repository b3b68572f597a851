"""The read-only wall link of an event: a screen left on all day shows the wall without a login.

The decision (docs/architecture.md, "Wall screen"): a staff login ends after the staff idle
time, and a wall that only refreshes itself is not activity, so a wall on a staff login goes
dark within the half hour. A wall link is a secret URL per event that shows the wall and
nothing else: receipt numbers, products and agreements, never a name, and no button that
changes anything. Only its hash is stored; a new link replaces the old one, and revoking it
deletes it, so a link that leaked stops working at once.
"""

from __future__ import annotations

import secrets

from sqlalchemy import delete, select

from ..events.models import Event
from ..extensions import db
from ..tokens import hash_token
from .models import WallLink

# 192 bits, like a receipt token: unguessable, and short enough to type from a note.
TOKEN_BYTES = 24


def make_wall_link(event: Event) -> str:
    """A new wall link token for `event`, replacing (and so revoking) any earlier one.

    The token itself is returned once and never stored; the caller shows it to the
    facilitator.
    """
    revoke_wall_link(event)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    db.session.add(WallLink(event_id=event.id, token_hash=hash_token(token)))
    db.session.flush()
    return token


def revoke_wall_link(event: Event) -> bool:
    """Delete the event's wall link; whether there was one."""
    result = db.session.execute(delete(WallLink).where(WallLink.event_id == event.id))
    return bool(getattr(result, "rowcount", 0))


def wall_link_of(event: Event) -> WallLink | None:
    """The event's wall link (its hash and when it was made), or None."""
    return db.session.execute(
        select(WallLink).where(WallLink.event_id == event.id)
    ).scalar_one_or_none()


def event_for_wall_token(token: str) -> Event | None:
    """The event whose current wall link is `token`, or None (unknown or revoked)."""
    return db.session.execute(
        select(Event)
        .join(WallLink, WallLink.event_id == Event.id)
        .where(WallLink.token_hash == hash_token(token))
    ).scalar_one_or_none()
