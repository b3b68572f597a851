"""Named versions: the one owner of "has this changed?" for every copy the store derives.

The store keeps copies of what it derives from the database: rendered pages per worker
(`pagecache`), each worker's match index (`basket.index`), ETags of polled fragments,
token look-ups. A copy never decides on its own whether it is still right. It declares the
named versions it depends on and is rebuilt when one of them moved on. This module owns
those names, is the only place that bumps them, and answers what they are now.

The names (docs/architecture.md has the full table of who reads which):

==================  ===========================================================
``catalog``         a product was added, changed or retired
``events``          an event was created, changed, activated or moved to a series
``checkouts:<id>``  a checkout was added to event <id> (receipt numbers moved on)
``event:<id>``      anything else of event <id> changed: a checkout erased, purged,
                    hidden or shown again; an agreement; a table or pair plan
``series:<id>``     series <id> was created or renamed, or an event joined or left it
``proposals:<id>``  a product proposal made at event <id> was added, edited or decided
``round:<id>``      the round timer of event <id> was started, paused or reset
==================  ===========================================================

A page about an event of a series also depends on the series and on the names of every
event in it (`popupstore.series.services.series_dependencies`): a checkout at a later
day of the series reaches an earlier day's receipts at once.

Additions and changes are kept apart so that a worker's match index can take new
checkouts in incrementally and rebuild only when something it holds changed.

How names are bumped, so that no write can forget to:

* Every flush of the ORM session looks at the new, changed and deleted objects and
  bumps what `_names_for` says for each (one table below, by model).
* A bulk ``update()``/``delete()`` on one of those models must name what it changes with
  ``.execution_options(bumps=(...))`` (an empty tuple when another write of the same
  transaction bumps already); without it the statement is refused.

Bumps are rows of ``version_counter`` written in the same transaction as the change, so
they commit or roll back with it and every worker of every server sees the same numbers.
Reading costs one small query (`current`). Kept pages and polls ask `recent`, which a
worker answers from what it read up to ``FRESHNESS_SECONDS`` ago (default 1 s); it
forgets at once the names its own commits bumped.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import String, bindparam, cast, event, func, literal, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from .extensions import db

EXTENSION = "popupstore_versions"
BUMPED = "popupstore_bumped"

CATALOG = "catalog"
EVENTS = "events"


def event_checkouts(event_id: int) -> str:
    """Bumped when a checkout is added to the event."""
    return f"checkouts:{event_id}"


def event_data(event_id: int) -> str:
    """Bumped when anything of the event changes other than a checkout being added."""
    return f"event:{event_id}"


def event_names(event_id: int) -> tuple[str, str]:
    """Everything a page about one event depends on (besides the catalog)."""
    return (event_checkouts(event_id), event_data(event_id))


def event_round(event_id: int) -> str:
    """Bumped when the event's round timer is started, paused or reset."""
    return f"round:{event_id}"


def series_data(series_id: int) -> str:
    """Bumped when a series is created or renamed, or an event joins or leaves it."""
    return f"series:{series_id}"


def event_proposals(event_id: int) -> str:
    """Bumped when a product proposal made at the event is added, edited or decided."""
    return f"proposals:{event_id}"


class VersionCounter(db.Model):  # type: ignore[name-defined]
    """One named version; the row is created at its first bump (a missing row reads 0)."""

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


# --- which writes bump which names --------------------------------------------------------


