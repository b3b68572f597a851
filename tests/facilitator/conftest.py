"""A small crowd at the Breda event, and helpers for the facilitator's pages."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

EVENT = "/facilitator/evenement/breda-2026"
# Every page a facilitator can open for an event (GET).
PAGES = ["", "/live", "/overlap", "/gesprekken", "/tafels", "/samenwerking", "/wand", "/wand/live"]

SILENT_NAME = "Zwijgzame Zeger"
SILENT_EMAIL = "zeger@stil.example"
SILENT_ORGANISATION = "Stichting Stilte"


@pytest.fixture
def crowd(store: Any, make_checkout: Callable[..., dict[str, Any]]) -> SimpleNamespace:
    """Five visitors; Zeger (receipt 3) did not share contact details."""
    anna = make_checkout(
        {"geldfit": "want", "vroegsignalering": "have"},
        name="Anna de Vries",
        organisation="Breda",
    )
    bram = make_checkout(
        {"geldfit": "want", "vroegsignalering": "want"}, name="Bram", organisation="Tilburg"
    )
    zeger = make_checkout(
        {"geldfit": "have", "vroegsignalering": "want", "schuldhulpmaatje": "want"},
        name=SILENT_NAME,
        organisation=SILENT_ORGANISATION,
        share_contact=False,
        email=SILENT_EMAIL,
    )
    dirk = make_checkout(
        {"schuldhulpmaatje": "have", "gemeentepolis": "want"}, name="Dirk", organisation="Utrecht"
    )
    eva = make_checkout(
        {"gemeentepolis": "want", "geldfit": "want"}, name="Eva", organisation="Breda"
    )
    return SimpleNamespace(anna=anna, bram=bram, zeger=zeger, dirk=dirk, eva=eva)


@pytest.fixture
def staff(login: Callable[[str], Any]) -> None:
    """The test client is logged in as a facilitator."""
    login("facilitator")
