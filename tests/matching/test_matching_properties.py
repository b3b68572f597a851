"""Properties of EventIndex on random events, against a brute-force reference of contract §5."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from popupstore.matching import (
    Basket,
    Collaboration,
    EventIndex,
    Match,
    SharedProduct,
    event_collaborations,
    intent_weight,
    overlap,
)

from ..hypothesis_profiles import examples

WEIGHTS = {("want", "want"): 1.0, ("want", "have"): 1.5, ("have", "want"): 1.5}
WEIGHTS[("have", "have")] = 0.5


def reference_score(event: Sequence[Basket], a: Basket, b: Basket) -> float:
    """Straight from §5, over the whole event; terms added in slug order."""
    total = 0.0
    for product in sorted(set(a.items) & set(b.items)):
        holders = sum(1 for basket in event if product in basket.items)
        idf = math.log(1 + len(event) / holders)
        total += WEIGHTS[(a.items[product], b.items[product])] * idf
    return total


def reference_matches(
    event: Sequence[Basket], a: Basket, *, colleagues: bool, limit: int = 5
) -> list[Match]:
    """Every other basket of the event, scored; the event includes ``a``."""
    if all(basket.number != a.number for basket in event):
        event = [*event, a]
    found = []
    for other in event:
        if other.number == a.number or not other.share_contact:
            continue
        if (other.organisation == a.organisation) != colleagues:
            continue
        score = reference_score(event, a, other)
        if score > 0:
            shared = tuple(
                SharedProduct(product, a.items[product], other.items[product])
                for product in sorted(set(a.items) & set(other.items))
            )
            found.append(
                Match(
                    other.number, other.name or "", other.organisation_name, round(score, 4), shared
                )
            )
    found.sort(key=lambda match: (-match.score, match.number))
    return found[:limit]


def reference_collaborations(
    event: Sequence[Basket], a: Basket, owners: dict[str, str]
) -> list[Collaboration]:
    if all(basket.number != a.number for basket in event):
        event = [*event, a]
    result: list[Collaboration] = []
    if a.province == "onbekend":
        return result
    for product in sorted(p for p, intent in a.items.items() if intent == "want"):
        wanting = sorted(
            (b for b in event if b.province == a.province and b.items.get(product) == "want"),
            key=lambda b: b.number,
        )
        organisations = {basket.organisation for basket in wanting}
        if len(organisations) < 2:
            continue
        # Named: an organisation wanted by a consenting visitor (by the lowest-numbered one's
        # spelling), and the asking visitor's own; the others are only counted.
        named: dict[str, str] = {}
        for basket in wanting:
            if basket.share_contact:
                named.setdefault(basket.organisation, basket.organisation_name)
        named.setdefault(a.organisation, a.organisation_name)
        result.append(
            Collaboration(
                product,
                a.province,
                tuple(sorted(set(named.values()))),
                owners.get(product, ""),
                unnamed=len(organisations - named.keys()),
            )
        )
    return result


OWNERS = {"p0": "NVVK", "p2": "Divosa"}


@settings(max_examples=examples(150), deadline=None)
@given(data=st.data())
def test_index_equals_reference(events, data):
    event = data.draw(events(max_size=14))
    limit = data.draw(st.integers(0, 7))
    index = EventIndex(event)
    for basket in event:
        partners = index.partner_matches(basket, limit)
        colleagues = index.colleague_matches(basket, limit)
        assert partners == reference_matches(event, basket, colleagues=False, limit=limit)
        assert colleagues == reference_matches(event, basket, colleagues=True, limit=limit)
        assert index.collaborations(basket, OWNERS) == reference_collaborations(
            event, basket, OWNERS
        )


@settings(max_examples=examples(40), deadline=None)
@given(data=st.data())
def test_index_equals_reference_on_larger_events(events, data):
    # Enough consenting baskets that the numpy preselection of the top five kicks in.
    event = data.draw(events(min_size=80, max_size=120, products=4, organisations=6))
    index = EventIndex(event)
    for basket in event[:8]:
        assert index.partner_matches(basket) == reference_matches(event, basket, colleagues=False)
        assert index.colleague_matches(basket) == reference_matches(event, basket, colleagues=True)


@settings(max_examples=examples(150), deadline=None)
@given(data=st.data())
def test_match_invariants(events, data):
    event = data.draw(events(min_size=1, max_size=14))
    index = EventIndex(event)
    for basket in event:
        for colleagues in (False, True):
            matches = (index.colleague_matches if colleagues else index.partner_matches)(basket)
            assert len(matches) <= 5
            keys = [(-match.score, match.number) for match in matches]
            assert keys == sorted(keys)
            for match in matches:
                other = index.get(match.number)
                assert match.number != basket.number
                assert other.share_contact
                assert match.name != "Zwijgzame Zeger"
                assert (other.organisation == basket.organisation) == colleagues
                assert match.organisation == other.organisation_name
                assert match.score > 0
                assert match.score == round(index.score(basket, other), 4)
                assert [(s.product, s.mine, s.theirs) for s in match.shared] == [
                    (p, basket.items[p], other.items[p])
                    for p in sorted(basket.items.keys() & other.items.keys())
                ]


@settings(max_examples=examples(150), deadline=None)
@given(data=st.data())
def test_score_is_symmetric(events, data):
    event = data.draw(events(min_size=2, max_size=10))
    index = EventIndex(event)
    for a in event:
        for b in event:
            assert index.score(a, b) == index.score(b, a)
            assert index.score(a, b) == reference_score(event, a, b)
            if a.items.keys() & b.items.keys():
                assert index.score(a, b) > 0


@settings(max_examples=examples(150), deadline=None)
@given(data=st.data())
def test_virtual_add_equals_adding_to_a_copy(events, data):
    event = data.draw(events(max_size=12))
    newcomer = data.draw(events(min_size=1, max_size=1))[0]
    event = [basket for basket in event if basket.number != newcomer.number]
    index = EventIndex(event)
    before = (len(index), index.product_counts(), index.baskets(), index.max_number)
    grown = EventIndex([*event, newcomer])
    assert index.partner_matches(newcomer) == grown.partner_matches(newcomer)
    assert index.colleague_matches(newcomer) == grown.colleague_matches(newcomer)
    assert index.collaborations(newcomer, OWNERS) == grown.collaborations(newcomer, OWNERS)
    for basket in event:
        assert index.score(newcomer, basket) == grown.score(newcomer, basket)
    assert (len(index), index.product_counts(), index.baskets(), index.max_number) == before
    assert newcomer.number not in index


@settings(max_examples=examples(100), deadline=None)
@given(data=st.data())
def test_order_of_adding_does_not_matter(events, data):
    event = data.draw(events(max_size=14))
    shuffled = list(event)
    random.Random(data.draw(st.integers(0, 2**32))).shuffle(shuffled)
    first, second = EventIndex(event), EventIndex()
    for basket in shuffled:
        second.add(basket)
    assert first.baskets() == second.baskets() == sorted(event, key=lambda b: b.number)
    assert first.product_counts() == second.product_counts()
    for basket in event:
        assert first.partner_matches(basket) == second.partner_matches(basket)
        assert first.colleague_matches(basket) == second.colleague_matches(basket)
        assert first.collaborations(basket, OWNERS) == second.collaborations(basket, OWNERS)


@settings(max_examples=examples(100), deadline=None)
@given(data=st.data())
def test_event_functions_equal_reference(events, data):
    event = data.draw(events(max_size=14))
    result = overlap(event)
    assert result.checkouts == len(event)
    products = sorted({p for basket in event for p in basket.items})
    assert [(c.product, c.want, c.have) for c in result.products] == [
        (
            p,
            sum(1 for b in event if b.items.get(p) == "want"),
            sum(1 for b in event if b.items.get(p) == "have"),
        )
        for p in products
    ]
    expected_pairs = []
    for i, a in enumerate(products):
        for b in products[i + 1 :]:
            count = sum(1 for basket in event if a in basket.items and b in basket.items)
            if count:
                expected_pairs.append((a, b, count))
    assert [(pair.a, pair.b, pair.count) for pair in result.pairs] == expected_pairs

    collaborations = event_collaborations(event, OWNERS)
    keys = [(c.product, c.province) for c in collaborations]
    assert keys == sorted(set(keys))
    assert all(
        c.province != "onbekend" and len(c.organisations) + c.unnamed >= 2 for c in collaborations
    )
    for basket in event:
        # A visitor sees the same collaborations, with their own organisation named.
        seen = EventIndex(event).collaborations(basket, OWNERS)
        expected = [
            c
            for c in collaborations
            if c.province == basket.province and basket.items.get(c.product) == "want"
        ]
        assert [(c.product, c.province) for c in seen] == [
            (c.product, c.province) for c in expected
        ]
        for mine, everyone in zip(seen, expected, strict=True):
            assert set(everyone.organisations) <= set(mine.organisations)
            assert len(mine.organisations) + mine.unnamed == len(everyone.organisations) + (
                everyone.unnamed
            )


def test_weights_match_the_contract():
    for (mine, theirs), weight in WEIGHTS.items():
        assert intent_weight(mine, theirs) == weight
