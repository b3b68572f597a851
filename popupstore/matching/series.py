"""Matching across the events of a series: the receipt's ``series_matches``.

A visitor who ticked "also show me people of the other days of this series" meets the
visitors of the series' *other* events who ticked the same and share contact details, by
the same score as within an event, except that ``N`` and ``n_p`` count the baskets of every
event of the series (earlier and later ones, the visitor's own event included). Ordering:
the score rounded to 4 decimals, highest first; then the other event's date, earlier first;
then the lower receipt number. Pure: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from popupstore.matching.index import DEFAULT_LIMIT
from popupstore.matching.model import (
    Basket,
    Match,
    SeriesMatch,
    SharedProduct,
    idf_value,
    intent_weight,
    round_score,
)


@dataclass(frozen=True, slots=True)
class SeriesEvent:
    """One event of a series: its slug, its date and all its current baskets."""

    slug: str
    date: date
    baskets: Sequence[Basket]


class SeriesIndex:
    """The baskets of every event of one series, counted together.

    Built once per change of any of its events (the app keeps one per series and worker);
    a query touches only the consenting baskets that share a product with the asker.
    Raises ValueError when two events share a slug or an event holds a receipt number twice.
    """

    def __init__(self, events: Iterable[SeriesEvent]) -> None:
        ordered = sorted(events, key=lambda e: (e.date, e.slug))
        self._events: tuple[SeriesEvent, ...] = tuple(ordered)
        self._position: dict[str, int] = {}
        self._numbers: list[frozenset[int]] = []
        self._counts: dict[str, int] = {}
        # Per product: (event position, basket) of the baskets that consent across the series.
        self._postings: dict[str, list[tuple[int, Basket]]] = {}
        checkouts = 0
        for position, event in enumerate(self._events):
            if event.slug in self._position:
                raise ValueError(f"event {event.slug!r} is twice in the series")
            self._position[event.slug] = position
            numbers = frozenset(basket.number for basket in event.baskets)
            if len(numbers) != len(event.baskets):
                raise ValueError(f"event {event.slug!r} holds a receipt number twice")
            self._numbers.append(numbers)
            checkouts += len(event.baskets)
            for basket in event.baskets:
                for product in basket.items:
                    self._counts[product] = self._counts.get(product, 0) + 1
                    if basket.consents_across_series:
                        self._postings.setdefault(product, []).append((position, basket))
        self._checkouts = checkouts

    def __len__(self) -> int:
        """``N``: the baskets of all events of the series."""
        return self._checkouts

    @property
    def events(self) -> tuple[SeriesEvent, ...]:
        """The events, by date (then slug)."""
        return self._events

    def product_counts(self) -> dict[str, int]:
        """``n_p`` over the whole series, for every product held at all (a new dict)."""
        return dict(self._counts)

    def matches(self, basket: Basket, event: str, limit: int = DEFAULT_LIMIT) -> list[SeriesMatch]:
        """Up to ``limit`` visitors of the series' other events for ``basket`` of ``event``.

        Empty when the basket's visitor did not tick ``across_series`` or ``event`` is not
        in the series. A basket whose number is not among its event's baskets counts as
        added (``N + 1``, ``n_p + 1`` for its products). Candidates consent (both
        ``share_contact`` and ``across_series``), belong to another organisation (normalised
        key) and score above 0. Raises ValueError for a negative limit.
        """
        if limit < 0:
            raise ValueError(f"limit must be >= 0, got {limit}")
        own = self._position.get(event)
        if own is None or not basket.across_series or limit == 0:
            return []
        virtual = int(basket.number not in self._numbers[own])
        checkouts = self._checkouts + virtual
        scores: dict[tuple[int, int], float] = {}
        others: dict[tuple[int, int], Basket] = {}
        # Products in slug order, so each pair's terms are added in the order EventIndex adds
        # them: equal baskets give bit-for-bit equal scores, and equal rounding ties.
        for product in sorted(basket.items):
            postings = self._postings.get(product)
            if not postings:
                continue
            idf = idf_value(checkouts, self._counts[product] + virtual)
            mine = basket.items[product]
            for position, other in postings:
                if position == own or other.organisation == basket.organisation:
                    continue
                key = (position, other.number)
                weight = intent_weight(mine, other.items[product])
                scores[key] = scores.get(key, 0.0) + weight * idf
                others[key] = other
        ranked = sorted(
            (key for key, score in scores.items() if score > 0),
            key=lambda key: (
                -round_score(scores[key]),
                self._events[key[0]].date,
                key[1],
                self._events[key[0]].slug,
            ),
        )
        return [
            self._series_match(basket, self._events[key[0]].slug, others[key], scores[key])
            for key in ranked[:limit]
        ]

    @staticmethod
    def _series_match(basket: Basket, event: str, other: Basket, score: float) -> SeriesMatch:
        shared = tuple(
            SharedProduct(product, intent, other.items[product])
            for product, intent in sorted(basket.items.items())
            if product in other.items
        )
        match = Match(
            number=other.number,
            name=other.name or "",
            organisation=other.organisation_name,
            score=round_score(score),
            shared=shared,
        )
        return SeriesMatch(event=event, match=match)


def series_matches(
    basket: Basket, event: str, events: Iterable[SeriesEvent], limit: int = DEFAULT_LIMIT
) -> list[SeriesMatch]:
    """``series_matches`` of ``basket`` (of the event with slug ``event``) in the series made
    of ``events``; see `SeriesIndex.matches`."""
    return SeriesIndex(events).matches(basket, event, limit)
