"""Staff login and logout."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from ..extensions import db, login_manager
from ..ratelimits import LOGIN
from ..security import mark_roles, public
from .forms import LoginForm
from .services import authenticate

bp = Blueprint("auth", __name__)

F = TypeVar("F", bound=Callable[..., Any])


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirects).

    A path with a control, format or separator character (other than the space) is
    refused as well: a redirect's Location header cannot carry a CR or LF, and browsers
    drop tabs and line breaks from an address, so "/<tab>/site" would lead to "//site".
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if not target.isprintable():
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return None
    return target


def role_required(*roles: str) -> Callable[[F], F]:
    """Staff pages: log in first (redirect), then the role must fit (403).

    The check of Flask-Login's `login_required`, with the user looked up once for both
    questions: staff screens poll, and each look-up through the request context counts.
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user._get_current_object()
            if not user.is_authenticated:
                return login_manager.unauthorized()
            if not user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return mark_roles(wrapper, roles, via="session")  # type: ignore[return-value]

    return decorate


def home_for(user: Any) -> str:
    if user.role == "organiser" and "organiser.index" in current_app.view_functions:
        return url_for("organiser.index")
    return url_for("facilitator.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Response | str:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
    error = None
    if request.method == "POST":
        # Refused before the password is even checked once this address failed too often.
        LOGIN.check()
    if form.validate_on_submit():
        user = authenticate(form.username.data or "", form.password.data or "")
        if user is not None:
            login_user(user)
            db.session.commit()
            flash(_("Je bent ingelogd."), "success")
            return redirect(safe_next(form.next.data) or home_for(user))
        LOGIN.spend()
        # The same words whether the name or the password was wrong.
        error = _("Gebruikersnaam of wachtwoord klopt niet.")
    # The language switch must not echo ?next= back into the page.
    return render_template(
        "auth/login.html", form=form, error=error, language_next=url_for("auth.login")
    )


@bp.post("/logout")
@public
def logout() -> Response:
    logout_user()
    flash(_("Je bent uitgelogd."), "success")
    return redirect(url_for("auth.login"))
