"""Conversation pairs with rustworkx: the optimum networkx finds, for a fraction of the time."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from popupstore.facilitator import pairing
from popupstore.facilitator.pairing import WEIGHT_SCALE, conversation_pairs, integer_weights
from popupstore.matching import Basket, pair_up, score_matrix

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


@pytest.mark.parametrize("seed", range(20))
def test_the_total_equals_the_networkx_reference(seed):
    baskets = random_event(seed, size=random.Random(seed).randint(2, 60))
    found = conversation_pairs(baskets)
    reference = pair_up(baskets)
    position = {basket.number: index for index, basket in enumerate(baskets)}
    weights = integer_weights(baskets)
    found_integer = sum(int(weights[position[a], position[b]]) for a, b in found.pairs)
    assert found_integer == networkx_integer_optimum(baskets)
    # Against the float reference: equal up to the millionths the weights were rounded to.
    tolerance = len(baskets) / WEIGHT_SCALE
    assert total_score(baskets, found.pairs) == pytest.approx(
        total_score(baskets, reference.pairs), abs=tolerance
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
    found = conversation_pairs(baskets)
    assert found.pairs == [(1, 2)]
    assert found.unpaired == [3, 4]


def test_the_limit_and_repeated_numbers_are_refused(monkeypatch):
    monkeypatch.setattr(pairing, "PAIRS_LIMIT", 3)
    with pytest.raises(ValueError, match="limited to 3"):
        conversation_pairs(random_event(1, 4))
    twice = random_event(2, 2)
    twice[1] = Basket(1, {"p1": "want"}, "x", "X", "onbekend", True)
    with pytest.raises(ValueError, match="twice"):
        conversation_pairs(twice)


def test_an_empty_event_has_no_pairs():
    found = conversation_pairs([])
    assert (found.pairs, found.unpaired) == ([], [])
