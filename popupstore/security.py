"""Who may open a route: every view is marked public or staff-only where it is defined.

`public` marks a view anyone may open. `role_required` (pages, session login) and
`token_required` (JSON API, bearer token) mark the staff roles they let in. A test walks
the URL map and fails on any view that carries no mark, so a new route cannot slip in
unclassified.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from flask import current_app
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse
from werkzeug.exceptions import TooManyRequests

from .extensions import limiter

F = TypeVar("F", bound=Callable[..., Any])

ACCESS_ATTRIBUTE = "popupstore_access"
PUBLIC = "public"


def public(view: F) -> F:
    """Mark a view as open to anyone, visitors included."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def mark_roles(view: F, roles: tuple[str, ...], via: str) -> F:
    """Record on a view that only staff of `roles` may use it, logged in `via` session or token."""
    setattr(view, ACCESS_ATTRIBUTE, (via, tuple(roles)))
    return view


def access_of(view: Callable[..., Any]) -> Any:
    """The mark a view carries: PUBLIC, ("session" | "token", roles), or None."""
    return getattr(view, ACCESS_ATTRIBUTE, None)


@cache
def _budget(limit: str) -> RateLimitItem:
    return parse(limit)


def count_failed_lookup() -> None:
    """Count a look-up of a secret token that found nothing; 429 once over the budget.

    One budget per client address covers every route that looks up a secret token
    (receipt pages, their QR codes and live parts, agreements, the receipts API, staff API
    tokens), so a guesser cannot spread attempts over routes. Only failures count and only
    failures are refused: a whole venue shares one address, and a visitor who holds a real
    token keeps their receipt while someone else at the venue is being stopped. Answering
    a hit costs nothing, which matters for 240 phones polling their receipts.
    """
    budget = _budget(str(current_app.config["RATELIMIT_TOKEN_LOOKUP"]))
    if not limiter.limiter.hit(budget, "token-lookups", get_remote_address()):
        raise TooManyRequests(retry_after=int(budget.get_expiry()))
