"""seat_tables() and pair_up(): structure, rules and small cases checked by hand."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from popupstore.matching import (
    Basket,
    EventIndex,
    Pairing,
    Table,
    TablePlan,
    pair_up,
    score_matrix,
    seat_tables,
    table_sizes,
)

from ..hypothesis_profiles import examples


def smallest_feasible_table_count(count: int, min_size: int, max_size: int) -> int | None:
    for tables in range(1, count + 1):
        if tables * min_size <= count <= tables * max_size:
            return tables
    return None


def objective_of(index: EventIndex, members: tuple[int, ...]) -> float:
    """A table's part of the objective: pairs of different organisations, in member order."""
    total = 0.0
    for position, first in enumerate(members):
        for second in members[position + 1 :]:
            a, b = index.get(first), index.get(second)
            if a.organisation != b.organisation:
                total += index.score(a, b)
    return total


@pytest.mark.parametrize(
    ("count", "min_size", "max_size", "sizes", "movable"),
    [
        (0, 4, 6, [], False),
        (3, 4, 6, [3], False),
        (4, 4, 6, [4], True),
        (7, 4, 5, [5, 2], False),
        (7, 2, 2, [2, 2, 2, 1], False),
        (12, 4, 6, [6, 6], True),
        (13, 4, 6, [5, 4, 4], True),
        (500, 4, 6, [6] * 80 + [5] * 4, True),
        (11, 3, 3, [3, 3, 3, 2], False),
    ],
)
def test_table_sizes(count, min_size, max_size, sizes, movable):
    assert table_sizes(count, min_size, max_size) == (sizes, movable)


@pytest.mark.parametrize(("min_size", "max_size"), [(1, 4), (5, 4), (4, 13), (0, 0), (13, 13)])
def test_seat_tables_rejects_bad_sizes(make_basket, min_size, max_size):
    with pytest.raises(ValueError, match="min_size"):
        seat_tables([make_basket(1, {"a": "want"})], min_size, max_size)


def test_repeated_numbers_are_rejected(make_basket):
    twice = [make_basket(1, {"a": "want"}), make_basket(1, {"b": "want"}, "Tilburg")]
    with pytest.raises(ValueError, match="twice"):
        seat_tables(twice)
    with pytest.raises(ValueError, match="twice"):
        pair_up(twice)


def test_no_baskets():
    assert seat_tables([]) == TablePlan(tables=[], total_score=0.0)
    assert pair_up([]) == Pairing(pairs=[], unpaired=[])


def test_two_clear_groups(make_basket):
    # 1 3 5 7 want "aanpak"; 2 4 6 8 have "budget"; eight organisations. N = 8, n = 4 each:
    # idf = ln(1 + 8/4) = ln 3. Wanters: 6 pairs * 1.0 * ln 3 = 6.5917; havers: 6 * 0.5 * ln 3.
    baskets = [
        make_basket(n, {"aanpak": "want"} if n % 2 else {"budget": "have"}, f"Org {n}")
        for n in range(1, 9)
    ]
    assert seat_tables(baskets, 4, 4) == TablePlan(
        tables=[
            Table("aanpak", (1, 3, 5, 7), 6.5917),
            Table("budget", (2, 4, 6, 8), 3.2958),
        ],
        total_score=round(9 * math.log(3), 4),
    )


def test_pairs_of_one_organisation_do_not_count(make_basket):
    # Everyone wants "a": every pair scores ln(1 + 4/4) = 0.6931, except 1 and 2, who work
    # together and count 0. Best: 1 and 2 apart, 2 * 0.6931.
    baskets = [
        make_basket(1, {"a": "want"}, "Breda"),
        make_basket(2, {"a": "want"}, "Breda"),
        make_basket(3, {"a": "want"}, "Tilburg"),
        make_basket(4, {"a": "want"}, "Utrecht"),
    ]
    plan = seat_tables(baskets, 2, 2)
    assert plan.total_score == round(2 * math.log(2), 4)
    assert all(set(table.members) != {1, 2} for table in plan.tables)


def test_topic_ties_go_to_the_lowest_slug(make_basket):
    baskets = [
        make_basket(1, {"zorg": "want", "budget": "have"}, "Breda"),
        make_basket(2, {"zorg": "have", "budget": "want"}, "Tilburg"),
        make_basket(3, {"werk": "want", "zorg": "want"}, "Zeist"),
    ]
    # zorg is held by all three; between budget (2) and werk (1) it would be budget.
    assert seat_tables(baskets).tables[0].topic == "zorg"
    assert seat_tables(baskets[:2]).tables[0].topic == "budget"


