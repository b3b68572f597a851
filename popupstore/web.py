"""What every page shares: error pages, response headers, template context."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
from flask.sansio.app import App
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from flask_login import current_user, logout_user, user_logged_in
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.http import quote_etag
from werkzeug.middleware.proxy_fix import ProxyFix

from .errors import DomainError
from .extensions import db
from .i18n import LANGUAGE_KEY
from .redaction import redact
from .validation import safe_text

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

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
# Pages that refresh themselves send "X-Requested-With: fetch"; such requests are not
# activity.
BACKGROUND_HEADER = ("X-Requested-With", "fetch")


def screen_text(value: Any) -> Any:
    """Jinja's `finalize`: every value a template prints, made safe to show.

    New input cannot hold controls or bidirectional controls (`validation.FreeText`), but
    rows stored before that rule may: printed as they are, they could reorder the text
    around them on another visitor's screen or the wall. Markup (a translated sentence
    with a name in it) is cleaned too: the characters replaced are never HTML syntax."""
    if isinstance(value, Markup):
        return value if value.isprintable() else Markup(safe_text(str(value)))
    if isinstance(value, str):
        return safe_text(value)
    return value


def base_url() -> str:
    """POPUPSTORE_BASE_URL without a trailing slash, else this request's own host."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return str(configured)
    return request.host_url.rstrip("/")


# Polled fragments hold data of one visitor or of staff: never in a shared cache, always
# revalidated.
POLLED_CACHE_CONTROL = "no-cache, private"


def reset_visitor(session: MutableMapping[str, Any], *, keep_language: bool) -> None:
    """Forget everything of the visitor on this device: basket, receipt, answers (a new
    visitor at the kiosk, a staff login or logout on a shared tablet)."""
    language = session.get(LANGUAGE_KEY)
    session.clear()
    if keep_language and language:
        session[LANGUAGE_KEY] = language


def wants_json() -> bool:
    """A page's script asked for JSON (to update the page in place), not a new page."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


def polled_fragment(etag: str, render: Callable[[], str]) -> Response:
    """A fragment that a page fetches every few seconds with If-None-Match.

    While `etag` is what the poller already holds, the answer is an empty 304 and `render`
    is never called; so a poll of something unchanged costs only working out `etag`.
    """
    headers = {"ETag": quote_etag(etag), "Cache-Control": POLLED_CACHE_CONTROL}
    if request.if_none_match.contains(etag):
        return NotModified(status=304, headers=headers)
    return Response(render(), headers=headers)


class NotModified(Response):
    """An empty 304: no body, so no content type to work out."""

    default_mimetype = None


JSON_ERRORS = "popupstore_json_errors"


@dataclass(frozen=True, slots=True)
class JsonErrors:
    """How a JSON API under `prefix` answers errors, instead of with an HTML page."""

    prefix: str
    http_exception: Callable[[HTTPException], Response]
    domain_error: Callable[[DomainError], Response]
    unexpected: Callable[[], Response]


def answer_errors_as_json(app: App, errors: JsonErrors) -> None:
    """Let requests under `errors.prefix` get their errors from `errors` (the JSON API
    registers itself here, so this module needs to know nothing of it)."""
    app.extensions[JSON_ERRORS] = errors


def _json_errors() -> JsonErrors | None:
    errors: JsonErrors | None = current_app.extensions.get(JSON_ERRORS)
    if errors is not None and request.path.startswith(errors.prefix):
        return errors
    return None


def _handle_http_exception(error: HTTPException) -> Any:
    json_errors = _json_errors()
    if json_errors is not None:
        return json_errors.http_exception(error)
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
    json_errors = _json_errors()
    if json_errors is not None:
        return json_errors.domain_error(error)
    return _error_page(error.status, error.message)


def _handle_unexpected(error: Exception) -> Any:
    current_app.logger.exception("Unhandled error on %s %s", request.method, redact(request.path))
    db.session.rollback()
    json_errors = _json_errors()
    if json_errors is not None:
        return json_errors.unexpected()
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


SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("Permissions-Policy", PERMISSIONS_POLICY),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
)


class SecurityHeaders:
    """WSGI middleware: the security headers on every answer the app gives.

    Pages, static files, the API, error pages and 304s all pass through here. A view may
    set its own value of any of these headers; only missing ones are added. HTML and the
    API also get `Cache-Control: no-store` unless the view chose a policy itself.

    This sits at the WSGI boundary rather than in an `after_request` hook: the values are
    constants, so they are appended to the header list as they are instead of being
    checked one by one by Werkzeug's `Headers` on every request, which was a tenth of the
    cost of a polled 304.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self.lowered = tuple((name.lower(), name, value) for name, value in SECURITY_HEADERS)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        api = environ.get("PATH_INFO", "").startswith("/api/")
        secure = environ.get("wsgi.url_scheme") == "https"

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = {}
            for name, value in headers:
                present[name.lower()] = value
            headers.extend((name, value) for low, name, value in self.lowered if low not in present)
            if secure and "strict-transport-security" not in present:
                headers.append(("Strict-Transport-Security", HSTS))
            if "cache-control" not in present:
                mimetype = present.get("content-type", "").partition(";")[0].strip().lower()
                if api or mimetype == "text/html":
                    headers.append(("Cache-Control", NO_STORE))
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def _reject_nul_bytes() -> None:
    """No text the store keeps or looks up may hold a NUL byte (PostgreSQL refuses them)."""
    # These run on every request, so they read the raw WSGI values: the path as sent, and
    # the query string, where a NUL can only arrive percent-encoded, without parsing the
    # arguments of every request.
    environ = request.environ
    path = environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    if "\x00" in path or "\x00" in query or "%00" in query:
        raise BadRequest()
    # Only a form body remains to look at; the JSON API reads its body itself and answers
    # a form body with 415.
    if not environ.get("CONTENT_TYPE") or path.startswith("/api/"):
        return
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        for key, value in request.form.items(multi=True):
            if "\x00" in key or "\x00" in value:
                raise BadRequest()


