"""The visitor's basket, kept in their signed session cookie until checkout."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from flask import request, session
from flask_babel import lazy_gettext as _l

from ..catalog.models import Product
from ..errors import ValidationError
from ..i18n import select_locale
from ..kiosk.services import kiosk_mode
from .models import INTENTS

MAX_ITEMS = 50


class SessionBasket:
    """The products a visitor picked, kept in the (signed) session: slug -> intent."""

    KEY = "basket"

    def __init__(self, session: MutableMapping[str, Any]) -> None:
        self._session = session

    def items(self) -> dict[str, str]:
        stored = self._session.get(self.KEY)
        if not isinstance(stored, dict):
            return {}
        return {str(k): v for k, v in stored.items() if v in INTENTS}

    def __len__(self) -> int:
        return len(self.items())

    def __contains__(self, slug: object) -> bool:
        return slug in self.items()

    def intent(self, slug: str) -> str | None:
        return self.items().get(slug)

    def put(self, product: Product, intent: str) -> None:
        """Add a product or switch its intent; each product is in the basket once."""
        if intent not in INTENTS:
            raise ValidationError(
                str(_l("Kies 'Wil ik' of 'Doen we al'.")), {"intent": "want|have"}
            )
        if not product.active:
            raise ValidationError(str(_l("Dit product is niet meer te koop.")), {"product": ""})
        items = self.items()
        if product.slug not in items and len(items) >= MAX_ITEMS:
            raise ValidationError(
                str(_l("Je mandje is vol: er passen hoogstens %(n)d producten in.", n=MAX_ITEMS)),
                {"product": ""},
            )
        items[product.slug] = intent
        self._session[self.KEY] = items

    def remove(self, slug: str) -> None:
        items = self.items()
        if items.pop(slug, None) is not None:
            self._session[self.KEY] = items

    def clear(self) -> None:
        self._session.pop(self.KEY, None)


RECEIPT_KEY = "receipt"


def remember_receipt(
    session: MutableMapping[str, Any], token: str, number: int, checkout_key: str | None
) -> None:
    """This device checked out: its receipt (and the form's key, against a double tap)."""
    session[RECEIPT_KEY] = {"token": token, "number": number, "key": checkout_key}


def remembered_receipt(session: MutableMapping[str, Any]) -> dict[str, Any]:
    """The receipt this device checked out last, or {} (cleared by "Klaar")."""
    stored = session.get(RECEIPT_KEY)
    return stored if isinstance(stored, dict) else {}


def forget_receipt(session: MutableMapping[str, Any], token: str | None = None) -> None:
    """Forget the device's receipt (only if it is `token`'s, when given)."""
    if token is None or remembered_receipt(session).get("token") == token:
        session.pop(RECEIPT_KEY, None)


def page_variant() -> tuple[Any, ...]:
    """What the visitor's session and request add to a kept page, besides the database:
    the address, the language, kiosk mode and the basket's size (in the header)."""
    return (request.full_path, select_locale(), kiosk_mode(), len(SessionBasket(session)))


def basket_context() -> dict[str, Any]:
    """Template context of every page: the basket's size for the header."""
    return {"basket_count": len(SessionBasket(session))}
