"""Event-wide views on the baskets: product overlap and collaborations per province."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

from popupstore.matching.index import Wanter, named_collaboration, record_want
from popupstore.matching.model import UNKNOWN_PROVINCE, Basket, Collaboration


@dataclass(frozen=True, slots=True)
class ProductCount:
    """How many baskets want and have one product."""

    product: str
    want: int
    have: int


@dataclass(frozen=True, slots=True)
class PairCount:
    """How many baskets hold both products ``a`` and ``b`` (``a < b`` by slug)."""

    a: str
    b: str
    count: int


@dataclass(frozen=True, slots=True)
class Overlap:
    """The facilitator's overlap view (JSON: Overlap in the OpenAPI document).

    ``products`` holds the products with a count above 0, sorted by slug; ``pairs`` the product
    pairs held together by at least one basket, sorted by ``a`` then ``b``.
    """

    checkouts: int
    products: list[ProductCount]
    pairs: list[PairCount]


def overlap(baskets: Iterable[Basket]) -> Overlap:
    """Count baskets, want/have per product and baskets per pair of products."""
    checkouts = 0
    wants: Counter[str] = Counter()
    haves: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for basket in baskets:
        checkouts += 1
        for product, intent in basket.items.items():
            (wants if intent == "want" else haves)[product] += 1
        pairs.update(combinations(sorted(basket.items), 2))
    return Overlap(
        checkouts=checkouts,
        products=[
            ProductCount(product, wants[product], haves[product])
            for product in sorted(wants.keys() | haves.keys())
        ],
        pairs=[PairCount(a, b, count) for (a, b), count in sorted(pairs.items())],
    )


def event_collaborations(
    baskets: Iterable[Basket], owners: Mapping[str, str]
) -> list[Collaboration]:
    """Every product wanted by at least two organisations of one province, per province.

    Organisations are told apart by their key; those wanted by a consenting visitor are
    named by display name (sorted, distinct), the others counted in ``unnamed``; province
    ``"onbekend"`` never counts. ``owners`` maps slugs to owners ("" when missing).
    One entry per (product, province), sorted by product, then province.
    """
    wanted: dict[tuple[str, str], dict[str, Wanter]] = {}
    for basket in baskets:
        if basket.province == UNKNOWN_PROVINCE:
            continue
        for product, intent in basket.items.items():
            if intent == "want":
                record_want(wanted.setdefault((product, basket.province), {}), basket)
    found = (
        named_collaboration(product, province, wanters, owners.get(product, ""))
        for (product, province), wanters in sorted(wanted.items())
    )
    return [collaboration for collaboration in found if collaboration is not None]
