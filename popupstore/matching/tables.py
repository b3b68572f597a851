"""Seating plans and conversation pairs for a whole event.

Both work on the matrix of pair scores of the matching rules (docs/architecture.md), with
pairs of the same organisation set to zero: the tables objective counts only pairs whose
organisations differ, and ``pair_up`` only pairs such people.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import networkx as nx
import numpy as np

from popupstore.matching.model import INTENTS, Basket, idf_value, intent_weight, round_score

MIN_TABLE_SIZE: Final = 2
MAX_TABLE_SIZE: Final = 12

# Gains below this are float noise, not improvements; it keeps the local search from cycling.
_EPSILON: Final = 1e-9

# The seating search is deterministic: perturbations draw from a generator with a fixed seed.
_SEED: Final = 20_251_128

# Iterated local search: every restart kicks the best plan with a few random swaps. A restart
# costs O(N) numpy work per person examined, so their number shrinks as N grows; small events
# need fewer (25 per person) to settle. About 0.5 s for 500 people on a laptop core.
_RESTART_BUDGET: Final = 300_000
_RESTARTS_PER_PERSON: Final = 25
_MIN_RESTARTS: Final = 40
_MAX_RESTARTS: Final = 1_000
_KICK_SWAPS: Final = 3


@dataclass(frozen=True, slots=True)
class Table:
    """One table: its topic, its members' receipt numbers (sorted) and its part of the objective
    (rounded to 4 decimals)."""

    topic: str
    members: tuple[int, ...]
    score: float


@dataclass(frozen=True, slots=True)
class TablePlan:
    """Tables ordered by their lowest member number; ``total_score`` is the objective, rounded."""

    tables: list[Table]
    total_score: float


@dataclass(frozen=True, slots=True)
class Pairing:
    """Pairs ``(low, high)`` of receipt numbers, sorted, and everyone left over, sorted."""

    pairs: list[tuple[int, int]]
    unpaired: list[int]


def score_matrix(baskets: Sequence[Basket]) -> np.ndarray:
    """``S[i, j] = score(baskets[i], baskets[j])`` in the event formed by exactly these baskets.

    The diagonal is 0. Each entry adds its terms in product slug order, so it equals the score
    ``EventIndex`` reports for the same event to the last bit.
    """
    count = len(baskets)
    matrix = np.zeros((count, count))
    holders: dict[str, list[int]] = {}
    for position, basket in enumerate(baskets):
        for product in basket.items:
            holders.setdefault(product, []).append(position)
    codes = {intent: code for code, intent in enumerate(INTENTS)}
    for product in sorted(holders):
        positions = holders[product]
        idf = idf_value(count, len(positions))
        terms = np.array(
            [[intent_weight(mine, theirs) * idf for theirs in INTENTS] for mine in INTENTS]
        )
        intent_codes = np.array([codes[baskets[i].items[product]] for i in positions])
        index = np.array(positions)
        matrix[np.ix_(index, index)] += terms[np.ix_(intent_codes, intent_codes)]
    np.fill_diagonal(matrix, 0.0)
    return matrix


def _objective_matrix(baskets: Sequence[Basket]) -> np.ndarray:
    """Pair scores, with 0 for two baskets of the same organisation."""
    matrix = score_matrix(baskets)
    codes: dict[str, int] = {}
    organisations = np.array([codes.setdefault(b.organisation, len(codes)) for b in baskets])
    matrix[organisations[:, None] == organisations[None, :]] = 0.0
    return matrix


def _by_number(baskets: Sequence[Basket]) -> list[Basket]:
    ordered = sorted(baskets, key=lambda basket: basket.number)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.number == after.number:
            raise ValueError(f"basket number {after.number} occurs twice")
    return ordered


def table_sizes(count: int, min_size: int, max_size: int) -> tuple[list[int], bool]:
    """Starting table sizes for ``count`` people, and whether sizes may change in the search.

    When some number of tables T has ``T * min_size <= count <= T * max_size``, the smallest
    such T with balanced sizes (True: people may move while sizes stay within bounds).
    Otherwise ``count // min_size`` tables of ``max_size`` and one short table with the rest
    (False: sizes are fixed); fewer than ``min_size`` people sit at one table.
    """
    if count == 0:
        return [], False
    tables = math.ceil(count / max_size)
    if tables * min_size <= count:
        base, extra = divmod(count, tables)
        return [base + 1] * extra + [base] * (tables - extra), True
    full = count // min_size
    return [max_size] * full + [count - full * max_size], False


class _Seating:
    """People at tables, with ``towards[i, t]``: the summed pair scores of i with table t.

    The local search keeps a flag per table that changed since its people were last examined:
    a swap or move can only start to pay off when one of the tables involved has changed.
    """

    def __init__(self, objective: np.ndarray, table_of: np.ndarray, table_count: int) -> None:
        self.objective = objective
        self.table_of = table_of.copy()
        self.sizes = np.bincount(table_of, minlength=table_count)
        self.towards = np.zeros((len(table_of), table_count))
        for table in range(table_count):
            self.towards[:, table] = objective[:, table_of == table].sum(axis=1)
        self.people = np.arange(len(table_of))
        self.own = self.towards[self.people, self.table_of]
        self.changed = np.ones(table_count, dtype=bool)

    def copy(self) -> _Seating:
        twin = object.__new__(_Seating)
        twin.objective, twin.people = self.objective, self.people
        twin.table_of, twin.sizes = self.table_of.copy(), self.sizes.copy()
        twin.towards, twin.changed = self.towards.copy(), self.changed.copy()
        twin.own = self.own.copy()
        return twin

    def value(self) -> float:
        """The objective: each pair at one table counted once."""
        return float(self.own.sum()) / 2.0

    def swap(self, first: int, second: int) -> None:
        table_first, table_second = self.table_of[first], self.table_of[second]
        difference = self.objective[second] - self.objective[first]
        self.towards[:, table_first] += difference
        self.towards[:, table_second] -= difference
        self.table_of[first], self.table_of[second] = table_second, table_first
        self.changed[[table_first, table_second]] = True
        self.own = self.towards[self.people, self.table_of]

    def move(self, person: int, table: int) -> None:
        source = self.table_of[person]
        self.towards[:, source] -= self.objective[person]
        self.towards[:, table] += self.objective[person]
        self.sizes[source] -= 1
        self.sizes[table] += 1
        self.table_of[person] = table
        self.changed[[source, table]] = True
        self.own = self.towards[self.people, self.table_of]

    def improve(self, min_size: int, max_size: int, movable: bool) -> None:
        """Apply improving swaps (and moves, when ``movable``, keeping sizes within bounds)
        until no swap or move gains anything: a local optimum."""
        while self.changed.any():
            tables = np.flatnonzero(self.changed)
            visit = np.flatnonzero(self.changed[self.table_of])
            self.changed[:] = False
            for person in visit.tolist():
                self._improve_person(person, min_size, max_size, movable)
            if movable:
                for table in tables.tolist():
                    self._improve_arrival(table, min_size, max_size)

    def _improve_person(self, person: int, min_size: int, max_size: int, movable: bool) -> None:
        """The best swap of ``person`` with anyone, or move of ``person`` to another table."""
        table = self.table_of[person]
        towards = self.towards[person]
        # Gain of swapping `person` with each other person: 0 or less within one table.
        gains = towards[self.table_of]
        gains -= towards[table]
        gains += self.towards[:, table]
        gains -= self.own
        gains -= 2.0 * self.objective[person]
        partner = int(gains.argmax())
        best_gain = gains[partner]
        destination = -1
        if movable and self.sizes[table] > min_size:
            move_gains = towards - towards[table]
            move_gains[self.sizes >= max_size] = -np.inf
            move_gains[table] = -np.inf
            candidate = int(move_gains.argmax())
            if move_gains[candidate] > best_gain:
                destination, best_gain = candidate, move_gains[candidate]
        if best_gain <= _EPSILON:
            return
        if destination >= 0:
            self.move(person, destination)
        else:
            self.swap(person, partner)

    def _improve_arrival(self, table: int, min_size: int, max_size: int) -> None:
        """The best move of anyone from a table that can spare a person to ``table``."""
        if self.sizes[table] >= max_size:
            return
        gains = self.towards[:, table] - self.own
        gains[(self.sizes[self.table_of] <= min_size) | (self.table_of == table)] = -np.inf
        person = int(gains.argmax())
        if gains[person] > _EPSILON:
            self.move(person, table)


def _greedy_seating(objective: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
    """Fill tables one by one: seed with the free person most tied to the other free people,
    then add whoever adds the most to the table."""
    count = len(objective)
    table_of = np.full(count, -1)
    free = np.ones(count, dtype=bool)
    for table, size in enumerate(sizes):
        ties = np.where(free, objective[:, free].sum(axis=1), -np.inf)
        towards = np.zeros(count)
        for seat in range(size):
            person = int(np.argmax(ties if seat == 0 else np.where(free, towards, -np.inf)))
            table_of[person] = table
            free[person] = False
            towards += objective[person]
    return table_of


def _search(
    objective: np.ndarray, sizes: Sequence[int], min_size: int, max_size: int, movable: bool
) -> np.ndarray:
    """Greedy seating and local search, then iterated local search: kick the best plan with a
    few random swaps (seeded), improve, and keep the result when it is better."""
    count = len(objective)
    table_count = len(sizes)
    best = _Seating(objective, _greedy_seating(objective, sizes), table_count)
    best.improve(min_size, max_size, movable)
    best_value = best.value()
    generator = np.random.default_rng(_SEED)
    for _ in range(_restarts(count)):
        trial = best.copy()
        for _ in range(_KICK_SWAPS):
            first, second = generator.integers(count, size=2).tolist()
            if trial.table_of[first] != trial.table_of[second]:
                trial.swap(first, second)
        trial.improve(min_size, max_size, movable)
        trial_value = trial.value()
        if trial_value > best_value + _EPSILON:
            best, best_value = trial, trial_value
    return best.table_of


def _restarts(count: int) -> int:
    """Restarts for ``count`` people: a fixed budget of work, within sensible bounds."""
    wanted = min(_RESTART_BUDGET // count, _RESTARTS_PER_PERSON * count)
    return min(_MAX_RESTARTS, max(_MIN_RESTARTS, wanted))


def _topic(members: Sequence[Basket]) -> str:
    held = Counter(product for basket in members for product in basket.items)
    return min(held, key=lambda product: (-held[product], product))


def seat_tables(baskets: Sequence[Basket], min_size: int = 4, max_size: int = 6) -> TablePlan:
    """Seat every basket at exactly one table, maximising the score of pairs at one table.

    The objective sums ``score(a, b)`` over all pairs at the same table whose organisations
    differ. Table count and sizes follow ``table_sizes``: within ``[min_size, max_size]`` when
    the number of baskets allows it, else exactly one short table. ``topic`` is the product
    most members hold (ties by lowest slug). A heuristic (greedy seating, swap and move local
    search, seeded perturbation restarts): the same baskets, in any order, give the same plan.
    Raises ValueError unless ``2 <= min_size <= max_size <= 12``, or on a repeated number.
    """
    if not MIN_TABLE_SIZE <= min_size <= max_size <= MAX_TABLE_SIZE:
        raise ValueError(
            f"table sizes need {MIN_TABLE_SIZE} <= min_size <= max_size <= {MAX_TABLE_SIZE}, "
            f"got min_size={min_size}, max_size={max_size}"
        )
    ordered = _by_number(baskets)
    sizes, movable = table_sizes(len(ordered), min_size, max_size)
    if not sizes:
        return TablePlan(tables=[], total_score=0.0)
    objective = _objective_matrix(ordered)
    if len(sizes) == 1:
        table_of = np.zeros(len(ordered), dtype=np.intp)
    else:
        table_of = _search(objective, sizes, min_size, max_size, movable)
    tables: list[Table] = []
    total = 0.0
    for table in range(len(sizes)):
        seated = [int(person) for person in np.flatnonzero(table_of == table)]
        score = 0.0
        for place, person in enumerate(seated):
            for other in seated[place + 1 :]:
                score += float(objective[person, other])
        total += score
        members = [ordered[person] for person in seated]
        tables.append(
            Table(
                topic=_topic(members),
                members=tuple(basket.number for basket in members),
                score=round_score(score),
            )
        )
    tables.sort(key=lambda table: table.members[0])
    return TablePlan(tables=tables, total_score=round_score(total))


def pair_up(baskets: Sequence[Basket]) -> Pairing:
    """Conversation pairs: a maximum-weight matching (networkx, not maximum cardinality).

    Edges join baskets of different organisations with a score above 0, weighted by that score.
    Raises ValueError on a repeated number. networkx's blossom algorithm is O(N^3) in pure
    Python: about 1 s for 200 baskets and 20 s for 500, so keep large events off the request
    path.
    """
    ordered = _by_number(baskets)
    objective = _objective_matrix(ordered)
    graph = nx.Graph()
    graph.add_nodes_from(basket.number for basket in ordered)
    first, second = np.nonzero(np.triu(objective > 0.0))
    graph.add_weighted_edges_from(
        (ordered[i].number, ordered[j].number, float(objective[i, j]))
        for i, j in zip(first.tolist(), second.tolist(), strict=True)
    )
    matching = nx.max_weight_matching(graph, maxcardinality=False)
    pairs = sorted((min(a, b), max(a, b)) for a, b in matching)
    paired = {number for pair in pairs for number in pair}
    return Pairing(
        pairs=pairs,
        unpaired=[basket.number for basket in ordered if basket.number not in paired],
    )
