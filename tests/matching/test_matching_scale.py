"""EventIndex at the size of a very large event (20,000 baskets); speed is for the benchmarks."""

from __future__ import annotations

import math
import random

from popupstore.matching import Basket, EventIndex, Match, SharedProduct

WEIGHTS = {("want", "want"): 1.0, ("want", "have"): 1.5, ("have", "want"): 1.5}
WEIGHTS[("have", "have")] = 0.5


def synthetic_event(count: int, seed: int) -> list[Basket]:
    """Baskets of 3-8 of 31 products, about 300 organisations, 30 % sharing contact details."""
    rng = random.Random(seed)
    catalog = [f"aanpak-{index:02d}" for index in range(31)]
    baskets = []
    for number in range(1, count + 1):
        organisation = rng.randrange(300)
        baskets.append(
            Basket(
                number=number,
                items={
                    p: rng.choice(("want", "have")) for p in rng.sample(catalog, rng.randint(3, 8))
                },
                organisation=f"org-{organisation}",
                organisation_name=f"Organisatie {organisation}",
                province=("Utrecht", "Gelderland", "onbekend")[organisation % 3],
                share_contact=rng.random() < 0.3,
                name=f"Bezoeker {number}",
            )
        )
    return baskets


def brute_force_partners(event: list[Basket], a: Basket) -> list[Match]:
    counts: dict[str, int] = {}
    for basket in event:
        for product in basket.items:
            counts[product] = counts.get(product, 0) + 1
    found = []
    for other in event:
        if other.number == a.number or not other.share_contact:
            continue
        if other.organisation == a.organisation:
            continue
        shared = sorted(a.items.keys() & other.items.keys())
        if not shared:
            continue
        score = 0.0
        for product in shared:
            idf = math.log(1 + len(event) / counts[product])
            score += WEIGHTS[(a.items[product], other.items[product])] * idf
        found.append(
            Match(
                other.number,
                other.name or "",
                other.organisation_name,
                round(score, 4),
                tuple(SharedProduct(p, a.items[p], other.items[p]) for p in shared),
            )
        )
    found.sort(key=lambda match: (-match.score, match.number))
    return found[:5]


def test_partner_matches_in_a_large_event():
    event = synthetic_event(20_000, seed=2025)
    index = EventIndex(event)
    assert len(index) == 20_000
    newcomer = synthetic_event(20_001, seed=7)[-1]
    for basket in (event[0], event[12_345], newcomer):
        matches = index.partner_matches(basket)
        assert len(matches) == 5
        reference_event = event if basket.number in index else [*event, basket]
        assert matches == brute_force_partners(reference_event, basket)
        assert len(index.colleague_matches(basket)) <= 5
    assert 20_001 not in index and len(index) == 20_000
