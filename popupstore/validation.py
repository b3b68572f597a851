"""Free text: one rule for every field the store accepts, and text any writer can take.

Input (web forms, the JSON API, product files, the command line) goes through
`FreeText`: Unicode NFC; white space, tabs and line breaks collapse to one space
and are trimmed (a multi-line field keeps its line breaks); any other control
character (category Cc), a lone surrogate or a bidirectional control is refused,
and so is a value with nothing visible left (only spaces, zero-width or format
characters). Lengths count characters after this cleaning. Every refusal is a
Dutch message from one table, for the field it is about.

Output (CSV and XLSX cells, text drawn in PDFs) goes through `safe_text` /
`one_line`: rows stored before this rule existed are not re-validated, they are made
harmless where they are written (logs have their own filter, `popupstore.redaction`).
This module is plumbing: it imports no domain package.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form
from wtforms.validators import StopValidation

from .text import (
    BIDI_CONTROLS,
    REPLACEMENT,
    code_point,
    collapse_lines,
    collapse_white_space,
    is_forbidden,
    is_visible,
)


class Messages:
    """Every message the free-text rule gives, in one place."""

    REQUIRED = _l("Vul dit in.")
    TOO_LONG = _l("Hoogstens %(n)d tekens.")
    FORBIDDEN = _l("Bevat een teken dat hier niet mag (%(code)s).")
    INVISIBLE = _l("Bevat geen zichtbare tekens.")
    NOT_TEXT = _l("Moet tekst zijn.")


def too_long(limit: int) -> str:
    """The message for a value over `limit` characters."""
    return str(Messages.TOO_LONG) % {"n": limit}


class FreeTextError(ValueError):
    """A value the rule refuses; `message` says why, in Dutch, for the field's label."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class FreeText:
    """The rule for one free-text field: at most `limit` characters after cleaning.

    `required` fields refuse an empty value; optional ones turn it into None.
    `multiline` fields keep their line breaks (as "\\n"), trimming each line.
    """

    limit: int
    required: bool = True
    multiline: bool = False

    def clean(self, value: Any) -> str | None:
        """The cleaned value (None for an optional field left empty); FreeTextError if refused."""
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise FreeTextError(str(Messages.NOT_TEXT))
        forbidden = next((char for char in value if is_forbidden(char)), None)
        if forbidden is not None:
            raise FreeTextError(str(Messages.FORBIDDEN) % {"code": code_point(forbidden)})
        text = unicodedata.normalize("NFC", value)
        text = collapse_lines(text) if self.multiline else collapse_white_space(text)
        if not text:
            if self.required:
                raise FreeTextError(str(Messages.REQUIRED))
            return None
        if not any(is_visible(char) for char in text):
            raise FreeTextError(str(Messages.INVISIBLE))
        if len(text) > self.limit:
            raise FreeTextError(too_long(self.limit))
        return text

    def check(self, fields: dict[str, str], path: str, value: Any) -> str | None:
        """`clean`, but a refusal goes into `fields[path]` and gives None."""
        try:
            return self.clean(value)
        except FreeTextError as error:
            fields[path] = error.message
            return None


class CleanText:
    """A WTForms validator: the field's data becomes the cleaned text, or validation stops
    with the rule's message."""

    def __init__(self, rule: FreeText) -> None:
        self.rule = rule

    def __call__(self, form: Form, field: Field) -> None:
        try:
            field.data = self.rule.clean(field.data)
        except FreeTextError as error:
            raise StopValidation(error.message) from None


def show_field_errors(form: Form, fields: Mapping[str, str], prefix: str = "") -> list[str]:
    """Put each message of `fields` (keyed by dotted path) on the form field it names.

    A path is the field's name, or `prefix` followed by it (e.g. "visitor.name" with
    prefix "visitor."). A message the field already shows (the form and the service
    check by the same rule) is not repeated. Returns the messages no field took.
    """
    unplaced: list[str] = []
    for path, message in fields.items():
        name = path[len(prefix) :] if prefix and path.startswith(prefix) else path
        if name not in form:
            unplaced.append(message)
            continue
        field = form[name]
        if message not in field.errors:
            field.errors = [*field.errors, message]
    return unplaced


# --- output: text any writer can take ---------------------------------------------------------


# XML 1.0 (so XLSX) takes no other controls, no lone surrogates and neither of these two.
_NOT_IN_XML = frozenset("\ufffe\uffff")
_WRITABLE_CONTROLS = frozenset("\t\n\r")


def _is_unwritable(char: str) -> bool:
    if char in _WRITABLE_CONTROLS:
        return False
    if char in BIDI_CONTROLS or char in _NOT_IN_XML:
        return True
    return unicodedata.category(char) in ("Cc", "Cs")


def safe_text(value: str) -> str:
    """`value` with every character a file format or a screen may choke on or be fooled by
    (controls other than tab and line breaks, bidirectional controls, lone surrogates,
    non-characters) replaced by U+FFFD, so the reader sees that something was there."""
    if value.isprintable():
        return value
    return "".join(REPLACEMENT if _is_unwritable(char) else char for char in value)


def one_line(value: str) -> str:
    """`safe_text` on one line: all white space, line breaks included, as single spaces."""
    return collapse_white_space(safe_text(value))
