"""Keep receipt tokens and e-mail addresses out of logs.

A receipt token is the key to a visitor's personal data and travels in URLs
(`/r/<token>`, `/api/v1/receipts/<token>`), so every request log would show it.
The store's own code never logs names or e-mail addresses; the e-mail pattern is a
second line of defence for messages from libraries.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote, unquote_plus

from flask import Flask

_TOKEN_PATHS = re.compile(r"(/r/|/api/v1/receipts/)[^/\s?#\"']+")
_EMAIL = re.compile(r"[^\s@\"'<>()\[\],;:/]+@[^\s@\"'<>()\[\],;:/]+\.[A-Za-z]{2,}")

# The loggers that see request lines or our own messages. gunicorn's access log is not
# among them: `server.AccessLog` redacts its fields as it builds them.
REDACTED_LOGGERS = ("werkzeug", "gunicorn.error")


def redact(text: str) -> str:
    """`text` with receipt tokens in paths and e-mail addresses blanked."""
    # Every request line passes here: look for the patterns' fixed parts before running them.
    if "/r/" in text or "/receipts/" in text:
        text = _TOKEN_PATHS.sub(r"\1[token]", text)
    if "@" in text:
        text = _EMAIL.sub("[e-mail]", text)
    return text


def redact_encoded(text: str, *, form: bool = False) -> str:
    """`text` from a URL (a query string, a referrer) redacted as the app reads it.

    `/%72/<token>` opens a receipt just like `/r/<token>`, and `anna%40example.nl` is an
    address: when something had to be blanked, the decoded, redacted text is returned;
    otherwise `text` as it was. `form`: a query string, where `+` is a space.
    """
    decoded = text
    if "%" in text or (form and "+" in text):
        decoded = unquote_plus(text) if form else unquote(text)
    cleaned = redact(decoded)
    return text if cleaned == decoded else cleaned


def redact_request_target(raw: str, path: str, query: str) -> str:
    """The target of a request line as it may be logged: `raw` as sent, unless the decoded
    `path` or `query` held a token or an address; then their redacted, decoded forms."""
    clean_path = redact(path)
    clean_query = redact_encoded(query, form=True)
    if clean_path == path and clean_query == query:
        return raw
    return f"{clean_path}?{clean_query}" if query else clean_path


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """A logging filter that blanks receipt tokens and e-mail addresses in a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redact_value(v) for k, v in record.args.items()}
        return True


class DropResultRows(logging.Filter):
    """SQLAlchemy logs result rows at DEBUG: those are visitors' names and addresses.

    Statements (INFO) still pass; their parameters are hidden by the engine option
    `hide_parameters`.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


def _add_filter(logger: logging.Logger, kind: type[logging.Filter]) -> None:
    if not any(isinstance(f, kind) for f in logger.filters):
        logger.addFilter(kind())


def install_log_redaction(app: Flask | None = None) -> None:
    """Attach the filters to the request logs, the SQL log and the app's own logger."""
    for name in REDACTED_LOGGERS:
        _add_filter(logging.getLogger(name), RedactTokens)
    _add_filter(logging.getLogger("sqlalchemy.engine.Engine"), DropResultRows)
    if app is not None:
        _add_filter(app.logger, RedactTokens)
