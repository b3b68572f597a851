"""Factories for the matching tests: baskets with sensible defaults."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from popupstore.matching import Basket, Intent

MakeBasket = Callable[..., Basket]


def _make_basket(
    number: int,
    items: Mapping[str, Intent],
    organisation: str = "Breda",
    *,
    province: str = "Noord-Brabant",
    share_contact: bool = True,
    name: str | None = None,
) -> Basket:
    """A basket whose organisation key is the lower-cased display name."""
    return Basket(
        number=number,
        items=items,
        organisation=organisation.casefold(),
        organisation_name=organisation,
        province=province,
        share_contact=share_contact,
        name=name if name is not None else f"Bezoeker {number}",
    )


@pytest.fixture(scope="session")
def make_basket() -> MakeBasket:
    """``make_basket(number, items, organisation="Breda", *, province, share_contact, name)``."""
    return _make_basket
