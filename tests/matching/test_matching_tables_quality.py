"""How close the seating heuristic comes to the exact optimum.

Small events are solved exactly, by an integer programme (pulp with its bundled CBC) and by
brute force, with the same number of tables and the same size bounds as the heuristic.
"""

from __future__ import annotations

import itertools
import random
import statistics
import warnings
from collections.abc import Iterator

import pulp
import pytest

from popupstore.matching import Basket, EventIndex, Intent, seat_tables, table_sizes

MEAN_RATIO = 0.95
WORST_RATIO = 0.85


def objective_weights(baskets: list[Basket]) -> dict[tuple[int, int], float]:
    """score(a, b) for positions i < j of different organisations with a score above 0."""
    index = EventIndex(baskets)
    weights = {}
    for (i, a), (j, b) in itertools.combinations(enumerate(baskets), 2):
        if a.organisation != b.organisation and index.score(a, b) > 0:
            weights[(i, j)] = index.score(a, b)
    return weights


def random_event(seed: int, count: int, products: int = 8, organisations: int = 5) -> list[Basket]:
    rng = random.Random(seed)
    catalog = [f"aanpak-{index}" for index in range(products)]
    baskets = []
    for number in range(1, count + 1):
        organisation = rng.randrange(organisations)
        chosen = rng.sample(catalog, rng.randint(2, 4))
        items: dict[str, Intent] = {p: rng.choice(("want", "have")) for p in chosen}
        baskets.append(
            Basket(number, items, f"org-{organisation}", f"Org {organisation}", "Utrecht", True)
        )
    return baskets


def new_variable(problem: pulp.LpProblem, name: str, category: str) -> pulp.LpVariable:
    """A variable in [0, 1]: PuLP 3.3+ wants it created by the problem, older PuLP cannot."""
    add_variable = getattr(problem, "add_variable", None)
    if add_variable is not None:
        return add_variable(name, 0, 1, cat=category)
    return pulp.LpVariable(name, 0, 1, cat=category)


def cbc_solver() -> pulp.LpSolver:
    """CBC, quiet, on two threads, with a time limit far above what these events need (the
    optimality check below makes sure it was not reached).

    PuLP 3.3 deprecates the CBC it bundles (PULP_CBC_CMD) in favour of COIN_CMD with CBC
    installed separately (``pulp[cbc]``); PuLP 4 drops the bundled one. Use a separate CBC
    when there is one, else the bundled one without its deprecation warning.
    """
    # Cutting planes cost more than they save on these small models (3x slower with them).
    options = {"msg": False, "timeLimit": 300, "threads": 2, "options": ["cuts off"]}
    separate = pulp.COIN_CMD(**options)
    if separate.available():
        return separate
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(**options)


def ilp_optimum(baskets: list[Basket], min_size: int, max_size: int) -> float:
    """The best objective with the heuristic's table count and sizes, proven optimal by CBC.

    x[i, t]: person i sits at table t; y[i, j, t] <= x[i, t], x[j, t]: both sit at t (the
    objective pushes y up, so no lower bounds are needed). Tables are numbered by their lowest
    member (x[i, t] = 0 for t > i, and table t opens only after table t - 1), which removes
    the symmetry of relabelled tables.
    """
    count = len(baskets)
    sizes, movable = table_sizes(count, min_size, max_size)
    tables = range(len(sizes))
    weights = objective_weights(baskets)
    problem = pulp.LpProblem("seating", pulp.LpMaximize)
    x = {
        (i, t): new_variable(problem, f"x_{i}_{t}", pulp.LpBinary)
        for i in range(count)
        for t in tables
        if t <= i
    }
    y = {
        (i, j, t): new_variable(problem, f"y_{i}_{j}_{t}", pulp.LpContinuous)
        for (i, j) in weights
        for t in tables
        if t <= i
    }
    problem += pulp.lpSum(weights[(i, j)] * var for (i, j, t), var in y.items())
    for i in range(count):
        problem += pulp.lpSum(x[(i, t)] for t in tables if t <= i) == 1
    for t in tables:
        seated = pulp.lpSum(x[(i, t)] for i in range(t, count))
        if movable:
            problem += seated >= min_size
            problem += seated <= max_size
        else:
            problem += seated == sizes[t]
        if t > 0:
            for i in range(t, count):
                problem += x[(i, t)] <= pulp.lpSum(x[(k, t - 1)] for k in range(t - 1, i))
    for (i, j, t), var in y.items():
        problem += var <= x[(i, t)]
        problem += var <= x[(j, t)]
    # Nobody has more than max_size - 1 table mates: tightens the relaxation.
    for i, t in x:
        mates = [var for (a, b, table), var in y.items() if table == t and i in (a, b)]
        if mates:
            problem += pulp.lpSum(mates) <= (max_size - 1) * x[(i, t)]
    problem.solve(cbc_solver())
    # CBC reports status "Optimal" after a time-out too; only sol_status tells them apart.
    assert problem.sol_status == pulp.LpSolutionOptimal, pulp.LpStatus[problem.status]
    return float(pulp.value(problem.objective))


