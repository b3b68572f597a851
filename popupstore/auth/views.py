"""Staff login and logout, and the guard of staff pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ..extensions import login_manager
from ..ratelimits import LOGIN
from ..security import mark_roles, public
from ..transactions import committed
from ..web import reset_visitor
from .forms import LoginForm
from .roles import ORGANISER
from .services import authenticate, end_sessions, load_staff_user

bp = Blueprint("auth", __name__)


@bp.record_once
def _staff_logins(state: BlueprintSetupState) -> None:
    """Flask-Login finds staff members through this package, and sends the logged-out
    to its login page."""
    login_manager.user_loader(load_staff_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None


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
    """Staff pages: log in first (Flask-Login's `login_required`), then the role must fit (403).

    Whatever lets `login_required` through without a login (its `LOGIN_DISABLED` setting,
    an OPTIONS request) passes the role check too: there is no one whose role to check.
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def check_role(*args: Any, **kwargs: Any) -> Any:
            if current_user.is_authenticated and not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return mark_roles(login_required(check_role), roles, via="session")

    return decorate


def home_for(user: Any) -> str:
    if user.role == ORGANISER and "organiser.index" in current_app.view_functions:
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
        # Refused before the password is even checked once this account, or this address,
        # failed too often.
        LOGIN.check(request.form.get("username", ""))
    if form.validate_on_submit():
        # Counted as a failure before the password is checked, given back when it is right.
        attempt = LOGIN.attempt(form.username.data or "")
        user = authenticate(form.username.data or "", form.password.data or "")
        if user is not None:
            attempt.succeeded()
            # A new session: nothing of the one before the login is kept but the language,
            # so a session (and CSRF token) someone planted in this browser is worth
            # nothing once staff log in. Flask-WTF makes a new CSRF token on the next page.
            with committed():
                reset_visitor(session, keep_language=True)
                login_user(user)
            flash(_("Je bent ingelogd."), "success")
            return redirect(safe_next(form.next.data) or home_for(user))
        # The same words whether the name or the password was wrong.
        error = _("Gebruikersnaam of wachtwoord klopt niet.")
    # The language switch must not echo ?next= back into the page.
    return render_template(
        "auth/login.html", form=form, error=error, language_next=url_for("auth.login")
    )


def end_staff_session(*, keep_language: bool) -> None:
    """Log the staff member of this request out everywhere: every copy of every session
    cookie they hold stops working, and this browser starts a new session."""
    if current_user.is_authenticated:
        with committed():
            end_sessions(current_user.id)
    logout_user()
    reset_visitor(session, keep_language=keep_language)


@bp.post("/logout")
@public
def logout() -> Response:
    end_staff_session(keep_language=True)
    flash(_("Je bent uitgelogd."), "success")
    return redirect(url_for("auth.login"))
