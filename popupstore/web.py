"""What every page shares: error pages, response headers, template context."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Request
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from flask_login import logout_user, user_logged_in
from flask_wtf.csrf import CSRFError
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from .errors import DomainError
from .extensions import db, login_manager
from .redaction import redact

# The visitor's pages show personal data on a shared tablet: never keep them in a cache.
NO_STORE = "no-store, max-age=0"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
HSTS = "max-age=31536000"

# When a staff member last did something, in seconds since the epoch (kept in the session).
STAFF_SEEN_KEY = "staff_seen"
# Refresh the timestamp at most this often, so not every request rewrites the cookie.
STAFF_SEEN_GRANULARITY = 30
# Pages that refresh themselves send this header; such requests are not activity.
BACKGROUND_HEADER = ("X-Requested-With", "fetch")


def base_url() -> str:
    """POPUPSTORE_BASE_URL without a trailing slash, else this request's own host."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return str(configured)
    return request.host_url.rstrip("/")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _handle_http_exception(error: HTTPException) -> Any:
    if _wants_json():
        from .api.errors import from_http_exception

        return from_http_exception(error)
    status = error.code or 500
    if status < 400:
        return error
    description = _error_text(status)
    if isinstance(error, CSRFError):
        description = _(
            "Dit formulier is verlopen of kwam niet van deze site. "
            "Laad de pagina opnieuw en probeer het nog eens."
        )
    response = _error_page(status, description)
    for name, value in error.get_headers():
        if name.lower() in ("retry-after", "allow"):
            response.headers[name] = value
    return response


def _handle_domain_error(error: DomainError) -> Any:
    """A domain error that reached a page view (an API view answers JSON itself)."""
    db.session.rollback()
    if _wants_json():
        from .api.errors import from_domain_error

        return from_domain_error(error)
    return _error_page(error.status, error.message)


def _handle_unexpected(error: Exception) -> Any:
    current_app.logger.exception("Unhandled error on %s %s", request.method, redact(request.path))
    db.session.rollback()
    if _wants_json():
        from .api.errors import error_response

        return error_response(500, "Something went wrong on our side.")
    return _error_page(500, _error_text(500))


def _error_page(status: int, description: str) -> Response:
    """An error page; it never echoes the address asked for (it may hold a receipt token),
    so the answer to a wrong token looks the same whatever the token was."""
    return Response(
        render_template(
            "errors/error.html",
            status=status,
            description=description,
            language_next=url_for("catalog.start"),
        ),
        status=status,
    )


def _error_text(status: int) -> str:
    texts = {
        400: _("Dit verzoek kunnen we niet lezen."),
        403: _("Hiervoor heb je geen toegang."),
        404: _("Deze pagina bestaat niet (meer)."),
        405: _("Dat kan op deze pagina niet."),
        413: _("Dat bestand is te groot."),
        429: _("Te veel pogingen. Wacht even en probeer het opnieuw."),
        500: _("Er ging bij ons iets mis. Probeer het opnieuw."),
    }
    return texts.get(status, _("Er ging iets mis."))


def _security_headers() -> tuple[tuple[str, str, str], ...]:
    """(lowercase name, name, value) of the headers every response carries."""
    pairs = (
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("Permissions-Policy", PERMISSIONS_POLICY),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
    )
    return tuple((name.lower(), name, value) for name, value in pairs)


SECURITY_HEADERS = _security_headers()


def _set_headers(response: Response) -> Response:
    """Security headers on every response: pages, static files, the API, errors and 304s.

    A view may set its own value of any of them; only missing ones are added. (This runs
    on every request, so the header list is read once instead of once per header.)
    """
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    missing = [(name, value) for low, name, value in SECURITY_HEADERS if low not in present]
    if request.is_secure and "strict-transport-security" not in present:
        missing.append(("Strict-Transport-Security", HSTS))
    if "cache-control" not in present and (
        response.mimetype == "text/html" or request.path.startswith("/api/")
    ):
        missing.append(("Cache-Control", NO_STORE))
    headers.extend(missing)
    return response


def _reject_nul_bytes() -> None:
    """No text the store keeps or looks up may hold a NUL byte (PostgreSQL refuses them)."""
    if "\x00" in request.path:
        raise BadRequest()
    # A NUL in the query string can only arrive percent-encoded; look at the raw bytes
    # instead of parsing the arguments of every request.
    query = request.query_string
    if query and (b"\x00" in query or b"%00" in query):
        raise BadRequest()
    # The JSON API reads its body itself and answers a form body with 415.
    if _wants_json():
        return
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            if "\x00" in key or "\x00" in value:
                raise BadRequest()


