"""Who may open a route: every view is marked public or staff-only where it is defined.

`public` marks a view anyone may open. `role_required` (pages, session login) and
`token_required` (JSON API, bearer token) mark the staff roles they let in. A test walks
the URL map and fails on any view that carries no mark, so a new route cannot slip in
unclassified.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, current_app

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


def _token_lookup_limit() -> str:
    return str(current_app.config["RATELIMIT_TOKEN_LOOKUP"])


def _failed_lookup(response: Response) -> bool:
    return response.status_code in (401, 404)


# One budget per client address for every route that looks up a secret token (receipt
# pages, their QR codes, the receipts API, staff API tokens): a guesser cannot spread
# the attempts over several routes. Only failed look-ups count, so a visitor's page
# polling its own receipt is never limited.
limit_token_guessing = limiter.shared_limit(
    _token_lookup_limit, scope="token-lookups", deduct_when=_failed_lookup
)
