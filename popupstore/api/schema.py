"""The JSON API's request bodies, described once: the OpenAPI document shows each description
as JSON Schema (`json_schema()`) and the views validate bodies with the same description
(`validate`), so the document and the validation cannot drift apart.

Semantics are JSON Schema's (2020-12, as OpenAPI 3.1 uses it): 12.0 is an integer and true
is not; null is allowed only where the type says so; unknown properties are ignored; a
property's `default` fills in when it is absent, not when it is null. Problems are reported
in Dutch by dotted path (`items.0.intent`), all at once.

Rules that JSON Schema cannot state — a product that must be in the catalog and once per
basket, text lengths counted after cleaning white space, the form of an e-mail address, the
order of two table sizes — are the services' to check after this; the descriptions say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from ..basket.models import INTENTS
from ..basket.payload import EMAIL_LIMIT, NAME_LIMIT, ORGANISATION_LIMIT, ROLE_LIMIT
from ..basket.session import MAX_ITEMS
from ..errors import ValidationError
from ..matching.tables import (
    DEFAULT_MAX_SIZE,
    DEFAULT_MIN_SIZE,
    MAX_TABLE_SIZE,
    MIN_TABLE_SIZE,
    TableSizeError,
    check_table_sizes,
    whole_number,
)
from ..organisations import ORGANISATION_TYPES, provinces

Problems = dict[str, str]


def _at(path: str, name: str | int) -> str:
    return f"{path}.{name}" if path else str(name)


def _types(name: str, nullable: bool) -> str | list[str]:
    return [name, "null"] if nullable else name


def _annotated(schema: dict[str, Any], description: str | None) -> dict[str, Any]:
    if description:
        schema["description"] = description
    return schema


class Part:
    """One value of a body: its JSON Schema and its check."""

    description: str | None = None
    default: Any = None  # filled in by the enclosing Object when the property is absent

    def json_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def check(self, value: Any, path: str, problems: Problems) -> Any:
        """The value as the services take it (12.0 becomes 12), or None after adding what is
        wrong with it to `problems` under `path`."""
        raise NotImplementedError


@dataclass(frozen=True)
class Integer(Part):
    minimum: int
    maximum: int
    default: int | None = None
    description: str | None = None

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer", "minimum": self.minimum}
        schema["maximum"] = self.maximum
        if self.default is not None:
            schema["default"] = self.default
        return _annotated(schema, self.description)

    def check(self, value: Any, path: str, problems: Problems) -> int | None:
        number = whole_number(value)
        if number is None:
            problems[path] = str(_l("Vul een heel getal in."))
        elif not self.minimum <= number <= self.maximum:
            problems[path] = str(
                _l("Kies %(low)d tot en met %(high)d.", low=self.minimum, high=self.maximum)
            )
            return None
        return number


def storable(text: str) -> bool:
    """No database stores a NUL character in text (PostgreSQL refuses it), and a lone UTF-16
    surrogate, which JSON can write as an escape, is not encodable as UTF-8."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class Text(Part):
    """A string without NUL characters (or lone surrogates, which JSON Schema has no word
    for: its strings are Unicode characters)."""

    non_empty: bool = False
    nullable: bool = False
    description: str | None = None

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": _types("string", self.nullable)}
        if self.non_empty:
            schema["minLength"] = 1
        schema["pattern"] = "^[^\\u0000]*$"
        return _annotated(schema, self.description)

    def check(self, value: Any, path: str, problems: Problems) -> str | None:
        if value is None and self.nullable:
            return None
        if not isinstance(value, str):
            problems[path] = str(_l("Moet tekst zijn."))
            return None
        if self.non_empty and not value:
            problems[path] = str(_l("Vul dit in."))
            return None
        if not storable(value):
            problems[path] = str(_l("Bevat een teken dat niet bewaard kan worden."))
            return None
        return value


@dataclass(frozen=True)
class Choice(Part):
    """One of a few strings (or null, when None is among them)."""

    options: tuple[str | None, ...]
    description: str | None = None

    def json_schema(self) -> dict[str, Any]:
        schema = {"type": _types("string", None in self.options), "enum": list(self.options)}
        return _annotated(schema, self.description)

    def check(self, value: Any, path: str, problems: Problems) -> str | None:
        # `True in ("",)` is False, but `0 == False`: compare strings and null only.
        if (value is None and None in self.options) or (
            isinstance(value, str) and value in self.options
        ):
            return value
        shown = ", ".join(option for option in self.options if option)
        problems[path] = str(_l("Kies een van: %(types)s.", types=shown))
        return None


