"""Bearer-token authentication for the staff endpoints."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from ..auth.models import User
from ..auth.services import user_for_token
from ..security import count_failed_lookup, mark_roles
from .errors import ApiError

F = TypeVar("F", bound=Callable[..., Any])


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def token_required(*roles: str) -> Callable[[F], F]:
    """Let the view run only for a valid token of one of `roles` (401, then 403)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = bearer_token()
            user: User | None = user_for_token(token) if token else None
            if user is None:
                count_failed_lookup()
                raise ApiError(401)
            if not user.has_role(*roles):
                raise ApiError(403)
            g.api_user = user
            return view(*args, **kwargs)

        return mark_roles(wrapper, roles, via="token")  # type: ignore[return-value]

    return decorate
