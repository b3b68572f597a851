"""Each worker's match index per series: the baskets of all its events, counted together.

It is built from the events' own indexes (`basket.index.event_index`) and kept under the
versions of every event of the series (`popupstore.versions`), read in one query on every
use: a checkout, an erasure, a purge or a hidden checkout at any day of the series makes
the next use build it anew, so the database stays the source of truth.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from .. import versions
from ..basket.index import event_index
from ..events.models import Event
from ..extensions import db
from ..matching import SeriesEvent, SeriesIndex
from .info import SeriesInfo

EXTENSION = "popupstore_series_indexes"
CACHED_SERIES = 4


@dataclass(frozen=True, slots=True)
class _Entry:
    days: tuple[int, ...]
    values: tuple[int, ...]
    index: SeriesIndex


class SeriesIndexes:
    def __init__(self, size: int = CACHED_SERIES) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.entries: OrderedDict[int, _Entry] = OrderedDict()


def _indexes() -> SeriesIndexes:
    found = current_app.extensions.get(EXTENSION)
    if found is None:
        found = current_app.extensions.setdefault(EXTENSION, SeriesIndexes())
    indexes: SeriesIndexes = found
    return indexes


def series_index(info: SeriesInfo) -> SeriesIndex:
    """The series' baskets as they are now (one small query while nothing changed)."""
    days = tuple(day.id for day in info.days)
    # `events`: a day's own fields (its date orders the series' partners) are shown under it.
    names = [versions.EVENTS, *(name for day in days for name in versions.event_names(day))]
    # The versions are read before the baskets: a change landing in between costs a rebuild.
    values = versions.current(*names) if names else ()
    indexes = _indexes()
    with indexes.lock:
        found = indexes.entries.get(info.id)
        if found is not None and found.days == days and found.values == values:
            indexes.entries.move_to_end(info.id)
            return found.index
    events = {
        event.id: event
        for event in db.session.execute(select(Event).where(Event.id.in_(days))).scalars()
    }
    index = SeriesIndex(
        SeriesEvent(day.slug, day.date, event_index(events[day.id]).baskets())
        for day in info.days
        if day.id in events
    )
    with indexes.lock:
        indexes.entries[info.id] = _Entry(days, values, index)
        indexes.entries.move_to_end(info.id)
        while len(indexes.entries) > indexes.size:
            indexes.entries.popitem(last=False)
    return index


def forget_series_indexes() -> None:
    """Drop this worker's series indexes, so the next use builds them from the database."""
    indexes = _indexes()
    with indexes.lock:
        indexes.entries.clear()
