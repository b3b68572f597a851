"""conversation_pairs(): the optimum a maximum-weight matching finds, checked three ways:
by hand, by exhaustive search on small events, and against networkx on larger ones."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from popupstore.matching import Basket, EventIndex, Pairing, conversation_pairs, score_matrix
from popupstore.matching.pairing import WEIGHT_SCALE, integer_weights

from ..hypothesis_profiles import examples

PRODUCTS = [f"p{n}" for n in range(12)]
ORGANISATIONS = ["breda", "tilburg", "utrecht", "zeist", "woonstad", "kredietbank"]


def random_event(seed: int, size: int) -> list[Basket]:
    rng = random.Random(seed)
    baskets = []
    for number in range(1, size + 1):
        chosen = rng.sample(PRODUCTS, rng.randint(1, 5))
        organisation = rng.choice(ORGANISATIONS)
        baskets.append(
            Basket(
                number=number,
                items={p: rng.choice(["want", "have"]) for p in chosen},
                organisation=organisation,
                organisation_name=organisation.title(),
                province="onbekend",
                share_contact=rng.random() < 0.7,
            )
        )
    return baskets


def total_score(baskets: list[Basket], pairs: list[tuple[int, int]]) -> float:
    position = {basket.number: index for index, basket in enumerate(baskets)}
    scores = score_matrix(baskets)
    return float(sum(scores[position[a], position[b]] for a, b in pairs))


def networkx_integer_optimum(baskets: list[Basket]) -> int:
    """networkx's own optimum on the same integer weights: exact, no float error."""
    weights = integer_weights(baskets)
    graph = nx.Graph()
    graph.add_nodes_from(range(len(baskets)))
    for i in range(len(baskets)):
        for j in range(i + 1, len(baskets)):
            if weights[i, j] > 0:
                graph.add_edge(i, j, weight=int(weights[i, j]))
    return sum(int(weights[a, b]) for a, b in nx.max_weight_matching(graph))


def networkx_float_pairs(baskets: list[Basket]) -> list[tuple[int, int]]:
    """networkx's optimum on the float scores of different organisations."""
    scores = score_matrix(baskets)
    graph = nx.Graph()
    for (i, a), (j, b) in itertools.combinations(enumerate(baskets), 2):
        if a.organisation != b.organisation and scores[i, j] > 0:
            graph.add_edge(a.number, b.number, weight=float(scores[i, j]))
    return [(min(a, b), max(a, b)) for a, b in nx.max_weight_matching(graph)]


@pytest.mark.parametrize("seed", range(20))
def test_the_total_equals_the_networkx_optimum(seed):
    baskets = random_event(seed, size=random.Random(seed).randint(2, 60))
    found = conversation_pairs(baskets)
    position = {basket.number: index for index, basket in enumerate(baskets)}
    weights = integer_weights(baskets)
    found_integer = sum(int(weights[position[a], position[b]]) for a, b in found.pairs)
    assert found_integer == networkx_integer_optimum(baskets)
    # Against the float optimum: equal up to the millionths the weights were rounded to.
    tolerance = len(baskets) / WEIGHT_SCALE
    assert total_score(baskets, found.pairs) == pytest.approx(
        total_score(baskets, networkx_float_pairs(baskets)), abs=tolerance
    )


@pytest.mark.parametrize("seed", range(10))
def test_pairs_are_valid(seed):
    baskets = random_event(100 + seed, size=40)
    found = conversation_pairs(baskets)
    by_number = {basket.number: basket for basket in baskets}
    seen = [number for pair in found.pairs for number in pair] + found.unpaired
    assert sorted(seen) == sorted(by_number)
    for a, b in found.pairs:
        assert a < b
        assert by_number[a].organisation != by_number[b].organisation
        assert by_number[a].items.keys() & by_number[b].items.keys()
    assert found.pairs == sorted(found.pairs) and found.unpaired == sorted(found.unpaired)


