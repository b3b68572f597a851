"""Who may open a route: every view is marked public or staff-only where it is defined.

`public` marks a view anyone may open. `role_required` (pages, session login) and
`token_required` (JSON API, bearer token) mark the staff roles they let in. A test walks
the URL map and fails on any view that carries no mark, so a new route cannot slip in
unclassified.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from .ratelimits import TOKEN_LOOKUPS

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


def count_failed_lookup() -> None:
    """Count a look-up of a secret token that found nothing; 429 once over the budget.

    Only failures count and only failures are refused: a whole venue shares one address,
    and a visitor who holds a real token keeps their receipt while someone else at the
    venue is being stopped. With 192-bit tokens the budget is against load, not luck.
    Answering a hit costs nothing, which matters for 240 phones polling their receipts.
    """
    TOKEN_LOOKUPS.spend()
