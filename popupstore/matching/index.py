"""The baskets of one event with an inverted index, for fast partner and colleague look-ups.

Scores follow the matching rules (docs/architecture.md). A pair's score is summed over the
shared products in slug order, one ``w * idf`` term after the other; the numpy path adds the
same terms in the same order, so it gives bit-for-bit the numbers a plain Python loop gives,
and rounding ties come out the same.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from popupstore.matching.model import (
    UNKNOWN_PROVINCE,
    Basket,
    Collaboration,
    Intent,
    Match,
    SharedProduct,
    idf_value,
    intent_weight,
    round_score,
)

DEFAULT_LIMIT: Final = 5

_INTENT_CODE: Final[Mapping[Intent, int]] = {"want": 0, "have": 1}

# Rounding to 4 decimals moves a score by at most 0.00005; anyone who can still reach the top
# after rounding lies within twice that of the raw k-th best score. A wider margin costs nothing.
_ROUNDING_MARGIN: Final = 1e-3

# Below this many candidates an exact sort in Python is cheaper than a numpy preselection.
_SMALL_CANDIDATE_SET: Final = 32


class _GrowingArray:
    """A numpy array that grows by doubling, so appending one value is amortised O(1).

    ``view()`` is a window on the filled part; later appends never change what a view shows.
    """

    __slots__ = ("_data", "_size")

    def __init__(self, dtype: npt.DTypeLike, capacity: int = 16) -> None:
        self._data: np.ndarray = np.empty(capacity, dtype=dtype)
        self._size = 0

    def append(self, value: int) -> None:
        if self._size == len(self._data):
            grown = np.empty(2 * len(self._data), dtype=self._data.dtype)
            grown[: self._size] = self._data
            self._data = grown
        self._data[self._size] = value
        self._size += 1

    def view(self) -> np.ndarray:
        return self._data[: self._size]


class _Postings:
    """Contact ranks of the consenting baskets that hold one product, with their intent codes."""

    __slots__ = ("ranks", "intents")

    def __init__(self) -> None:
        self.ranks = _GrowingArray(np.intp)
        self.intents = _GrowingArray(np.int8)

    def append(self, rank: int, intent: Intent) -> None:
        self.ranks.append(rank)
        self.intents.append(_INTENT_CODE[intent])


@dataclass(frozen=True, slots=True)
class Wanter:
    """How an organisation wants a product: through its lowest-numbered basket, and through
    its lowest-numbered basket whose visitor shares contact details (None when there is none).

    The named display name is that of the lowest-numbered consenting basket, so it neither
    depends on the order in which baskets arrive nor shows a non-consenting visitor's spelling.
    """

    number: int
    consenting_number: int | None
    consenting_name: str | None

    @property
    def may_be_named(self) -> bool:
        return self.consenting_number is not None


def record_want(wanters: dict[str, Wanter], basket: Basket) -> None:
    """Note in ``wanters`` (organisation key -> Wanter) that ``basket`` wants the product."""
    known = wanters.get(basket.organisation)
    number = basket.number if known is None else min(known.number, basket.number)
    consenting_number = None if known is None else known.consenting_number
    consenting_name = None if known is None else known.consenting_name
    if basket.share_contact and (consenting_number is None or basket.number < consenting_number):
        consenting_number, consenting_name = basket.number, basket.organisation_name
    wanters[basket.organisation] = Wanter(number, consenting_number, consenting_name)


def named_collaboration(
    product: str,
    province: str,
    wanters: Mapping[str, Wanter],
    owner: str,
    own: Basket | None = None,
) -> Collaboration | None:
    """The collaboration of these wanters, or None when fewer than two organisations want it.

    Organisations wanted by a consenting visitor are named, and so is the asking visitor's
    own (`own`); the rest are only counted in ``unnamed``.
    """
    if len(wanters) < 2:
        return None
    names: set[str] = set()
    unnamed = 0
    for key, wanter in wanters.items():
        if own is not None and key == own.organisation:
            names.add(wanter.consenting_name or own.organisation_name)
        elif wanter.consenting_name is not None:
            names.add(wanter.consenting_name)
        else:
            unnamed += 1
    return Collaboration(
        product=product,
        province=province,
        organisations=tuple(sorted(names)),
        owner=owner,
        unnamed=unnamed,
    )


class EventIndex:
    """All baskets of one event, with an inverted index product -> baskets and per-product counts.

    ``N`` is the number of baskets and ``n_p`` the number holding product ``p``. Only baskets
    whose visitor shares contact details ("contacts", numbered by rank in order of addition)
    are posted in the inverted index, since nobody else ever appears as a match; the counts
    include everyone.

    The query methods accept a basket that is not (yet) in the index: they then answer as if it
    had been added (``N + 1`` and ``n_p + 1`` for its products) without changing the index. A
    basket whose number is in the index is taken to be the stored one: it is already counted.

    Methods are safe to call from several threads; ``add`` and queries serialise on a lock.
    """

    def __init__(self, baskets: Iterable[Basket] = ()) -> None:
        self._lock = threading.Lock()
        self._baskets: dict[int, Basket] = {}  # by number
        self._counts: dict[str, int] = {}
        self._want_counts: dict[str, int] = {}
        self._postings: dict[str, _Postings] = {}
        # Per contact rank: the basket, its number and the id of its organisation.
        self._contacts: list[Basket] = []
        self._rank_of: dict[int, int] = {}
        self._contact_numbers = _GrowingArray(np.int64)
        self._contact_organisation_ids = _GrowingArray(np.int32)
        self._organisation_id_of: dict[str, int] = {}
        self._wanters: dict[tuple[str, str], dict[str, Wanter]] = {}
        self._max_number = 0
        self._sorted: list[Basket] | None = []
        for basket in baskets:
            self.add(basket)

    # -- building ---------------------------------------------------------------------------

    def add(self, basket: Basket) -> None:
        """Add a basket in amortised O(basket size). Raises ValueError if its number is taken."""
        with self._lock:
            if basket.number in self._baskets:
                raise ValueError(f"basket number {basket.number} is already in the event")
            self._baskets[basket.number] = basket
            rank = -1
            if basket.share_contact:
                rank = len(self._contacts)
                self._contacts.append(basket)
                self._rank_of[basket.number] = rank
                self._contact_numbers.append(basket.number)
                self._contact_organisation_ids.append(
                    self._organisation_id_of.setdefault(
                        basket.organisation, len(self._organisation_id_of)
                    )
                )
            for product, intent in basket.items.items():
                self._counts[product] = self._counts.get(product, 0) + 1
                if intent == "want":
                    self._want_counts[product] = self._want_counts.get(product, 0) + 1
                if rank >= 0:
                    postings = self._postings.get(product)
                    if postings is None:
                        postings = self._postings[product] = _Postings()
                    postings.append(rank, intent)
                if intent == "want" and basket.province != UNKNOWN_PROVINCE:
                    record_want(self._wanters.setdefault((product, basket.province), {}), basket)
            self._max_number = max(self._max_number, basket.number)
            self._sorted = None

    # -- plain look-ups -------------------------------------------------------------------

    def __len__(self) -> int:
        """``N``: the number of baskets in the event."""
        return len(self._baskets)

    def __contains__(self, number: object) -> bool:
        """Whether a basket with this receipt number is in the index."""
        return number in self._baskets

    def get(self, number: int) -> Basket:
        """The basket with this receipt number; KeyError if absent."""
        return self._baskets[number]

    def baskets(self) -> list[Basket]:
        """All baskets, in receipt number order (a new list)."""
        with self._lock:
            if self._sorted is None:
                self._sorted = [self._baskets[number] for number in sorted(self._baskets)]
            return list(self._sorted)

    @property
    def max_number(self) -> int:
        """The highest receipt number in the index; 0 when it is empty."""
        return self._max_number

    def product_counts(self) -> dict[str, int]:
        """``n_p`` for every product held by at least one basket (a new dict)."""
        with self._lock:
            return dict(self._counts)

    def intent_counts(self) -> dict[str, tuple[int, int]]:
        """Per product held by at least one basket: (baskets wanting it, baskets having it)."""
        with self._lock:
            return {
                product: (
                    self._want_counts.get(product, 0),
                    count - self._want_counts.get(product, 0),
                )
                for product, count in self._counts.items()
            }

    def idf(self, product: str) -> float:
        """``ln(1 + N / n_p)``; KeyError for a product no basket holds."""
        with self._lock:
            holders = self._counts.get(product, 0)
            if holders == 0:
                raise KeyError(product)
            return idf_value(len(self._baskets), holders)

    # -- scores -----------------------------------------------------------------------------

    def score(self, a: Basket, b: Basket) -> float:
        """The unrounded score of two baskets: ``Σ w · idf(p)`` over the products both hold.

        Terms are added in product slug order. A basket that is not in the index counts as
        added for ``N`` and ``n_p`` (both of them when neither is, once when they share a
        number).
        """
        with self._lock:
            virtual = [a] if a.number not in self._baskets else []
            if b.number not in self._baskets and b.number != a.number:
                virtual.append(b)
            checkouts = len(self._baskets) + len(virtual)
            total = 0.0
            for product in sorted(a.items.keys() & b.items.keys()):
                holders = self._counts.get(product, 0)
                holders += sum(1 for basket in virtual if product in basket.items)
                weight = intent_weight(a.items[product], b.items[product])
                total += weight * idf_value(checkouts, holders)
            return total

    def partner_matches(self, basket: Basket, limit: int = DEFAULT_LIMIT) -> list[Match]:
        """Up to ``limit`` consenting baskets of other organisations with a score above 0.

        Ordered by the score rounded to 4 decimals, highest first, then by lower number. The
        basket's own ``share_contact`` does not matter. Only baskets that share a product with
        it are touched.
        """
        return self._matches(basket, limit, same_organisation=False)

    def colleague_matches(self, basket: Basket, limit: int = DEFAULT_LIMIT) -> list[Match]:
        """As ``partner_matches``, but for baskets of the basket's own organisation (not itself)."""
        return self._matches(basket, limit, same_organisation=True)

    def _matches(self, basket: Basket, limit: int, *, same_organisation: bool) -> list[Match]:
        if limit < 0:
            raise ValueError(f"limit must be >= 0, got {limit}")
        with self._lock:
            virtual = basket.number not in self._baskets
            own_rank = self._rank_of.get(basket.number, -1)
            checkouts = len(self._baskets) + virtual
            rank_chunks: list[np.ndarray] = []
            weight_chunks: list[np.ndarray] = []
            for product in sorted(basket.items):
                postings = self._postings.get(product)
                if postings is None:
                    continue
                idf = idf_value(checkouts, self._counts[product] + virtual)
                mine = basket.items[product]
                # Terms for the other's intent, indexed by intent code: 0 = want, 1 = have.
                terms = np.array(
                    [intent_weight(mine, "want") * idf, intent_weight(mine, "have") * idf]
                )
                rank_chunks.append(postings.ranks.view())
                weight_chunks.append(terms[postings.intents.view()])
            if not rank_chunks or limit == 0:
                return []
            # bincount adds each bin's weights in input order: per pair, the terms in slug order.
            scores = np.bincount(
                np.concatenate(rank_chunks),
                weights=np.concatenate(weight_chunks),
                minlength=len(self._contacts),
            )
            candidates = np.flatnonzero(scores)
            organisation_id = self._organisation_id_of.get(basket.organisation, -1)
            organisation_ids = self._contact_organisation_ids.view()[candidates]
            if same_organisation:
                keep = (organisation_ids == organisation_id) & (candidates != own_rank)
            else:
                keep = organisation_ids != organisation_id
            candidates = candidates[keep]
            ranked = self._top(candidates, scores[candidates], limit)
            return [self._match(basket, self._contacts[rank], score) for rank, score in ranked]

    def _top(
        self, candidates: np.ndarray, scores: np.ndarray, limit: int
    ) -> list[tuple[int, float]]:
        """The best ``limit`` (contact rank, raw score) by rounded score desc, then number asc."""
        if len(candidates) > max(limit, _SMALL_CANDIDATE_SET):
            kth_best = np.partition(scores, len(scores) - limit)[len(scores) - limit]
            near_top = scores >= kth_best - _ROUNDING_MARGIN
            candidates, scores = candidates[near_top], scores[near_top]
        numbers = self._contact_numbers.view()[candidates]
        ranked = sorted(
            zip(candidates.tolist(), scores.tolist(), numbers.tolist(), strict=True),
            key=lambda entry: (-round_score(entry[1]), entry[2]),
        )
        return [(rank, score) for rank, score, _ in ranked[:limit]]

    @staticmethod
    def _match(basket: Basket, other: Basket, score: float) -> Match:
        shared = tuple(
            SharedProduct(product, intent, other.items[product])
            for product, intent in sorted(basket.items.items())
            if product in other.items
        )
        return Match(
            number=other.number,
            name=other.name or "",
            organisation=other.organisation_name,
            score=round_score(score),
            shared=shared,
        )

    # -- collaborations ---------------------------------------------------------------------

    def collaborations(self, basket: Basket, owners: Mapping[str, str]) -> list[Collaboration]:
        """For each product the basket wants: its province's organisations that want it too.

        An entry appears when at least two different organisations of the basket's province
        (the basket's own included) want the product; ``"onbekend"`` never counts, so such a
        basket gets ``[]``. Only organisations wanted by a consenting visitor (and the basket's
        own) are named, the others counted (`named_collaboration`). ``owners`` maps product
        slugs to owners ("" when missing). Entries are sorted by product slug.
        """
        if basket.province == UNKNOWN_PROVINCE:
            return []
        with self._lock:
            in_index = basket.number in self._baskets
            result: list[Collaboration] = []
            for product in sorted(basket.items):
                if basket.items[product] != "want":
                    continue
                wanters = dict(self._wanters.get((product, basket.province), {}))
                if not in_index:
                    record_want(wanters, basket)
                found = named_collaboration(
                    product, basket.province, wanters, owners.get(product, ""), own=basket
                )
                if found is not None:
                    result.append(found)
            return result
