"""Plain data of the matching engine: baskets in, matches and collaborations out.

Everything here is immutable and free of Flask and the database, so the matching
rules (docs/architecture.md, "Matching rules") can be tested and benchmarked on their own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal, get_args

Intent = Literal["want", "have"]
"""``want`` ("wil ik": interested) or ``have`` ("doen we al": has experience to share)."""

INTENTS: Final[tuple[Intent, ...]] = get_args(Intent)

UNKNOWN_PROVINCE: Final = "onbekend"
"""The province of an organisation that is not a municipality; it never forms a collaboration."""

# Weight of a shared product by the two intents (docs/architecture.md, "Matching rules").
# Keys are (intent of a, intent of b).
INTENT_WEIGHTS: Final[Mapping[tuple[Intent, Intent], float]] = MappingProxyType(
    {
        ("want", "want"): 1.0,
        ("want", "have"): 1.5,
        ("have", "want"): 1.5,
        ("have", "have"): 0.5,
    }
)

SCORE_DECIMALS: Final = 4


def intent_weight(mine: Intent, theirs: Intent) -> float:
    """The weight ``w`` of a product held by two baskets with these intents."""
    return INTENT_WEIGHTS[(mine, theirs)]


def idf_value(checkouts: int, holders: int) -> float:
    """``ln(1 + N / n_p)`` for an event of ``checkouts`` baskets, ``holders`` of which hold p.

    Raises ValueError unless ``0 < holders <= checkouts``.
    """
    if not 0 < holders <= checkouts:
        raise ValueError(f"idf needs 0 < n_p <= N, got n_p={holders}, N={checkouts}")
    return math.log(1.0 + checkouts / holders)


def round_score(score: float) -> float:
    """A score as reported: rounded to 4 decimals (Python's correctly rounded ``round``)."""
    return round(score, SCORE_DECIMALS)


@dataclass(frozen=True, slots=True)
class Basket:
    """One checkout of an event, as the matching engine sees it.

    ``number`` is the receipt number, unique within the event. ``items`` maps each product slug
    to the visitor's intent and is never empty; it is copied into a read-only mapping, so a
    basket cannot change after it was counted. ``organisation`` is the normalised organisation
    key (equal keys mean the same organisation), ``organisation_name`` its display name and
    ``province`` a province name or ``"onbekend"``. ``name`` is None once erased.
    ``across_series``: the visitor also wants to meet (and be met by) visitors of the other
    events of the event's series; they consent to that only together with ``share_contact``.
    Raises ValueError on an empty basket or an unknown intent.
    """

    number: int
    items: Mapping[str, Intent]
    organisation: str
    organisation_name: str
    province: str
    share_contact: bool
    name: str | None = None
    across_series: bool = False

    @property
    def consents_across_series(self) -> bool:
        """Whether visitors of the series' other events may be shown this visitor."""
        return self.share_contact and self.across_series

    def __post_init__(self) -> None:
        if not self.items:
            raise ValueError(f"basket {self.number} is empty")
        for product, intent in self.items.items():
            if intent not in INTENTS:
                raise ValueError(f"basket {self.number}: unknown intent {intent!r} for {product!r}")
        if not isinstance(self.items, MappingProxyType):
            object.__setattr__(self, "items", MappingProxyType(dict(self.items)))


@dataclass(frozen=True, slots=True)
class SharedProduct:
    """A product both baskets hold: ``mine`` is the asking visitor's intent, ``theirs`` the
    other's."""

    product: str
    mine: Intent
    theirs: Intent


@dataclass(frozen=True, slots=True)
class Match:
    """Another visitor worth meeting (JSON: Match in the OpenAPI document).

    ``organisation`` is the other's organisation display name, ``score`` is rounded to 4 decimals
    and ``shared`` is sorted by product slug.
    """

    number: int
    name: str
    organisation: str
    score: float
    shared: tuple[SharedProduct, ...]


@dataclass(frozen=True, slots=True)
class SeriesMatch:
    """A visitor of another event of the series worth meeting (JSON: SeriesMatch): a
    ``match`` as within an event, and the ``event`` (slug) where they checked out."""

    event: str
    match: Match


@dataclass(frozen=True, slots=True)
class Collaboration:
    """Organisations of one province that want the same product (JSON: Collaboration).

    ``organisations`` holds the display names (sorted, distinct) of the organisations that may
    be named: the asking visitor's own and those wanted by a visitor who shares contact
    details; ``unnamed`` counts the others, wanted only by visitors who do not. ``owner`` is
    the product's owner ("" when unknown).
    """

    product: str
    province: str
    organisations: tuple[str, ...]
    owner: str
    unnamed: int = 0
