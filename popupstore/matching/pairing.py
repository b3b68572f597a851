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
    numbers = [basket.number for basket in ordered]
    weights = integer_weights(ordered)
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