def _names_for(instance: Any, change: str) -> Iterable[str]:
    """The names a flushed object bumps; `change` is "new", "dirty" or "deleted"."""
    kind = type(instance).__tablename__
    if kind == "product":
        return (CATALOG,)
    if kind == "event":
        # An event's own fields (name, date, activation, retention) are shown under
        # `events`; its visitors' data, which a match index is built from, did not change.
        return (EVENTS,)
    if kind == "checkout":
        if change == "new":
            return (event_checkouts(instance.event_id),)
        return (event_data(instance.event_id),)
    if kind in ("agreement", "conversation_plan"):
        return (event_data(instance.event_id),)
    # Joining or leaving a series changes which events belong together; `events` moves on
    # too, so every worker's remembered series of an event is read again.
    if kind == "event_series":
        return (EVENTS, series_data(instance.id))
    if kind == "series_event":
        return (EVENTS, series_data(instance.series_id))
    if kind == "proposal":
        return (event_proposals(instance.event_id),)
    if kind == "round_timer":
        return (event_round(instance.event_id),)
    if kind == "basket_line":
        # Lines are written with their checkout, whose own change bumps already; a line
        # changed on its own (never done today) changes the event's data.
        return () if change == "new" else (_event_of_line(instance),)
    return ()


def _event_of_line(line: Any) -> str:
    checkout = line.checkout
    return event_data(checkout.event_id)


WATCHED = frozenset(
    {
        "product",
        "event",
        "checkout",
        "basket_line",
        "agreement",
        "conversation_plan",
        "event_series",
        "series_event",
        "proposal",
        "round_timer",
    }
)


class UnnamedBulkChange(RuntimeError):
    """A bulk statement changed rows that derived copies depend on without naming them."""


def _after_flush(session: Session, _context: Any) -> None:
    names: set[str] = set()
    for change, objects in (
        ("new", session.new),
        ("dirty", session.dirty),
        ("deleted", session.deleted),
    ):
        for instance in objects:
            table = getattr(type(instance), "__tablename__", None)
            if table not in WATCHED:
                continue
            if change == "dirty" and not session.is_modified(instance):
                continue
            names.update(_names_for(instance, change))
    if names:
        _bump(session, names)


def _do_orm_execute(state: Any) -> Any:
    if not (state.is_update or state.is_delete):
        return None
    mapper = state.bind_mapper
    table = getattr(mapper, "local_table", None) if mapper is not None else None
    if table is None or table.name not in WATCHED:
        return None
    names = state.execution_options.get("bumps")
    if names is None:
        raise UnnamedBulkChange(
            f"a bulk change of {table.name} must say which versions it changes: "
            ".execution_options(bumps=(...)); see popupstore/versions.py"
        )
    result = state.invoke_statement()
    # A statement that changed no row changed nothing a copy shows.
    if names and getattr(result, "rowcount", 1):
        _bump(state.session, set(names))
    return result


def bump(*names: str) -> None:
    """Bump these names in the current transaction (for changes the hooks cannot see)."""
    _bump(db.session(), set(names))


def _bump(session: Session, names: set[str]) -> None:
    connection = session.connection()
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    for name in sorted(names):  # one order everywhere, so two writers never deadlock
        statement = insert(VersionCounter).values(name=name, value=1)
        statement = statement.on_conflict_do_update(
            index_elements=[VersionCounter.name], set_={"value": VersionCounter.value + 1}
        )
        connection.execute(statement)
    session.info.setdefault(BUMPED, set()).update(names)


def _after_commit(session: Session) -> None:
    names = session.info.pop(BUMPED, None)
    if names and has_app_context():
        remembered(current_app).forget(names)


def _after_rollback(session: Session) -> None:
    session.info.pop(BUMPED, None)


# --- reading --------------------------------------------------------------------------------


class Remembered:
    """What this worker last read of each name, reused for at most `ttl` seconds."""

    def __init__(self, ttl: float, size: int = 8192) -> None:
        self._ttl = ttl
        self._size = size
        self._lock = threading.Lock()
        self._values: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def get(self, names: Sequence[str]) -> tuple[int, ...] | None:
        if self._ttl <= 0:
            return None
        now = time.monotonic()
        found: list[int] = []
        with self._lock:
            for name in names:
                entry = self._values.get(name)
                if entry is None or now - entry[0] >= self._ttl:
                    return None
                found.append(entry[1])
        return tuple(found)

    def put(self, values: dict[str, int]) -> None:
        if self._ttl <= 0:
            return
        now = time.monotonic()
        with self._lock:
            for name, value in values.items():
                self._values[name] = (now, value)
                self._values.move_to_end(name)
            while len(self._values) > self._size:
                self._values.popitem(last=False)

    def forget(self, names: Iterable[str]) -> None:
        with self._lock:
            for name in names:
                self._values.pop(name, None)


