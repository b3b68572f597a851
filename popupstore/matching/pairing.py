"""Conversation pairs for a speed-meeting round, fast enough to make on a button press.

The pairs are a maximum-weight matching (not maximum cardinality) on the pair scores the
tables objective uses: pairs of one organisation weigh 0, so only people of different
organisations with a score above 0 are paired. rustworkx runs the primal-dual blossom
algorithm compiled: about 0.1 s for 500 visitors and 1 s for 1,000, where networkx's
pure-Python version needs 20 s for 500. Its weights must be integers, so scores are counted
in millionths; the matching is then optimal for those weights, and its total score differs
from the float optimum by less than a millionth per pair.

The cost grows as O(n^3) (about 20 s for 2,000 visitors): the caller decides how many
visitors it pairs on a request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import rustworkx as rx

from popupstore.matching.model import Basket
from popupstore.matching.tables import by_number, objective_matrix

WEIGHT_SCALE: Final = 1_000_000


@dataclass(frozen=True, slots=True)
class Pairing:
    """Pairs ``(low, high)`` of receipt numbers, sorted, and everyone left over, sorted."""

    pairs: list[tuple[int, int]]
    unpaired: list[int]


def integer_weights(baskets: Sequence[Basket]) -> np.ndarray:
    """The tables objective's pair scores (0 within one organisation) in millionths."""
    return np.rint(objective_matrix(baskets) * WEIGHT_SCALE).astype(np.int64)


def conversation_pairs(baskets: Sequence[Basket]) -> Pairing:
    """A maximum-weight matching of the baskets (not maximum cardinality).

    Edges join baskets of different organisations with a score above 0, weighted by that
    score. The same baskets, in any order, give the same pairs. Raises ValueError on a
    repeated receipt number.
    """
    ordered = by_number(baskets)
    return _matching([basket.number for basket in ordered], integer_weights(ordered))


def _matching(numbers: list[int], weights: np.ndarray) -> Pairing:
    """A maximum-weight matching of `numbers` (sorted) on their integer `weights`."""
    first, second = np.nonzero(np.triu(weights > 0))
    graph = rx.PyGraph()
    graph.add_nodes_from(numbers)
    graph.add_edges_from(
        list(zip(first.tolist(), second.tolist(), weights[first, second].tolist(), strict=True))
    )
    matching = rx.max_weight_matching(graph, weight_fn=int)
    pairs = sorted((min(numbers[a], numbers[b]), max(numbers[a], numbers[b])) for a, b in matching)
    paired = {number for pair in pairs for number in pair}
    return Pairing(pairs=pairs, unpaired=[n for n in numbers if n not in paired])


@dataclass(frozen=True, slots=True)
class ConversationRound:
    """Groups of two (and three: an odd one out joins a pair) by receipt number, in the order
    of their pairs, and whoever is still left over."""

    groups: list[tuple[int, ...]]
    unpaired: list[int]


def with_trios(pairing: Pairing, baskets: Sequence[Basket]) -> ConversationRound:
    """Everyone left over by `pairing` joins the pair they add most to, so nobody stands
    alone: one at a time (lowest number first), to the pair with the largest sum of their
    pair scores with both (the tables objective, so 0 within one organisation; ties: the
    first pair). A pair takes at most one extra person; who is left when every pair has
    one stays unpaired (fewer pairs than leftovers: a very small or one-sided event).
    Raises ValueError on a repeated receipt number.
    """
    ordered = by_number(baskets)
    groups = [list(pair) for pair in pairing.pairs]
    return _join(groups, pairing.unpaired, ordered, integer_weights(ordered))


def _join(
    groups: list[list[int]], leftovers: Sequence[int], ordered: list[Basket], weights: np.ndarray
) -> ConversationRound:
    """`with_trios`' rule: each of `leftovers` (lowest number first) joins the group of two
    with the largest sum of its pair `weights` with its members (ties: the first group)."""
    position = {basket.number: index for index, basket in enumerate(ordered)}
    unpaired: list[int] = []
    for number in sorted(leftovers):
        open_groups = [index for index, group in enumerate(groups) if len(group) == 2]
        if not open_groups:
            unpaired.append(number)
            continue
        row = weights[position[number]]
        best = max(
            open_groups,
            key=lambda index: (sum(int(row[position[n]]) for n in groups[index]), -index),
        )
        groups[best].append(number)
    return ConversationRound(groups=[tuple(group) for group in groups], unpaired=unpaired)


def pair_latecomers(
    groups: Sequence[Sequence[int]], baskets: Sequence[Basket]
) -> ConversationRound:
    """The round `groups` with everyone among `baskets` who is in none of them added, moving
    nobody who still has a partner.

    `baskets` are everyone present; members of `groups` not among them (erased) are left
    out, and a group left with one person frees that person, who waits with the
    latecomers. The groups that still hold two or three keep their members and their order.
    Those waiting are paired among themselves as `conversation_pairs` pairs everyone (the
    weights of the whole event), and their pairs come after the existing groups; whoever is
    then still alone joins a group of two by `with_trios`' rule, old groups and new alike.
    The same input always gives the same round. Raises ValueError on a repeated receipt
    number or a receipt number in two groups.
    """
    ordered = by_number(baskets)
    position = {basket.number: index for index, basket in enumerate(ordered)}
    seen: set[int] = set()
    for group in groups:
        for number in group:
            if number in seen:
                raise ValueError(f"basket number {number} is in two groups")
            seen.add(number)
    kept: list[list[int]] = []
    waiting = [basket.number for basket in ordered if basket.number not in seen]
    for group in groups:
        present = [number for number in group if number in position]
        if len(present) >= 2:
            kept.append(present)
        else:
            waiting.extend(present)
    waiting.sort()
    weights = integer_weights(ordered)
    rows = [position[number] for number in waiting]
    new = _matching(waiting, weights[np.ix_(rows, rows)])
    return _join(kept + [list(pair) for pair in new.pairs], new.unpaired, ordered, weights)
