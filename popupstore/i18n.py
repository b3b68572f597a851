"""Language choice: Dutch first; English on request."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    gettext,
    refresh,
)

LANGUAGE_KEY = "lang"


def select_locale() -> str:
    config = current_app.config
    languages = config["LANGUAGES"]
    if has_request_context():
        if not request.path.startswith("/api/"):
            chosen = session.get(LANGUAGE_KEY)
            if chosen in languages:
                return str(chosen)
        else:
            # Scripts calling the API may ask for English; the kiosk starts in Dutch.
            best = request.accept_languages.best_match(languages)
            if best:
                return str(best)
    return str(config["BABEL_DEFAULT_LOCALE"])


def select_timezone() -> str:
    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def today() -> date:
    """Today's date where the store stands (the app's time zone)."""
    return datetime.now(ZoneInfo(select_timezone())).date()


def format_moment(moment: datetime) -> str:
    """A date and time as people of the chosen language write it, in the store's timezone."""
    return gettext(
        "%(date)s, %(time)s",
        date=format_date(moment, "long"),
        time=format_time(moment, "short"),
    )


def _forget_earlier_language() -> None:
    # Only where an earlier request left Flask-Babel's cache on `g`; a request served in
    # its own app context (every request in production) has nothing to forget.
    if "_flask_babel" in g:
        refresh()


def init_i18n(app: Flask) -> None:
    """Per-request language, and date/number formatting for every template.

    Flask-Babel caches the locale on `g`, which lives as long as the app context; when a
    caller keeps one app context around several requests (the test client inside
    `app.app_context()`), a language switch would not show until that context ends.
    """
    app.before_request(_forget_earlier_language)
    # Globals, so that macros imported without context can format too.
    app.jinja_env.globals.update(
        format_date=format_date,
        format_time=format_time,
        format_datetime=format_datetime,
        format_decimal=format_decimal,
        format_moment=format_moment,
    )
