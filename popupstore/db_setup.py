"""Per-connection database settings and physical clean-up after erasing personal data."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event, text

from .extensions import db

SQLITE_BUSY_TIMEOUT_MS = 30000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer writes; NORMAL is durable across process
    # crashes in WAL mode (a power cut may lose the last commits, never corrupt the file).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    # Erased names and e-mail addresses are overwritten with zeros instead of lingering
    # in free space of the database file.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)


def upgrade_schema() -> None:
    """Bring the schema to the newest migration (creates it on an empty database)."""
    from flask_migrate import upgrade

    upgrade()


def scrub_erased_data() -> bool:
    """Remove old copies of erased rows from the database's files; call after the commit.

    SQLite keeps earlier versions of changed pages in its write-ahead log until a
    checkpoint copies the new pages into the database file; a TRUNCATE checkpoint also
    empties the log. `secure_delete` has already zeroed the freed space. Returns
    False when a reader kept the checkpoint from finishing (it then happens later, at
    the next automatic checkpoint). PostgreSQL removes old row versions itself (VACUUM).
    """
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as connection:
        busy, _log, _done = connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")).one()
        connection.commit()
    return not busy
