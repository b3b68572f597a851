"""overlap() and event_collaborations() on small events counted by hand."""

from __future__ import annotations

from popupstore.matching import (
    Collaboration,
    EventIndex,
    Overlap,
    PairCount,
    ProductCount,
    event_collaborations,
    overlap,
)

VROEG = "vroegsignalering"
BUDGET = "budgetcoach"
WIJZER = "schuldenwijzer"


def test_overlap_by_hand(make_basket):
    baskets = [
        make_basket(1, {VROEG: "want", BUDGET: "have"}),
        make_basket(2, {VROEG: "have", WIJZER: "want"}),
        make_basket(3, {VROEG: "want", BUDGET: "want"}),
        make_basket(4, {BUDGET: "want", WIJZER: "want"}),
        make_basket(5, {"zzz-alleen": "have"}),
    ]
    assert overlap(baskets) == Overlap(
        checkouts=5,
        products=[
            ProductCount(BUDGET, want=2, have=1),
            ProductCount(WIJZER, want=2, have=0),
            ProductCount(VROEG, want=2, have=1),
            ProductCount("zzz-alleen", want=0, have=1),
        ],
        pairs=[
            PairCount(BUDGET, WIJZER, 1),  # basket 4
            PairCount(BUDGET, VROEG, 2),  # baskets 1 and 3
            PairCount(WIJZER, VROEG, 1),  # basket 2
        ],
    )


def test_overlap_of_nothing():
    assert overlap([]) == Overlap(checkouts=0, products=[], pairs=[])


def test_event_collaborations(make_basket):
    baskets = [
        make_basket(1, {VROEG: "want", BUDGET: "want"}, "Utrecht", province="Utrecht"),
        make_basket(2, {VROEG: "want"}, "Zeist", province="Utrecht"),
        make_basket(3, {VROEG: "want"}, "zeist", province="Utrecht"),  # same key as Zeist
        make_basket(4, {VROEG: "want", BUDGET: "want"}, "Breda"),
        make_basket(5, {VROEG: "want", BUDGET: "have"}, "Tilburg"),
        make_basket(6, {BUDGET: "want"}, "Kredietbank", province="onbekend"),
        make_basket(7, {BUDGET: "want"}, "Schuldhulp Oost", province="onbekend"),
        make_basket(8, {WIJZER: "want"}, "Arnhem", province="Gelderland"),
    ]
    owners = {VROEG: "Gemeente Utrecht"}
    expected = [
        # budget: Utrecht alone in Utrecht, Breda alone in Brabant (Tilburg has it), onbekend
        # never counts.
        Collaboration(VROEG, "Noord-Brabant", ("Breda", "Tilburg"), "Gemeente Utrecht"),
        # "Zeist" and "zeist" are one organisation; the name of the lowest number stands.
        Collaboration(VROEG, "Utrecht", ("Utrecht", "Zeist"), "Gemeente Utrecht"),
    ]
    assert event_collaborations(baskets, owners) == expected
    assert event_collaborations(reversed(baskets), owners) == expected
    index = EventIndex(baskets)
    assert index.collaborations(baskets[0], owners) == [expected[1]]
    assert index.collaborations(baskets[4], owners) == [expected[0]]
    assert index.collaborations(baskets[5], owners) == []