def _staff_idle_logout() -> None:
    """Log staff out after STAFF_IDLE_MINUTES without activity (the booth tablet is shared).

    Only this device's session ends: the time of last activity is in its signed cookie, so
    an idle cookie cannot be revived by anyone, and the staff member's other devices stay
    logged in.
    """
    if not current_user.is_authenticated:
        return
    now = int(time.time())
    seen = session.get(STAFF_SEEN_KEY)
    minutes = int(current_app.config["STAFF_IDLE_MINUTES"])
    if not isinstance(seen, int) or isinstance(seen, bool) or not 0 <= now - seen <= minutes * 60:
        logout_user()
        session.pop(STAFF_SEEN_KEY, None)
        if isinstance(seen, int):
            flash(
                _(
                    "Je bent uitgelogd omdat je %(minutes)d minuten niets hebt gedaan.",
                    minutes=minutes,
                ),
                "info",
            )
        return
    if now - seen < STAFF_SEEN_GRANULARITY:
        return
    background = request.headers.get(BACKGROUND_HEADER[0]) == BACKGROUND_HEADER[1]
    if not background and request.endpoint != "static":
        session[STAFF_SEEN_KEY] = now


def _mark_staff_active(_sender: Any, **_extra: Any) -> None:
    session[STAFF_SEEN_KEY] = int(time.time())


def _template_context() -> dict[str, Any]:
    return {
        "idle_seconds": current_app.config["KIOSK_IDLE_SECONDS"],
        "staff_idle_seconds": int(current_app.config["STAFF_IDLE_MINUTES"]) * 60,
        "format_date": format_date,
        "format_datetime": format_datetime,
        "format_decimal": format_decimal,
        "current_language": session.get("lang", current_app.config["BABEL_DEFAULT_LOCALE"]),
    }


def init_web(app: Flask) -> None:
    from .redaction import install_log_redaction

    install_log_redaction(app)
    # Inside ProxyFix (below), so it sees the scheme the client used.
    app.wsgi_app = SecurityHeaders(app.wsgi_app)  # type: ignore[method-assign]
    trusted = int(app.config["TRUSTED_PROXIES"])
    if trusted:
        # Only behind that many proxies of our own are X-Forwarded-For/-Proto true.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=trusted, x_proto=trusted
        )

    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(DomainError, _handle_domain_error)
    app.register_error_handler(Exception, _handle_unexpected)
    app.before_request(_reject_nul_bytes)
    app.before_request(_staff_idle_logout)
    user_logged_in.connect(_mark_staff_active, app)
    app.context_processor(_template_context)
