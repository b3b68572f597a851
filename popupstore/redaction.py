"""Keep receipt tokens out of logs: they are the key to a visitor's personal data."""

from __future__ import annotations

import logging
import re
from typing import Any

_TOKEN_PATHS = re.compile(r"(/r/|/api/v1/receipts/)[A-Za-z0-9_\-]+")


def redact(text: str) -> str:
    return _TOKEN_PATHS.sub(r"\1[token]", text)


class RedactTokens(logging.Filter):
    """A logging filter that blanks receipt tokens in the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install_log_redaction() -> None:
    """Attach the filter to the development server's request log."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())


def redacted_atoms(atoms: dict[str, Any]) -> dict[str, Any]:
    return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}
