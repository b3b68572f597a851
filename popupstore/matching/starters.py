"""A one-line conversation starter for a duo or trio, from what its members share.

Pure: it picks what to talk about and who does or wants it; the screens word it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from popupstore.matching.model import Basket, idf_value, intent_weight


@dataclass(frozen=True, slots=True)
class Starter:
    """The product to start with: receipt numbers of the members who already do it (the
    ones to ask) and of those who want it, each sorted; ``everyone`` when all members
    hold it."""

    product: str
    doing: tuple[int, ...]
    wanting: tuple[int, ...]
    everyone: bool


def conversation_starter(
    members: Sequence[Basket], holders: Mapping[str, int], checkouts: int
) -> Starter | None:
    """What `members` (a duo or trio) should talk about first, or None when no two of them
    hold the same product.

    Among the products at least two members hold: the one most of them hold, then the one
    whose pairs weigh most under the matching rules (an "ask how" pair of a doer and a
    wanter weighs most; rare products more than common ones, by their idf in an event of
    `checkouts` baskets where `holders` counts each product's holders), then the lowest
    slug.
    """
    shared: dict[str, list[Basket]] = {}
    for basket in members:
        for product in basket.items:
            shared.setdefault(product, []).append(basket)
    candidates = {product: held for product, held in shared.items() if len(held) >= 2}
    if not candidates:
        return None

    def weight(product: str) -> float:
        count = holders.get(product, len(candidates[product]))
        idf = idf_value(max(checkouts, count), count)
        return sum(
            intent_weight(a.items[product], b.items[product]) * idf
            for a, b in combinations(candidates[product], 2)
        )

    product = min(candidates, key=lambda p: (-len(candidates[p]), -weight(p), p))
    held = candidates[product]
    return Starter(
        product=product,
        doing=tuple(sorted(b.number for b in held if b.items[product] == "have")),
        wanting=tuple(sorted(b.number for b in held if b.items[product] == "want")),
        everyone=len(held) == len(members),
    )
