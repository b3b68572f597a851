"""What a checkout carries, and how a request (JSON body or the checkout form) becomes one.

The rules of the API's checkout body live here once; the kiosk's form hands its fields to
the same functions, so both refuse the same things with the same field messages.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from ..errors import ValidationError
from ..organisations import ORGANISATION_TYPES, provinces
from ..validation import FreeText
from .models import INTENTS
from .session import MAX_ITEMS

NAME_LIMIT = 80
ORGANISATION_LIMIT = 120
ROLE_LIMIT = 80
EMAIL_LIMIT = 254
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class VisitorDetails:
    name: str
    organisation: str
    organisation_type: str | None = None
    role: str | None = None
    email: str | None = None
    share_contact: bool = False
    province: str | None = None
    follow_up: bool = False
    across_series: bool = False


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    items: tuple[tuple[str, str], ...]
    visitor: VisitorDetails

    def as_json(self) -> dict[str, Any]:
        """The request as a canonical JSON body (what the kiosk form would have sent)."""
        visitor = self.visitor
        return {
            "items": [{"product": slug, "intent": intent} for slug, intent in self.items],
            "visitor": {
                "name": visitor.name,
                "organisation": visitor.organisation,
                "organisation_type": visitor.organisation_type,
                "role": visitor.role,
                "email": visitor.email,
                "share_contact": visitor.share_contact,
                "province": visitor.province,
                "follow_up": visitor.follow_up,
                "across_series": visitor.across_series,
            },
        }


def _optional_text(fields: dict[str, str], path: str, value: Any, limit: int) -> str | None:
    return FreeText(limit, required=False).check(fields, path, value)


def _required_text(fields: dict[str, str], path: str, value: Any, limit: int) -> str:
    return FreeText(limit).check(fields, path, value) or ""


def _flag(fields: dict[str, str], path: str, value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        fields[path] = str(_l("Moet true of false zijn."))
        return False
    return value


def valid_email(value: str) -> bool:
    return len(value) <= EMAIL_LIMIT and EMAIL.match(value) is not None


def parse_visitor(data: Any, fields: dict[str, str], prefix: str = "visitor.") -> VisitorDetails:
    """Validate visitor details; problems go into `fields` by dotted path."""
    if not isinstance(data, dict):
        fields[prefix.rstrip(".")] = str(_l("Moet een object zijn."))
        return VisitorDetails(name="", organisation="")
    name = _required_text(fields, prefix + "name", data.get("name"), NAME_LIMIT)
    organisation = _required_text(
        fields, prefix + "organisation", data.get("organisation"), ORGANISATION_LIMIT
    )
    organisation_type = _optional_text(
        fields, prefix + "organisation_type", data.get("organisation_type"), 40
    )
    if organisation_type is not None and organisation_type not in ORGANISATION_TYPES:
        fields[prefix + "organisation_type"] = str(
            _l("Kies een van: %(types)s.", types=", ".join(ORGANISATION_TYPES))
        )
        organisation_type = None
    role = _optional_text(fields, prefix + "role", data.get("role"), ROLE_LIMIT)
    email = _optional_text(fields, prefix + "email", data.get("email"), EMAIL_LIMIT)
    if email is not None and not valid_email(email):
        fields[prefix + "email"] = str(_l("Dit is geen geldig e-mailadres."))
        email = None
    province = _optional_text(fields, prefix + "province", data.get("province"), 40)
    if province is not None and province not in provinces():
        fields[prefix + "province"] = str(
            _l("Kies een van de provincies: %(names)s.", names=", ".join(provinces()))
        )
        province = None
    share_contact = _flag(fields, prefix + "share_contact", data.get("share_contact"))
    follow_up = _flag(fields, prefix + "follow_up", data.get("follow_up"))
    if follow_up and email is None and prefix + "email" not in fields:
        fields[prefix + "follow_up"] = str(
            _l("Vul je e-mailadres in als je je bon en de vraag achteraf wilt ontvangen.")
        )
    across_series = _flag(fields, prefix + "across_series", data.get("across_series"))
    return VisitorDetails(
        name,
        organisation,
        organisation_type,
        role,
        email,
        share_contact,
        province,
        follow_up,
        across_series,
    )


def parse_items(data: Any, fields: dict[str, str]) -> tuple[tuple[str, str], ...]:
    if not isinstance(data, list):
        fields["items"] = str(_l("Moet een lijst zijn."))
        return ()
    if not data:
        fields["items"] = str(_l("Je mandje is leeg."))
        return ()
    if len(data) > MAX_ITEMS:
        fields["items"] = str(_l("Hoogstens %(n)d producten.", n=MAX_ITEMS))
        return ()
    items: list[tuple[str, str]] = []
    seen: set[str] = set()
    for index, entry in enumerate(data):
        path = f"items.{index}"
        if not isinstance(entry, dict):
            fields[path] = str(_l("Moet een object zijn."))
            continue
        product = entry.get("product")
        intent = entry.get("intent")
        if not isinstance(product, str) or not product:
            fields[path + ".product"] = str(_l("Vul een product in."))
        elif product in seen:
            fields[path + ".product"] = str(_l("Dit product staat al in het mandje."))
        if intent not in INTENTS:
            fields[path + ".intent"] = str(_l("Moet 'want' of 'have' zijn."))
        if isinstance(product, str) and product and product not in seen and intent in INTENTS:
            seen.add(product)
            items.append((product, intent))
    return tuple(items)


def parse_checkout_payload(data: Any) -> CheckoutRequest:
    """Turn a JSON checkout body into a CheckoutRequest, or raise ValidationError (422)."""
    fields: dict[str, str] = {}
    if not isinstance(data, dict):
        raise ValidationError(str(_l("De inhoud moet een object zijn.")))
    items = parse_items(data.get("items"), fields)
    visitor = parse_visitor(data.get("visitor"), fields)
    if fields:
        raise ValidationError(str(_l("De bestelling klopt niet.")), fields)
    return CheckoutRequest(items=items, visitor=visitor)


def request_fingerprint(body: Any) -> str:
    """A hash of the parsed body that ignores key order and white space."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
