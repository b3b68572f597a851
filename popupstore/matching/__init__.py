"""The matching engine: pure functions and an index over an event's baskets.

The rules it implements are in docs/architecture.md, "Matching rules".

No Flask, no database, no I/O: the app turns checkouts into ``Basket`` values and the results
back into JSON.
"""

from popupstore.matching.event import (
    Overlap,
    PairCount,
    ProductCount,
    event_collaborations,
    overlap,
)
from popupstore.matching.index import EventIndex
from popupstore.matching.latecomers import SeatedTable, seat_latecomers
from popupstore.matching.model import (
    Basket,
    Collaboration,
    Intent,
    Match,
    SeriesMatch,
    SharedProduct,
    idf_value,
    intent_weight,
    round_score,
)
from popupstore.matching.pairing import (
    ConversationRound,
    Pairing,
    conversation_pairs,
    pair_latecomers,
    with_trios,
)
from popupstore.matching.series import SeriesEvent, SeriesIndex, series_matches
from popupstore.matching.starters import Starter, conversation_starter
from popupstore.matching.tables import (
    Table,
    TablePlan,
    score_matrix,
    seat_tables,
    table_sizes,
)

__all__ = [
    "Basket",
    "Collaboration",
    "ConversationRound",
    "EventIndex",
    "Intent",
    "Match",
    "Overlap",
    "PairCount",
    "Pairing",
    "ProductCount",
    "SeriesEvent",
    "SeriesIndex",
    "SeatedTable",
    "SeriesMatch",
    "SharedProduct",
    "Starter",
    "Table",
    "TablePlan",
    "conversation_pairs",
    "conversation_starter",
    "pair_latecomers",
    "event_collaborations",
    "idf_value",
    "intent_weight",
    "overlap",
    "round_score",
    "score_matrix",
    "seat_latecomers",
    "seat_tables",
    "series_matches",
    "table_sizes",
    "with_trios",
]
