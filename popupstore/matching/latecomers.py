"""Seating latecomers at an existing table plan without moving anyone already seated.

A facilitator who made a table plan and then sees one more visitor check out needs a seat
for that visitor, not a new plan: a new plan moves people who already sat down and can
change a table's topic. ``seat_latecomers`` only adds people. Who sits where stays; the
topics stay; a full re-plan (``seat_tables``) is a separate, deliberate action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from popupstore.matching.model import Basket, round_score
from popupstore.matching.tables import (
    Table,
    TablePlan,
    by_number,
    check_table_sizes,
    objective_matrix,
    seat_tables,
    table_sizes,
)

# Gains closer than this are a tie (float noise), so the lowest number and first table win.
_EPSILON: Final = 1e-9


@dataclass(frozen=True, slots=True)
class SeatedTable:
    """A table of a stored plan: its topic and its members' receipt numbers as stored."""

    topic: str
    members: tuple[int, ...]


def seat_latecomers(
    tables: Sequence[SeatedTable], baskets: Sequence[Basket], min_size: int, max_size: int
) -> TablePlan:
    """The plan `tables` with every basket that sits at none of them seated as well.

    `baskets` are everyone present (seated or not); members of `tables` that are not among
    them are left where they are (an erased visitor's seat counts as free). The existing
    tables keep their order, their topics and their members; each latecomer is added:

    - while the latecomers still waiting cannot fill new tables of `min_size` to `max_size`
      on their own, the latecomer and open table (fewer than `max_size` present) with the
      largest gain in the objective go together (ties: lowest receipt number, then first
      table);
    - those still waiting then get new tables of their own, planned among themselves with
      ``seat_tables``: enough latecomers make full tables, and when every seat is taken the
      rest start one short table.

    New tables come after the existing ones, so table numbers on the wall do not change.
    Scores are recomputed over `baskets` (the event as it is now). The same input always
    gives the same plan. Raises TableSizeError for sizes that break the table-size rule and
    ValueError on a repeated receipt number or a basket seated at two tables.
    """
    min_size, max_size = check_table_sizes(min_size, max_size)
    ordered = by_number(baskets)
    position = {basket.number: index for index, basket in enumerate(ordered)}
    seen: set[int] = set()
    for table in tables:
        for number in table.members:
            if number in seen:
                raise ValueError(f"basket number {number} sits at two tables")
            seen.add(number)
    latecomers = [basket for basket in ordered if basket.number not in seen]
    objective = objective_matrix(ordered)
    seated = [[n for n in table.members if n in position] for table in tables]
    added: list[list[int]] = [[] for _ in tables]
    waiting = [basket.number for basket in latecomers]
    while waiting and not _fill_new_tables(len(waiting), min_size, max_size):
        open_tables = [
            index
            for index, members in enumerate(seated)
            if len(members) + len(added[index]) < max_size
        ]
        if not open_tables:
            break
        best: tuple[float, int, int] | None = None
        for number in waiting:
            row = objective[position[number]]
            for index in open_tables:
                people = [position[n] for n in (*seated[index], *added[index])]
                gain = float(row[people].sum()) if people else 0.0
                # Only a clearly larger gain wins: ties go to the lowest number, first table.
                if best is None or gain > best[0] + _EPSILON:
                    best = (gain, number, index)
        assert best is not None  # waiting and open_tables are not empty
        _, number, index = best
        added[index].append(number)
        waiting.remove(number)
    # Fewer than min_size people left sit at one short table (`table_sizes`).
    new_tables = seat_tables([ordered[position[n]] for n in waiting], min_size, max_size).tables
    result: list[Table] = []
    total = 0.0
    for table, members, extra in zip(tables, seated, added, strict=True):
        present = sorted((*members, *extra))
        score = _table_score(objective, [position[n] for n in present])
        total += score
        keep = sorted((*table.members, *extra))
        result.append(Table(topic=table.topic, members=tuple(keep), score=round_score(score)))
    for new in new_tables:
        score = _table_score(objective, [position[n] for n in new.members])
        total += score
        result.append(Table(topic=new.topic, members=new.members, score=round_score(score)))
    return TablePlan(tables=result, total_score=round_score(total))


def _fill_new_tables(count: int, min_size: int, max_size: int) -> bool:
    """Whether `count` latecomers make tables of `min_size` to `max_size` on their own."""
    return table_sizes(count, min_size, max_size)[1]


def _table_score(objective: np.ndarray, people: Sequence[int]) -> float:
    """The part of the objective of one table: every pair of `people` counted once."""
    if len(people) < 2:
        return 0.0
    index = np.array(people)
    return float(objective[np.ix_(index, index)].sum()) / 2.0