def _staff_idle_logout() -> None:
    """Log staff out after STAFF_IDLE_MINUTES without activity (the booth tablet is shared)."""
    if "_user_id" not in session:
        return
    now = int(time.time())
    seen = session.get(STAFF_SEEN_KEY)
    limit = int(current_app.config["STAFF_IDLE_MINUTES"]) * 60
    if not isinstance(seen, int) or isinstance(seen, bool) or not 0 <= now - seen <= limit:
        logout_user()
        session.pop(STAFF_SEEN_KEY, None)
        if isinstance(seen, int):
            flash(
                _(
                    "Je bent uitgelogd omdat je %(minutes)d minuten niets hebt gedaan.",
                    minutes=current_app.config["STAFF_IDLE_MINUTES"],
                ),
                "info",
            )
        return
    background = request.headers.get(BACKGROUND_HEADER[0]) == BACKGROUND_HEADER[1]
    if not background and request.endpoint != "static" and now - seen >= STAFF_SEEN_GRANULARITY:
        session[STAFF_SEEN_KEY] = now


def _mark_staff_active(_sender: Any, **_extra: Any) -> None:
    session[STAFF_SEEN_KEY] = int(time.time())


def _template_context() -> dict[str, Any]:
    from .basket.services import SessionBasket

    return {
        "basket_count": len(SessionBasket(session)) if not _wants_json() else 0,
        "idle_seconds": current_app.config["KIOSK_IDLE_SECONDS"],
        "staff_idle_seconds": int(current_app.config["STAFF_IDLE_MINUTES"]) * 60,
        "format_date": format_date,
        "format_datetime": format_datetime,
        "format_decimal": format_decimal,
        "current_language": session.get("lang", current_app.config["BABEL_DEFAULT_LOCALE"]),
    }


FLAT_VALUES = (str, int, float, bool, type(None))


def _thawed(value: Any) -> Any:
    """A copy of session contents: containers copied, everything else immutable anyway."""
    if isinstance(value, dict):
        if all(isinstance(item, FLAT_VALUES) for item in value.values()):
            return dict(value)
        return {key: _thawed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_thawed(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_thawed(item) for item in value)
    return value


class StoreSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, cheaper for screens that poll with the same cookie.

    The signer is built once per app instead of once per request, and a worker keeps the
    contents of the cookies it verified for a minute: a staff screen polling every few
    seconds sends the same cookie each time, and checking its signature and unpacking it
    again was a large part of answering with a 304. The cache key is the whole signed
    cookie, so only a cookie that passed the signature check once is ever reused, and a
    copy is handed out so a request can never change the cached contents.
    """

    REUSE_SECONDS = 60.0
    SIZE = 1024

    def __init__(self) -> None:
        self._verified: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        signer = app.extensions.get("popupstore_session_signer")
        if signer is None:
            signer = super().get_signing_serializer(app)
            app.extensions["popupstore_session_signer"] = signer
        return signer

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # Most answers leave the session untouched: nothing to write, only to say that the
        # answer depended on the cookie. (Sessions are not permanent, so an untouched one
        # never needs its cookie sent again.)
        if not session.modified and not session.permanent:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return super().open_session(app, request)
        now = time.monotonic()
        with self._lock:
            known = self._verified.get(value)
        if known is not None and now - known[0] < self.REUSE_SECONDS:
            return self.session_class(_thawed(known[1]))
        opened = super().open_session(app, request)
        if opened is not None and opened:
            with self._lock:
                self._verified[value] = (now, _thawed(dict(opened)))
                while len(self._verified) > self.SIZE:
                    self._verified.popitem(last=False)
        return opened


def init_web(app: Flask) -> None:
    from .auth.services import StaffUser, load_staff_user
    from .redaction import install_log_redaction

    app.session_interface = StoreSessionInterface()
    install_log_redaction(app)
    trusted = int(app.config["TRUSTED_PROXIES"])
    if trusted:
        # Only behind that many proxies of our own are X-Forwarded-For/-Proto true.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=trusted, x_proto=trusted
        )

    @login_manager.user_loader
    def _load_user(user_id: str) -> StaffUser | None:
        if not user_id.isdigit():
            return None
        return load_staff_user(int(user_id))

    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(DomainError, _handle_domain_error)
    app.register_error_handler(Exception, _handle_unexpected)
    app.before_request(_reject_nul_bytes)
    app.before_request(_staff_idle_logout)
    user_logged_in.connect(_mark_staff_active, app)
    app.after_request(_set_headers)
    app.context_processor(_template_context)
