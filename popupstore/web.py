"""What every page shares: error pages, response headers, template context."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, render_template, request, session
from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from .errors import DomainError
from .extensions import db, login_manager

# The visitor's pages show personal data on a shared tablet: never keep them in a cache.
NO_STORE = "no-store, max-age=0"


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
    response = Response(
        render_template("errors/error.html", status=status, description=_error_text(status)),
        status=status,
    )
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
    return Response(
        render_template("errors/error.html", status=error.status, description=error.message),
        status=error.status,
    )


def _handle_unexpected(error: Exception) -> Any:
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    db.session.rollback()
    if _wants_json():
        from .api.errors import error_response

        return error_response(500, "Something went wrong on our side.")
    return Response(
        render_template("errors/error.html", status=500, description=_error_text(500)),
        status=500,
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


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    )
    if response.mimetype == "text/html" and "Cache-Control" not in headers:
        headers["Cache-Control"] = NO_STORE
    return response


def _template_context() -> dict[str, Any]:
    from .basket.services import SessionBasket

    return {
        "basket_count": len(SessionBasket(session)) if not _wants_json() else 0,
        "idle_seconds": current_app.config["KIOSK_IDLE_SECONDS"],
        "format_date": format_date,
        "format_datetime": format_datetime,
        "format_decimal": format_decimal,
        "current_language": session.get("lang", current_app.config["BABEL_DEFAULT_LOCALE"]),
    }


def init_web(app: Flask) -> None:
    from .auth.models import User
    from .redaction import install_log_redaction

    install_log_redaction()

    @login_manager.user_loader
    def _load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        return db.session.get(User, int(user_id))

    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(DomainError, _handle_domain_error)
    app.register_error_handler(Exception, _handle_unexpected)
    app.after_request(_set_headers)
    app.context_processor(_template_context)
