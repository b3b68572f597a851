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

KNOWN = {
    "vroegsignalering": 0,
    "digitaal": 1,
    "vrijwilligers": 2,
    "jongeren": 3,
    "schuldregeling": 4,
    "samenwerking": 5,
    "integrale aanpak": 6,
    "budgetbeheer": 7,
    "methodiek": 8,
    "werkende armen": 9,
    "ondernemers": 10,
    "bewindvoering": 11,
    "nazorg": 12,
    "preventie": 13,
}


def theme_index(theme: str) -> int:
    """A stable palette position for a theme label; unknown themes get one by hash."""
    index = KNOWN.get(theme.strip().lower())
    if index is None:
        digest = hashlib.sha256(theme.strip().lower().encode("utf-8")).digest()
        index = digest[0] % len(PALETTE)
    return index


def theme_colour(theme: str) -> str:
    return PALETTE[theme_index(theme)]


def theme_class(theme: str) -> str:
    """The CSS class that colours a theme (the CSP allows no inline styles)."""
    return f"theme-{theme_index(theme)}"
