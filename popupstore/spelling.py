"""Forgiving comparison of words: how many typing mistakes lie between two of them.

Used where a visitor types on a touch screen in a hurry: the shop's search (one typo is
forgiven) and the checkout's "Bedoel je …?" for a municipality typed slightly wrong.
"""

from __future__ import annotations


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """The optimal-string-alignment distance of `a` and `b`: insertions, deletions,
    substitutions and swaps of two neighbouring letters each count one ("Tilbrug" is one
    from "Tilburg", "Bredaa" one from "Breda").

    With `limit`, any distance above it may be reported as ``limit + 1`` (the answer is
    exact up to `limit`), which lets long, unlike words stop early.
    """
    if a == b:
        return 0
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    too_far = None if limit is None else limit + 1
    # Three rows of the classic dynamic programme: two back are needed for a swap.
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, before[j - 2] + 1)
            current[j] = value
        if too_far is not None and min(current) >= too_far:
            return too_far
        before, previous = previous, current
    distance = previous[len(b)]
    return distance if too_far is None else min(distance, too_far)
