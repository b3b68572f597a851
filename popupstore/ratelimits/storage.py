"""A `limits` storage in the application database: counts every worker of every server sees.

`limits` lets an application bring its own storage by subclassing `limits.storage.Storage`
and implementing its abstract methods; the fixed-window strategy needs nothing more. This
one keeps one row per key in `rate_limit_counter` (models.py) and behaves as the library's
Redis and memory storages do: a key's window opens at its first hit and lasts `expiry`
seconds, the next hit after that opens a new one.

Every call runs on a connection of its own from the engine's pool, in a transaction of its
own that ends before the call returns: a request that rolls back keeps the failure it
counted, and a counted failure commits nothing of the request's own work.

Concurrency: a hit is a single `INSERT … ON CONFLICT (key) DO UPDATE … RETURNING count`,
which SQLite (3.35+) and PostgreSQL both run atomically, so two workers counting the same
key at the same moment both count and each learns its own total.

The storage is not registered under a URI scheme (`STORAGE_SCHEME`) for
`storage_from_string`: it needs the application's engine, not a URI, so
`popupstore.ratelimits` builds it itself for `database://`.
"""

from __future__ import annotations

import time
from typing import Any

from limits.storage import Storage
from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..config import RATELIMIT_DATABASE_SCHEME as DATABASE_SCHEME
from .models import RateLimitCounter

DATABASE_URI = f"{DATABASE_SCHEME}://"

# The two databases the store runs on; both have INSERT … ON CONFLICT … RETURNING.
_UPSERTS: dict[str, Any] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}

_counters = RateLimitCounter.__table__


def supports_database(engine: Engine) -> bool:
    """Whether counts can be kept in this engine's database (SQLite or PostgreSQL)."""
    return engine.dialect.name in _UPSERTS


class DatabaseStorage(Storage):
    """Fixed-window counters in the `rate_limit_counter` table of `engine`'s database."""

    STORAGE_SCHEME = None

    def __init__(self, engine: Engine, wrap_exceptions: bool = False) -> None:
        if not supports_database(engine):
            raise ValueError(f"no rate-limit counters in a {engine.dialect.name} database")
        super().__init__(DATABASE_URI, wrap_exceptions=wrap_exceptions)
        self.engine = engine
        self._upsert = _UPSERTS[engine.dialect.name]

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the key's count in its current window and return the new count.

        A key without a live window gets a new one of `expiry` seconds. A negative amount
        (giving a counted attempt back) never opens a window and never goes below zero.
        """
        now = time.time()
        if amount < 0:
            return self._give_back(key, -amount, now)
        insert = self._upsert(_counters).values(key=key, count=amount, expires_at=now + expiry)
        window_over = _counters.c.expires_at <= now
        statement = insert.on_conflict_do_update(
            index_elements=[_counters.c.key],
            set_={
                "count": case(
                    (window_over, insert.excluded.count), else_=_counters.c.count + amount
                ),
                "expires_at": case(
                    (window_over, insert.excluded.expires_at), else_=_counters.c.expires_at
                ),
            },
        ).returning(_counters.c.count)
        with self.engine.begin() as connection:
            count = int(connection.execute(statement).scalar_one())
        if count == amount:
            # A window opened: a good moment to drop the windows that are over.
            self._forget_expired(now)
        return count

    def _give_back(self, key: str, amount: int, now: float) -> int:
        statement = (
            _counters.update()
            .where(_counters.c.key == key, _counters.c.expires_at > now)
            .values(count=case((_counters.c.count < amount, 0), else_=_counters.c.count - amount))
            .returning(_counters.c.count)
        )
        with self.engine.begin() as connection:
            count = connection.execute(statement).scalar_one_or_none()
        return int(count or 0)

    def _forget_expired(self, now: float) -> None:
        # Rows another transaction holds (a window being renewed, or another worker
        # cleaning up) are skipped rather than waited for; SQLite has one writer anyway.
        expired = (
            select(_counters.c.key)
            .where(_counters.c.expires_at <= now)
            .with_for_update(skip_locked=True)
        )
        with self.engine.begin() as connection:
            connection.execute(
                delete(_counters).where(_counters.c.key.in_(expired), _counters.c.expires_at <= now)
            )

    def _live_row(self, key: str) -> Any:
        query = select(_counters.c.count, _counters.c.expires_at).where(
            _counters.c.key == key, _counters.c.expires_at > time.time()
        )
        with self.engine.connect() as connection:
            return connection.execute(query).first()

    def get(self, key: str) -> int:
        """The key's count in its current window; 0 when it has none."""
        row = self._live_row(key)
        return int(row.count) if row is not None else 0

    def get_expiry(self, key: str) -> float:
        """When the key's current window ends (seconds since the epoch); now if it has none."""
        row = self._live_row(key)
        return float(row.expires_at) if row is not None else time.time()

    def check(self) -> bool:
        """Whether the database answers."""
        try:
            with self.engine.connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        """Forget every count; returns how many keys there were."""
        with self.engine.begin() as connection:
            return int(connection.execute(delete(_counters)).rowcount)

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(_counters).where(_counters.c.key == key))