def test_a_small_case_by_hand():
    baskets = [
        Basket(1, {"a": "want", "b": "want"}, "breda", "Breda", "onbekend", True),
        Basket(2, {"a": "have", "b": "want"}, "tilburg", "Tilburg", "onbekend", True),
        Basket(3, {"a": "want"}, "breda", "Breda", "onbekend", True),
        Basket(4, {"c": "want"}, "zeist", "Zeist", "onbekend", True),
    ]
    # 1-2 share a and b; 2-3 share a; 1-3 are one organisation; 4 shares nothing.
    assert conversation_pairs(baskets) == Pairing(pairs=[(1, 2)], unpaired=[3, 4])


def test_one_organisation_is_never_paired_with_itself(make_basket):
    # N = 4; n_a = 3 -> idf ln(7/3) = 0.8473; n_b = 2 -> ln 3.
    # 1-2 would score most (same organisation: no edge); 2-3: a have-want 1.5 * 0.8473
    # beats 1-3: a want-want 0.8473. 4 shares nothing.
    baskets = [
        make_basket(1, {"a": "want", "b": "want"}, "Breda"),
        make_basket(2, {"a": "have", "b": "want"}, "Breda"),
        make_basket(3, {"a": "want"}, "Tilburg"),
        make_basket(4, {"c": "have"}, "Zeist"),
    ]
    assert conversation_pairs(baskets) == Pairing(pairs=[(2, 3)], unpaired=[1, 4])


def best_matching_weight(weights: dict[tuple[int, int], float], people: list[int]) -> float:
    """Exhaustive maximum-weight matching for a handful of people."""
    if len(people) < 2:
        return 0.0
    first, rest = people[0], people[1:]
    best = best_matching_weight(weights, rest)  # first stays unpaired
    for partner in rest:
        weight = weights.get((first, partner), 0.0)
        if weight > 0:
            others = [p for p in rest if p != partner]
            best = max(best, weight + best_matching_weight(weights, others))
    return best


@settings(max_examples=examples(80), deadline=None)
@given(data=st.data())
def test_the_pairs_are_a_maximum_weight_matching(events, data) -> None:
    event: list[Basket] = data.draw(events(max_size=9, organisations=5))
    index = EventIndex(event)
    pairing = conversation_pairs(event)

    numbers = sorted(basket.number for basket in event)
    paired = [number for pair in pairing.pairs for number in pair]
    assert sorted(paired + pairing.unpaired) == numbers
    assert pairing.unpaired == sorted(pairing.unpaired)
    assert pairing.pairs == sorted(pairing.pairs)
    weights: dict[tuple[int, int], float] = {}
    for a, b in itertools.permutations(event, 2):
        if a.organisation != b.organisation and index.score(a, b) > 0:
            weights[(a.number, b.number)] = index.score(a, b)
    for low, high in pairing.pairs:
        assert low < high
        assert (low, high) in weights  # different organisations, score above 0
    achieved = sum(weights[pair] for pair in pairing.pairs)
    # Optimal for weights in millionths: at most a millionth per pair below the float optimum.
    assert achieved == pytest.approx(
        best_matching_weight(weights, numbers), abs=len(event) / WEIGHT_SCALE
    )


def test_the_order_of_the_baskets_does_not_matter():
    baskets = random_event(7, size=30)
    shuffled = list(baskets)
    random.Random(3).shuffle(shuffled)
    assert conversation_pairs(shuffled) == conversation_pairs(baskets)


def test_repeated_numbers_are_refused():
    twice = random_event(2, 2)
    twice[1] = Basket(1, {"p1": "want"}, "x", "X", "onbekend", True)
    with pytest.raises(ValueError, match="twice"):
        conversation_pairs(twice)


def test_an_empty_event_has_no_pairs():
    assert conversation_pairs([]) == Pairing(pairs=[], unpaired=[])
