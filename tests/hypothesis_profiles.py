"""Hypothesis profiles: `full` for `make test`, `check` for the fast lane (`make check`).

POPUPSTORE_HYPOTHESIS_PROFILE names the profile (default `full`). A test that sets its own
example count passes it through `examples()`, so the fast lane scales it down with the rest
while `make test` keeps every count as written.
"""

from __future__ import annotations

import os

from hypothesis import settings

PROFILE_VARIABLE = "POPUPSTORE_HYPOTHESIS_PROFILE"
# Hypothesis' own default count; `full` keeps it, `check` tries a quarter.
FULL_EXAMPLES = 100
CHECK_EXAMPLES = 25
FEWEST_EXAMPLES = 5


def load_profile() -> str:
    """Register both profiles and load the one the environment names; returns its name."""
    settings.register_profile("full", max_examples=FULL_EXAMPLES)
    settings.register_profile("check", max_examples=CHECK_EXAMPLES)
    name = os.environ.get(PROFILE_VARIABLE, "full")
    settings.load_profile(name)
    return name


def examples(full: int) -> int:
    """`full` under the full profile; under another profile the same share of `full` as its
    count is of Hypothesis' default (a quarter in `check`), and never fewer than 5."""
    return max(FEWEST_EXAMPLES, full * settings.default.max_examples // FULL_EXAMPLES)
