"""The round timer: one clock per event that every screen shows alike.

A facilitator starts a twenty-minute round on the booth tablet; the wall screen on its
read-only link, the tablet and a second facilitator's phone all count down the same
round. The state lives in the database (`RoundTimer`), each change bumps
`round:<event id>` so every screen's next poll fetches it, and a screen is told how many
milliseconds are left *now* rather than when the round ends, so a wrong clock on a screen
does not matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from .. import versions
from ..db import utcnow
from ..events.models import Event
from ..extensions import db
from .models import RoundTimer

DEFAULT_MINUTES: Final = 20
MIN_MINUTES: Final = 1
MAX_MINUTES: Final = 90

IDLE: Final = "idle"
RUNNING: Final = "running"
PAUSED: Final = "paused"
OVER: Final = "over"


@dataclass(frozen=True, slots=True)
class RoundState:
    """What a screen shows: the round's length, its state and the milliseconds left."""

    minutes: int
    state: str  # IDLE, RUNNING, PAUSED or OVER
    left_ms: int
    # `round:<event id>` when this was read: a screen keeps the newest state it was given,
    # so a refresh that left before a press and arrives after it cannot undo the press.
    version: int = 0

    @property
    def clock(self) -> str:
        """The time left as the screens show it, "m:ss" (seconds rounded up)."""
        seconds = -(-self.left_ms // 1000)
        return f"{seconds // 60}:{seconds % 60:02d}"


def _state_of(timer: RoundTimer | None, now: datetime, version: int = 0) -> RoundState:
    if timer is None:
        return RoundState(DEFAULT_MINUTES, IDLE, DEFAULT_MINUTES * 60_000, version)
    if timer.ends_at is not None:
        left = max(0, int((timer.ends_at - now) / timedelta(milliseconds=1)))
        return RoundState(timer.minutes, RUNNING if left > 0 else OVER, left, version)
    if timer.left_ms is not None:
        return RoundState(timer.minutes, PAUSED, timer.left_ms, version)
    return RoundState(timer.minutes, IDLE, timer.minutes * 60_000, version)


def round_state(event: Event) -> RoundState:
    """The event's round as it stands now (idle at DEFAULT_MINUTES when never started),
    with the version it was read at."""
    (version,) = versions.current(versions.event_round(event.id))
    return _state_of(db.session.get(RoundTimer, event.id), utcnow(), version)


def _timer(event: Event) -> RoundTimer:
    timer = db.session.get(RoundTimer, event.id)
    if timer is None:
        timer = RoundTimer(event_id=event.id, minutes=DEFAULT_MINUTES)
        db.session.add(timer)
    return timer


def start_round(event: Event, minutes: int) -> None:
    """Start a round of `minutes` (MIN_MINUTES–MAX_MINUTES, checked by the form), or resume
    a paused one where it stopped. A running round goes on unchanged, so two facilitators
    who press at once start one round; a round that is over starts anew."""
    now = utcnow()
    timer = _timer(event)
    current = _state_of(timer, now)
    if current.state == PAUSED:
        timer.ends_at, timer.left_ms = now + timedelta(milliseconds=current.left_ms), None
    elif current.state in (IDLE, OVER):
        timer.minutes = minutes
        timer.ends_at, timer.left_ms = now + timedelta(minutes=minutes), None
    db.session.flush()


def pause_round(event: Event) -> None:
    """Pause a running round, keeping what is left; anything else stays as it is."""
    now = utcnow()
    timer = _timer(event)
    current = _state_of(timer, now)
    if current.state == RUNNING:
        timer.ends_at, timer.left_ms = None, current.left_ms
    db.session.flush()


def reset_round(event: Event, minutes: int) -> None:
    """Back to the start: idle, with `minutes` as the next round's length."""
    timer = _timer(event)
    timer.minutes, timer.ends_at, timer.left_ms = minutes, None, None
    db.session.flush()