@settings(max_examples=examples(40), deadline=None)
@given(data=st.data())
def test_seating_rules(events, data):
    event = data.draw(events(max_size=20, organisations=6))
    min_size = data.draw(st.integers(2, 6))
    max_size = data.draw(st.integers(min_size, 8))
    plan = seat_tables(event, min_size, max_size)
    index = EventIndex(event)
    count = len(event)

    seated = [number for table in plan.tables for number in table.members]
    assert sorted(seated) == sorted(basket.number for basket in event)  # each exactly once
    assert all(list(table.members) == sorted(table.members) for table in plan.tables)
    assert [table.members[0] for table in plan.tables] == sorted(
        table.members[0] for table in plan.tables
    )

    sizes = [len(table.members) for table in plan.tables]
    feasible = smallest_feasible_table_count(count, min_size, max_size)
    if count == 0:
        assert sizes == []
    elif feasible is not None:
        assert len(sizes) == feasible
        assert all(min_size <= size <= max_size for size in sizes)
    else:
        short = [size for size in sizes if size < min_size]
        assert len(short) == 1
        assert len(sizes) == count // min_size + 1
        assert sorted(sizes) == sorted([max_size] * (count // min_size) + short)

    total = 0.0
    for table in plan.tables:
        held = Counter(p for number in table.members for p in index.get(number).items)
        best = max(held.values())
        assert table.topic == min(p for p, n in held.items() if n == best)
        part = objective_of(index, table.members)
        assert table.score == round(part, 4)
        total += part
    assert plan.total_score == round(total, 4)
    assert plan.total_score == pytest.approx(
        sum(table.score for table in plan.tables), abs=5e-5 * len(plan.tables) + 1e-9
    )

    shuffled = list(event)
    random.Random(count).shuffle(shuffled)
    assert seat_tables(shuffled, min_size, max_size) == plan


def seeded_baskets(make_basket, seed: int, count: int, organisations: int) -> list[Basket]:
    """``count`` baskets of 1-4 of 8 products, from a seeded generator."""
    rng = random.Random(seed)
    return [
        make_basket(
            n,
            {p: rng.choice(("want", "have")) for p in rng.sample("abcdefgh", rng.randint(1, 4))},
            f"Org {rng.randrange(organisations)}",
        )
        for n in range(1, count + 1)
    ]


def test_seating_is_deterministic(make_basket):
    baskets = seeded_baskets(make_basket, seed=11, count=60, organisations=9)
    plans = {repr(seat_tables(baskets)) for _ in range(3)}
    assert len(plans) == 1


def test_score_matrix_equals_index_scores(make_basket):
    baskets = seeded_baskets(make_basket, seed=3, count=30, organisations=4)
    index = EventIndex(baskets)
    matrix = score_matrix(baskets)
    for (i, a), (j, b) in itertools.product(enumerate(baskets), repeat=2):
        assert matrix[i, j] == (index.score(a, b) if i != j else 0.0)


# -- pair_up ----------------------------------------------------------------------------


def test_pair_up_by_hand(make_basket):
    # N = 4; n_a = 3 -> idf ln(7/3) = 0.8473; n_b = 2 -> ln 3.
    # 1-2 would score most (same organisation: no edge); 2-3: a have-want 1.5 * 0.8473
    # beats 1-3: a want-want 0.8473. 4 shares nothing.
    baskets = [
        make_basket(1, {"a": "want", "b": "want"}, "Breda"),
        make_basket(2, {"a": "have", "b": "want"}, "Breda"),
        make_basket(3, {"a": "want"}, "Tilburg"),
        make_basket(4, {"c": "have"}, "Zeist"),
    ]
    assert pair_up(baskets) == Pairing(pairs=[(2, 3)], unpaired=[1, 4])


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
def test_pair_up_is_a_maximum_weight_matching(events, data) -> None:
    event: list[Basket] = data.draw(events(max_size=9, organisations=5))
    index = EventIndex(event)
    pairing = pair_up(event)

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
    assert achieved == pytest.approx(best_matching_weight(weights, numbers), abs=1e-9)

    reference = nx.Graph()
    reference.add_weighted_edges_from((a, b, w) for (a, b), w in weights.items() if a < b)
    expected = sum(weights[(min(a, b), max(a, b))] for a, b in nx.max_weight_matching(reference))
    assert achieved == pytest.approx(expected, abs=1e-9)
