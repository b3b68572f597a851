"""Keep receipt tokens, names and e-mail addresses out of logs.

A receipt token is the key to a visitor's personal data and travels in URLs
(`/r/<token>`, `/api/v1/receipts/<token>`), so every request log would show it.
The store's own code never logs names or e-mail addresses, but an exception's
message may quote the value that caused it (openpyxl, for one, repeats the whole
cell), and no pattern can tell a name from other words. So a traceback keeps its
frames and exception types and loses the messages; e-mail addresses are blanked
wherever they appear, a second line of defence for messages from libraries; and
control characters in logged values are escaped, so a value cannot forge lines.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any
from urllib.parse import unquote, unquote_plus

from flask import Flask

_TOKEN_PATHS = re.compile(r"(/r/|/api/v1/receipts/)[^/\s?#\"']+")
_EMAIL = re.compile(r"[^\s@\"'<>()\[\],;:/]+@[^\s@\"'<>()\[\],;:/]+\.[A-Za-z]{2,}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# The lines of a formatted traceback that come from code, not from data. Exception
# groups prefix them with "|" and "+" markers.
_MARGIN = r"^[ |+\-]*"
_TRACEBACK_HEADER = re.compile(
    _MARGIN + r"(Exception Group )?Traceback \(most recent call last\):$"
)
_CHAIN = re.compile(
    _MARGIN + r"(The above exception was the direct cause of the following exception:"
    r"|During handling of the above exception, another exception occurred:)$"
)
_FRAME = re.compile(r'^([ |+\-]*)File ".*", line \d+, in .*$')
_MARKERS = re.compile(
    _MARGIN + r"([\^~]+ *)+$|" + _MARGIN + r"\[Previous line repeated \d+ more times?\]$"
)
_EXCEPTION_LINE = re.compile(r"^([ |+\-]*)([A-Za-z_][\w.]*)(:.*)?$")
WITHHELD = "[message withheld]"

# The loggers that see request lines, tracebacks or our own messages. gunicorn's access
# log is not among them: `server.AccessLog` redacts its fields as it builds them.
REDACTED_LOGGERS = ("werkzeug", "gunicorn.error")


def _without_exception_messages(text: str) -> str:
    """A text holding formatted tracebacks with every exception's message withheld.

    Frames, source lines and exception types stay; the message after "Type:" and any
    lines it continues on are replaced, up to the next traceback of the chain.
    """
    kept: list[str] = []
    state = "text"  # text -> frames -> message -> (header or chain) -> frames ...
    source_margin = None  # how the source line under the last frame line starts
    for line in text.split("\n"):
        frame = _FRAME.match(line)
        if _TRACEBACK_HEADER.match(line):
            state, source_margin = "frames", None
            kept.append(line)
        elif _CHAIN.match(line):
            state = "text"
            kept.append(line)
        elif state == "text":
            kept.append(line)
        elif state == "frames":
            if frame is not None:
                source_margin = frame.group(1) + "  "
                kept.append(line)
            elif source_margin is not None and line.startswith(source_margin):
                source_margin = None
                kept.append(line)
            elif not line.strip() or _MARKERS.match(line):
                kept.append(line)
            else:
                found = _EXCEPTION_LINE.match(line)
                if found is None:
                    kept.append(WITHHELD)
                else:
                    margin, name, message = found.groups()
                    kept.append(f"{margin}{name}: {WITHHELD}" if message else margin + name)
                state = "message"
        elif not line.strip():
            # A chain starts with an empty line; a message may hold one too, so keep
            # only the empty lines (they say nothing).
            kept.append(line)
    return "\n".join(kept)


def redact(text: str) -> str:
    """`text` with receipt tokens in paths, e-mail addresses and exception messages blanked."""
    if "Traceback (most recent call last):" in text:
        text = _without_exception_messages(text)
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


def _escape_control(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def escape_controls(text: str) -> str:
    """`text` with control characters written as \\xNN, so that it stays on one line and
    cannot forge another."""
    return _CONTROL.sub(_escape_control, text)


def _redact_value(value: Any) -> Any:
    """A logged value redacted; a value on one line stays on one line."""
    if not isinstance(value, str):
        return value
    redacted = redact(value)
    if "Traceback (most recent call last):" in value:
        return redacted
    return escape_controls(redacted)


def redact_exception(exc_info: Any) -> str:
    """A logged exception (`LogRecord.exc_info`) as text without personal data."""
    return redact("".join(traceback.format_exception(*exc_info)).rstrip("\n"))


class RedactTokens(logging.Filter):
    """A logging filter that blanks receipt tokens, e-mail addresses and exception messages.

    A record's exception is formatted here, redacted, and kept as its `exc_text`; the
    exception object itself is dropped from the record, so no handler can format it again.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redact_value(v) for k, v in record.args.items()}
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact_exception(record.exc_info)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
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