@dataclass(frozen=True)
class Boolean(Part):
    nullable: bool = False
    default: bool | None = None
    description: str | None = None

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": _types("boolean", self.nullable)}
        if self.default is not None:
            schema["default"] = self.default
        return _annotated(schema, self.description)

    def check(self, value: Any, path: str, problems: Problems) -> bool | None:
        if isinstance(value, bool) or (value is None and self.nullable):
            return value
        problems[path] = str(_l("Moet true of false zijn."))
        return None


@dataclass(frozen=True)
class List(Part):
    items: Part
    min_items: int
    max_items: int
    too_few: LazyString
    too_many: LazyString
    description: str | None = None

    def json_schema(self) -> dict[str, Any]:
        schema = {
            "type": "array",
            "minItems": self.min_items,
            "maxItems": self.max_items,
            "items": self.items.json_schema(),
        }
        return _annotated(schema, self.description)

    def check(self, value: Any, path: str, problems: Problems) -> list[Any] | None:
        if not isinstance(value, list):
            problems[path] = str(_l("Moet een lijst zijn."))
            return None
        if len(value) < self.min_items:
            problems[path] = str(self.too_few)
            return None
        if len(value) > self.max_items:
            problems[path] = str(self.too_many)
            return None
        return [
            self.items.check(item, _at(path, index), problems) for index, item in enumerate(value)
        ]


@dataclass(frozen=True)
class Object(Part):
    """An object with these properties. `all_of` adds JSON Schema for a rule across them,
    which the service that owns the rule checks (JSON Schema cannot compare two values)."""

    properties: Mapping[str, Part]
    required: tuple[str, ...] = ()
    description: str | None = None
    all_of: tuple[dict[str, Any], ...] = ()
    defaults: Mapping[str, Any] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        defaults = {
            name: part.default for name, part in self.properties.items() if part.default is not None
        }
        object.__setattr__(self, "defaults", defaults)

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "object"}
        if self.required:
            schema["required"] = list(self.required)
        schema["properties"] = {name: part.json_schema() for name, part in self.properties.items()}
        if self.all_of:
            schema["allOf"] = list(self.all_of)
        return _annotated(schema, self.description)

    def check(self, value: Any, path: str, problems: Problems) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            problems[path] = str(_l("Moet een object zijn."))
            return None
        checked: dict[str, Any] = {}
        for name, part in self.properties.items():
            inner = _at(path, name)
            if name in value:
                checked[name] = part.check(value[name], inner, problems)
            elif name in self.required:
                problems[inner] = str(_l("Vul dit in."))
            elif name in self.defaults:
                checked[name] = self.defaults[name]
        return checked


def validate(body: Object, value: Any, message: str | LazyString) -> dict[str, Any]:
    """`value` checked against `body`: its known properties, defaults filled in and whole
    numbers as ints. Raises ValidationError (422) with `message` and every problem by path."""
    problems: Problems = {}
    checked = body.check(value, "", problems)
    if problems or checked is None:
        raise ValidationError(str(message), problems)
    return checked


def _sizes_allowed(min_size: int, max_size: int) -> bool:
    try:
        check_table_sizes(min_size, max_size)
    except TableSizeError:
        return False
    return True


def _when(name: str, size: int, then: dict[str, Any]) -> dict[str, Any]:
    return {"if": {"required": [name], "properties": {name: {"const": size}}}, "then": then}