@pytest.mark.slow
def test_heuristic_against_the_ilp_optimum():
    ratios = []
    for seed in range(20):
        rng = random.Random(seed)
        baskets = random_event(seed, rng.randint(12, 16), organisations=rng.randint(4, 6))
        optimum = ilp_optimum(baskets, 4, 6)
        assert optimum > 0
        ratios.append(seat_tables(baskets, 4, 6).total_score / optimum)
    mean, worst = statistics.fmean(ratios), min(ratios)
    message = f"heuristic / optimum over {len(ratios)} events: mean {mean:.4f}, min {worst:.4f}"
    assert mean >= MEAN_RATIO, message
    assert worst >= WORST_RATIO, message


def partitions(people: list[int], blocks: int) -> Iterator[list[list[int]]]:
    """Every way to split ``people`` into exactly ``blocks`` non-empty unlabelled groups."""
    if not people:
        if blocks == 0:
            yield []
        return
    first, rest = people[0], people[1:]
    for partition in partitions(rest, blocks - 1):
        yield [[first], *partition]
    for partition in partitions(rest, blocks):
        for group in range(len(partition)):
            yield [
                [first, *block] if index == group else block
                for index, block in enumerate(partition)
            ]


def brute_force_optimum(baskets: list[Basket], min_size: int, max_size: int) -> float:
    sizes, movable = table_sizes(len(baskets), min_size, max_size)
    weights = objective_weights(baskets)
    best = 0.0
    for partition in partitions(list(range(len(baskets))), len(sizes)):
        group_sizes = sorted(len(group) for group in partition)
        if movable:
            if not all(min_size <= size <= max_size for size in group_sizes):
                continue
        elif group_sizes != sorted(sizes):
            continue
        value = sum(
            weights.get(pair, 0.0)
            for group in partition
            for pair in itertools.combinations(group, 2)
        )
        best = max(best, value)
    return best


def test_heuristic_against_brute_force_including_short_tables():
    # (count, min_size, max_size): feasible sizes and the one-short-table rule alike.
    cases = [(7, 4, 5), (7, 2, 2), (8, 3, 3), (9, 2, 3), (9, 4, 4), (8, 2, 4), (6, 2, 2)]
    ratios = []
    for seed, (count, min_size, max_size) in enumerate(cases * 2):
        baskets = random_event(100 + seed, count, products=6, organisations=4)
        optimum = brute_force_optimum(baskets, min_size, max_size)
        achieved = seat_tables(baskets, min_size, max_size).total_score
        ratios.append(achieved / optimum if optimum else 1.0)
    mean, worst = statistics.fmean(ratios), min(ratios)
    message = f"heuristic / optimum over {len(ratios)} events: mean {mean:.4f}, min {worst:.4f}"
    assert mean >= MEAN_RATIO, message
    assert worst >= WORST_RATIO, message
