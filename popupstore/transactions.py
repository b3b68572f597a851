"""The one way a request or a command ends its unit of work.

Services change things and `flush()`; the view or command around them commits once, or
rolls everything back when something raised (docs/architecture.md, "Transactions").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from .extensions import db


@contextmanager
def committed() -> Iterator[None]:
    """Commit what the block did when it ends; roll all of it back when it raises."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
