"""The shop's search: forgiving the way a visitor types on a tablet in a hurry.

A product matches when every word typed matches its texts (name, summary, description,
owner, shelf and tags). A word matches when, after folding case and accents:

* it occurs anywhere in the texts ("schuld" finds "schuldhulp"), or
* its Dutch stem is the stem of a word there ("maatjes" finds "maatje"), also as the last
  part of a compound ("maatjes" finds "SchuldHulpMaatje", but not "maatregelen"), or
* it is one typing mistake away from a word there, or its stem from a stem there, for
  words of five letters or more ("vrijwiliger" finds "vrijwilliger"), or
* it is a compound of two such words that occur apart ("schuldenfonds" finds a fund that
  settles debts: "schulden" and "fonds").

Stems come from the Snowball project's Dutch stemmer (the `snowballstemmer` package).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from ..organisations import fold
from ..spelling import edit_distance

TYPO_MIN_LENGTH = 5  # shorter words have too many neighbours one letter away
COMPOUND_PART_MIN_LENGTH = 4
COMPOUND_MIN_LENGTH = 2 * COMPOUND_PART_MIN_LENGTH
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Dutch stem of a folded word. (A stemmer object keeps state while it works, so
    each call takes its own; the cache makes a word's second stemming free.)"""
    stemmed: str = snowballstemmer.stemmer("dutch").stemWord(word)
    return stemmed


def words_of(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return _WORD.findall(fold(text))


@dataclass(frozen=True, slots=True)
class SearchText:
    """One product's texts, prepared for matching."""

    text: str
    words: frozenset[str]
    stems: frozenset[str]
    # Stems that only lost an ending ("vrijwil" of "vrijwilligers"); the stemmer also takes
    # off prefixes ("werkver" of "werkgever"), and such stems are too unlike the word to
    # allow a typo on them.
    suffix_stems: frozenset[str]


def search_text(parts: Iterable[str]) -> SearchText:
    """Prepare a product's texts (any number of strings) for `matches`."""
    text = fold(" ".join(parts))
    words = frozenset(_WORD.findall(text))
    stems = {word: stem(word) for word in words}
    return SearchText(
        text,
        words,
        frozenset(stems.values()),
        frozenset(found for word, found in stems.items() if word.startswith(found)),
    )


def _exact(entry: SearchText, term: str, term_stem: str) -> bool:
    if term in entry.text or term_stem in entry.stems:
        return True
    if len(term_stem) < COMPOUND_PART_MIN_LENGTH:
        return False
    # The term as the last part of a compound: where the stem occurs inside a word, the
    # rest of that word must stem to the same ("schuldhulpmaatje" ends in "maatje").
    for word in entry.words:
        start = word.find(term_stem, 1)
        while start > 0:
            if stem(word[start:]) == term_stem:
                return True
            start = word.find(term_stem, start + 1)
    return False


def _one_typo(entry: SearchText, term: str, term_stem: str) -> bool:
    if len(term) < TYPO_MIN_LENGTH:
        return False
    for word in entry.words:
        if abs(len(word) - len(term)) <= 1 and edit_distance(term, word, 1) <= 1:
            return True
    if len(term_stem) < TYPO_MIN_LENGTH or not term.startswith(term_stem):
        return False
    return any(
        abs(len(known) - len(term_stem)) <= 1 and edit_distance(term_stem, known, 1) <= 1
        for known in entry.suffix_stems
    )


def _plain(entry: SearchText, part: str) -> bool:
    """A part of a compound occurs as it is, or with another ending."""
    if part in entry.text:
        return True
    part_stem = stem(part)
    return (
        len(part_stem) >= COMPOUND_PART_MIN_LENGTH
        and part.startswith(part_stem)
        and part_stem in entry.suffix_stems
    )


def _compound(entry: SearchText, term: str) -> bool:
    if len(term) < COMPOUND_MIN_LENGTH:
        return False
    for cut in range(COMPOUND_PART_MIN_LENGTH, len(term) - COMPOUND_PART_MIN_LENGTH + 1):
        if _plain(entry, term[:cut]) and _plain(entry, term[cut:]):
            return True
    return False


def matches(entry: SearchText, term: str) -> bool:
    """Whether one folded search word matches a product's prepared texts."""
    term_stem = stem(term)
    return (
        _exact(entry, term, term_stem)
        or _one_typo(entry, term, term_stem)
        or _compound(entry, term)
    )


def search_terms(words: str) -> list[str]:
    """The folded words of what a visitor typed, each once, in order."""
    return list(dict.fromkeys(words_of(words)))