def remembered(app: Flask) -> Remembered:
    found: Remembered = app.extensions[EXTENSION]
    return found


_READ = select(VersionCounter.name, VersionCounter.value).where(
    VersionCounter.name.in_(bindparam("names", expanding=True))
)


def current(*names: str) -> tuple[int, ...]:
    """The versions of `names` now, in that order (0 for a name never bumped): one query.

    Whatever answers from data (the match index, the API, staff pages) reads them here, so
    it never misses a change another worker committed a moment ago.
    """
    rows = dict(db.session.connection().execute(_READ, {"names": list(names)}).all())
    values = {name: int(rows.get(name, 0)) for name in names}
    remembered(current_app).put(values)
    return tuple(values[name] for name in names)


def recent(*names: str) -> tuple[int, ...]:
    """The versions of `names` as this worker read them at most FRESHNESS_SECONDS ago.

    For the question "has anything changed since?" of a kept page or a poll: at a busy
    moment hundreds of requests a second ask it, and a second's delay is invisible. A
    worker's own commits are seen at once.
    """
    found = remembered(current_app).get(names)
    return found if found is not None else current(*names)


def state(*names: str) -> tuple[tuple[str, int], ...]:
    """The (name, version) pairs of `names`, `recent`: what a kept page is kept under."""
    return tuple(zip(names, recent(*names), strict=True))


def tag(*names: str) -> str:
    """The `recent` versions of `names` as one short string, for an ETag."""
    return ".".join(str(value) for value in recent(*names))


MEMO = "popupstore_version_memo"


class Memo:
    """Small facts a worker derived from the database, each kept with the versions of the
    names it depends on (e.g. which event is active)."""

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._values: OrderedDict[Hashable, tuple[tuple[int, ...], Any]] = OrderedDict()

    def get(self, key: Hashable, names: Sequence[str], load: Callable[[], Any]) -> Any:
        # Read the versions before the data: a change landing in between costs a reload.
        now = recent(*names)
        with self._lock:
            found = self._values.get(key)
        if found is not None and found[0] == now:
            return found[1]
        value = load()
        with self._lock:
            self._values[key] = (now, value)
            self._values.move_to_end(key)
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value


def memo(key: Hashable, names: Sequence[str], load: Callable[[], Any]) -> Any:
    """`load()`, reused by this worker while the `recent` versions of `names` stay the same
    (for small facts of kept pages and polls, e.g. which event is active)."""
    found: Memo = current_app.extensions[MEMO]
    return found.get(key, names, load)


def event_data_sql(event_id: Any) -> Any:
    """The name `event_data(<id>)` as an SQL expression of an event id column, so that a
    look-up can read a row and the version it is valid under in one statement."""
    return literal("event:") + cast(event_id, String)


def version_of_sql(name: Any) -> Any:
    """A scalar subquery: the version of the name `name` (an SQL expression), 0 if unset."""
    return (
        select(func.coalesce(func.max(VersionCounter.value), 0))
        .where(VersionCounter.name == name)
        .scalar_subquery()
    )


def init_versions(app: Flask) -> None:
    app.extensions[EXTENSION] = Remembered(float(app.config.get("FRESHNESS_SECONDS", 1.0)))
    app.extensions[MEMO] = Memo()
    # The listeners sit on the extension's session, shared by every app in the process
    # (tests build many); they find their app through the app context.
    target = db.session
    for name, listener in (
        ("after_flush", _after_flush),
        ("do_orm_execute", _do_orm_execute),
        ("after_commit", _after_commit),
        ("after_rollback", _after_rollback),
    ):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)
