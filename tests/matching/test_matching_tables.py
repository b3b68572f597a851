"""seat_tables(): structure, rules and small cases checked by hand."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from popupstore.matching import (
    Basket,
    EventIndex,
    Table,
    TablePlan,
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


def test_no_baskets():
    assert seat_tables([]) == TablePlan(tables=[], total_score=0.0)


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
