"""Factories for the matching tests: baskets with sensible defaults, and random events."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest
from hypothesis import strategies as st

from popupstore.matching import Basket, Intent

MakeBasket = Callable[..., Basket]
EventStrategy = Callable[..., st.SearchStrategy[list[Basket]]]

# Organisation key -> (display name, province): an organisation has one province.
ORGANISATIONS: dict[str, tuple[str, str]] = {
    "breda": ("Breda", "Noord-Brabant"),
    "tilburg": ("Tilburg", "Noord-Brabant"),
    "utrecht": ("Utrecht", "Utrecht"),
    "zeist": ("Zeist", "Utrecht"),
    "kredietbank-west": ("Kredietbank West", "onbekend"),
    "woonstad": ("Woonstad", "onbekend"),
}

SILENT_NAME = "Zwijgzame Zeger"


def _make_basket(
    number: int,
    items: Mapping[str, Intent],
    organisation: str = "Breda",
    *,
    province: str = "Noord-Brabant",
    share_contact: bool = True,
    name: str | None = None,
) -> Basket:
    """A basket whose organisation key is the case-folded display name."""
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


@st.composite
def _basket(draw: st.DrawFn, number: int, products: int, organisations: int) -> Basket:
    catalog = [f"p{index}" for index in range(products)]
    chosen = draw(st.lists(st.sampled_from(catalog), min_size=1, max_size=products, unique=True))
    items: dict[str, Intent] = {
        product: draw(st.sampled_from(["want", "have"])) for product in chosen
    }
    key = draw(st.sampled_from(sorted(ORGANISATIONS)[:organisations]))
    display_name, province = ORGANISATIONS[key]
    share_contact = draw(st.booleans())
    return Basket(
        number=number,
        items=items,
        organisation=key,
        organisation_name=display_name,
        province=province,
        share_contact=share_contact,
        name=f"Bezoeker {number}" if share_contact else SILENT_NAME,
    )


@st.composite
def _event(
    draw: st.DrawFn, min_size: int, max_size: int, products: int, organisations: int
) -> list[Basket]:
    numbers = draw(
        st.lists(
            st.integers(1, 3 * max_size + 5), min_size=min_size, max_size=max_size, unique=True
        )
    )
    return [draw(_basket(number, products, organisations)) for number in numbers]


@pytest.fixture(scope="session")
def events() -> EventStrategy:
    """``events(min_size=0, max_size=12, products=5, organisations=4)``: a strategy for lists
    of baskets with distinct numbers, in random order. Few products make many ties."""

    def strategy(
        min_size: int = 0, max_size: int = 12, products: int = 5, organisations: int = 4
    ) -> st.SearchStrategy[list[Basket]]:
        return _event(min_size, max_size, products, organisations)

    return strategy