def _table_sizes_in_order() -> tuple[dict[str, Any], ...]:
    """The table-size rule's "min_size <= max_size" in JSON Schema, which cannot compare two
    values but can list them: for each max_size the largest min_size allowed with it, and for
    each min_size the smallest max_size; the other size is required when its default would
    break the rule. Read off `check_table_sizes`, so the document says what the service
    checks."""
    sizes = range(MIN_TABLE_SIZE, MAX_TABLE_SIZE + 1)
    clauses = []
    for size in sizes:
        largest_min = max(low for low in sizes if _sizes_allowed(low, size))
        then: dict[str, Any] = {"properties": {"min_size": {"maximum": largest_min}}}
        if not _sizes_allowed(DEFAULT_MIN_SIZE, size):
            then["required"] = ["min_size"]
        clauses.append(_when("max_size", size, then))
        smallest_max = min(high for high in sizes if _sizes_allowed(size, high))
        then = {"properties": {"max_size": {"minimum": smallest_max}}}
        if not _sizes_allowed(size, DEFAULT_MAX_SIZE):
            then["required"] = ["max_size"]
        clauses.append(_when("min_size", size, then))
    return tuple(clauses)


@cache
def tables_request() -> Object:
    """The body of POST /events/{slug}/tables."""
    return Object(
        {
            "min_size": Integer(
                MIN_TABLE_SIZE,
                MAX_TABLE_SIZE,
                default=DEFAULT_MIN_SIZE,
                description="The fewest people at a table; at most max_size",
            ),
            "max_size": Integer(
                MIN_TABLE_SIZE,
                MAX_TABLE_SIZE,
                default=DEFAULT_MAX_SIZE,
                description="The most people at a table",
            ),
        },
        description=f"Table sizes, {MIN_TABLE_SIZE} <= min_size <= max_size <= {MAX_TABLE_SIZE} "
        "(a min_size above max_size is a 422 on min_size); the body may be left out.",
        all_of=_table_sizes_in_order(),
    )


_FREE_TEXT = (
    "Free text: Unicode NFC; white space, tabs and line breaks collapse to one space and "
    "are trimmed; other control characters, bidirectional controls (U+061C, U+200E, U+200F, "
    "U+202A-U+202E, U+2066-U+2069) and values with nothing visible are a 422 on this field. "
    "The length counts characters after this cleaning."
)


@cache
def checkout_request() -> Object:
    """The body of POST /events/{slug}/checkouts."""
    return Object(
        {
            "items": List(
                Object(
                    {
                        "product": Text(
                            non_empty=True,
                            description="The slug of an active product of the catalog "
                            "(GET /products); each product once per basket, else a 422",
                        ),
                        "intent": Choice(
                            tuple(INTENTS),
                            description="want: interested; have: has experience to share",
                        ),
                    },
                    required=("product", "intent"),
                ),
                min_items=1,
                max_items=MAX_ITEMS,
                too_few=_l("Je mandje is leeg."),
                too_many=_l("Hoogstens %(n)d producten.", n=MAX_ITEMS),
            ),
            "visitor": Object(
                {
                    "name": Text(
                        non_empty=True, description=f"1 to {NAME_LIMIT} characters. {_FREE_TEXT}"
                    ),
                    "organisation": Text(
                        non_empty=True,
                        description=f"1 to {ORGANISATION_LIMIT} characters. {_FREE_TEXT}",
                    ),
                    "organisation_type": Choice(
                        (*ORGANISATION_TYPES, "", None),
                        description="Absent, null or empty: not given",
                    ),
                    "role": Text(
                        nullable=True,
                        description=f"At most {ROLE_LIMIT} characters; absent, null or empty: "
                        f"not given. {_FREE_TEXT}",
                    ),
                    "email": Text(
                        nullable=True,
                        description=f"One @, a non-empty local part, a domain with a dot, at most "
                        f"{EMAIL_LIMIT} characters; absent, null or empty: not given. "
                        f"{_FREE_TEXT}",
                    ),
                    "share_contact": Boolean(
                        nullable=True,
                        default=False,
                        description="Consent to be shown to others; absent or null: false",
                    ),
                    "province": Choice(
                        (*provinces(), "", None),
                        description="The work area of an organisation that is not a "
                        "municipality (a municipality's own province always wins); absent, "
                        "null or empty: not given",
                    ),
                    "follow_up": Boolean(
                        nullable=True,
                        default=False,
                        description="Mail the receipt link, and one follow-up question after "
                        "the event; true without `email` is a 422",
                    ),
                    "across_series": Boolean(
                        nullable=True,
                        default=False,
                        description="Also match with consenting visitors of the other events "
                        "of this event's series (`series_matches`)",
                    ),
                },
                required=("name", "organisation"),
            ),
        },
        required=("items", "visitor"),
        description="Unknown extra properties are ignored.",
    )
