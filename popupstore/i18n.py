"""Language choice: Dutch first; English on request."""

from __future__ import annotations

from flask import current_app, request, session

LANGUAGE_KEY = "lang"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get(LANGUAGE_KEY) if _has_session() else None
    if chosen in languages:
        return str(chosen)
    # Scripts calling the API may ask for English; the kiosk starts in Dutch.
    if request and request.path.startswith("/api/"):
        best = request.accept_languages.best_match(languages)
        if best:
            return str(best)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def select_timezone() -> str:
    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _has_session() -> bool:
    try:
        return bool(request) and not request.path.startswith("/api/")
    except RuntimeError:
        return False
