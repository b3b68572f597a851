"""Domain errors raised by services; views turn them into pages or JSON errors."""

from __future__ import annotations

from collections.abc import Mapping

import click


class DomainError(Exception):
    """A rule of the store was not met. `message` is for people, `fields` maps paths to reasons."""

    status = 422
    code = "validation_error"

    def __init__(self, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.fields = {path: str(reason) for path, reason in (fields or {}).items()}


class ValidationError(DomainError):
    status = 422
    code = "validation_error"


class NotFoundError(DomainError):
    status = 404
    code = "not_found"


class ConflictError(DomainError):
    status = 409
    code = "conflict"


class CommandError(click.ClickException):
    """Bad input on the command line: exit 2 with one line on stderr."""

    exit_code = 2
