"""Colours and icons of the shelves: each theme has its own, for tiles, tags and labels."""

from __future__ import annotations

import hashlib

# Dark enough for white text at WCAG AA (contrast >= 4.5:1 against #fff).
PALETTE = (
    "#1f5f8b",  # blue
    "#7a3e9d",  # purple
    "#2e6b30",  # green
    "#a03c1e",  # brick
    "#8a5a00",  # ochre
    "#005f6b",  # teal
    "#9c2c5b",  # raspberry
    "#4a5a16",  # olive
    "#5b4a8a",  # indigo
    "#7c4a2d",  # brown
    "#2d5b7c",  # steel
    "#6b2e2e",  # maroon
    "#3d6b5a",  # sea green
    "#58527a",  # slate
)

# The shelves of the shipped catalog, in the order a visitor thinks of them: spotting
# arrears early first, then preventing, finding help, coaching, settling, the groups that
# need their own approach, and working together. The shop shows these shelves in this
# order and every other theme after them, alphabetically. (The order lives here, not in the
# product file, whose format has no place for it.)
SHELF_ORDER: tuple[str, ...] = (
    "Vroegsignalering",
    "Preventie",
    "Digitaal",
    "Begeleiding en budgetbeheer",
    "Schuldregeling en nazorg",
    "Jongeren",
    "Werk en ondernemers",
    "Samenwerking",
)

_POSITION = {name.lower(): index for index, name in enumerate(SHELF_ORDER)}


def shelf_position(theme: str) -> tuple[int, str]:
    """A sort key: the shelves of SHELF_ORDER in that order, then the rest by name."""
    key = theme.strip().lower()
    return (_POSITION.get(key, len(SHELF_ORDER)), key)


def theme_index(theme: str) -> int:
    """A stable palette position for a theme label: each shelf of SHELF_ORDER its own,
    other themes one of the remaining colours by hash."""
    index = _POSITION.get(theme.strip().lower())
    if index is None:
        digest = hashlib.sha256(theme.strip().lower().encode("utf-8")).digest()
        index = len(SHELF_ORDER) + digest[0] % (len(PALETTE) - len(SHELF_ORDER))
    return index


def theme_colour(theme: str) -> str:
    return PALETTE[theme_index(theme)]


def theme_class(theme: str) -> str:
    """The CSS class that colours a theme (the CSP allows no inline styles)."""
    return f"theme-{theme_index(theme)}"
