"""EventIndex on small events whose scores are worked out by hand (contract §5)."""

from __future__ import annotations

import math

import pytest

from popupstore.matching import Basket, Collaboration, EventIndex, Match, SharedProduct

VROEG = "vroegsignalering"
BUDGET = "budgetcoach"
WIJZER = "schuldenwijzer"

SILENT = "Zwijgzame Zeger"

# Event A, N = 4:
#   1 Anna   Breda         want vroeg, have budget
#   2 Bram   Tilburg       have vroeg, want wijzer
#   3 Zeger  Kredietbank   want vroeg, want budget     (does not share contact details)
#   4 Dirk   Breda         want budget, want wijzer
# n_vroeg = 3, n_budget = 3, n_wijzer = 2
IDF_VROEG = math.log(1 + 4 / 3)  # ln(7/3) = 0.84730
IDF_BUDGET = math.log(1 + 4 / 3)  # 0.84730
IDF_WIJZER = math.log(1 + 4 / 2)  # ln 3   = 1.09861


@pytest.fixture
def event_a(make_basket) -> list[Basket]:
    return [
        make_basket(1, {VROEG: "want", BUDGET: "have"}, "Breda", name="Anna"),
        make_basket(2, {VROEG: "have", WIJZER: "want"}, "Tilburg", name="Bram"),
        make_basket(
            3,
            {VROEG: "want", BUDGET: "want"},
            "Kredietbank West",
            province="onbekend",
            share_contact=False,
            name=SILENT,
        ),
        make_basket(4, {BUDGET: "want", WIJZER: "want"}, "Breda", name="Dirk"),
    ]


def test_idf_and_counts(event_a):
    index = EventIndex(event_a)
    assert len(index) == 4
    assert index.product_counts() == {VROEG: 3, BUDGET: 3, WIJZER: 2}
    assert index.idf(VROEG) == pytest.approx(0.8472978604)
    assert index.idf(WIJZER) == pytest.approx(1.0986122887)
    with pytest.raises(KeyError):
        index.idf("onbekend-product")


def test_scores_by_hand(event_a):
    index = EventIndex(event_a)
    a1, a2, a3, a4 = event_a
    # 1-2 share vroeg, want-have: 1.5 * 0.84730 = 1.27095
    assert round(index.score(a1, a2), 4) == 1.2709
    # 1-3 share vroeg want-want (1.0) and budget have-want (1.5): 2.5 * 0.84730 = 2.11824
    assert round(index.score(a1, a3), 4) == 2.1182
    # 2-4 share wijzer want-want: 1.0 * 1.09861
    assert round(index.score(a2, a4), 4) == 1.0986
    # 3-4 share budget want-want: 0.84730
    assert round(index.score(a3, a4), 4) == 0.8473
    assert index.score(a1, a4) == index.score(a4, a1) == 1.5 * IDF_BUDGET


def test_partner_matches_by_hand(event_a):
    index = EventIndex(event_a)
    a1, a2, a3, a4 = event_a
    assert index.partner_matches(a1) == [
        Match(2, "Bram", "Tilburg", 1.2709, (SharedProduct(VROEG, "want", "have"),)),
    ]
    assert index.partner_matches(a2) == [
        Match(1, "Anna", "Breda", 1.2709, (SharedProduct(VROEG, "have", "want"),)),
        Match(4, "Dirk", "Breda", 1.0986, (SharedProduct(WIJZER, "want", "want"),)),
    ]
    # Zeger does not share his details, but still sees everyone who does.
    assert index.partner_matches(a3) == [
        Match(
            1,
            "Anna",
            "Breda",
            2.1182,
            (SharedProduct(BUDGET, "want", "have"), SharedProduct(VROEG, "want", "want")),
        ),
        Match(2, "Bram", "Tilburg", 1.2709, (SharedProduct(VROEG, "want", "have"),)),
        Match(4, "Dirk", "Breda", 0.8473, (SharedProduct(BUDGET, "want", "want"),)),
    ]
    assert index.partner_matches(a4) == [
        Match(2, "Bram", "Tilburg", 1.0986, (SharedProduct(WIJZER, "want", "want"),)),
    ]


def test_colleague_matches_by_hand(event_a):
    index = EventIndex(event_a)
    a1, a2, a3, a4 = event_a
    assert index.colleague_matches(a1) == [
        Match(4, "Dirk", "Breda", 1.2709, (SharedProduct(BUDGET, "have", "want"),)),
    ]
    assert index.colleague_matches(a4) == [
        Match(1, "Anna", "Breda", 1.2709, (SharedProduct(BUDGET, "want", "have"),)),
    ]
    assert index.colleague_matches(a2) == []
    assert index.colleague_matches(a3) == []


def test_silent_visitor_never_appears(event_a, make_basket):
    index = EventIndex(event_a)
    # A colleague of Zeger's, to give him every chance to show up.
    colleague = make_basket(
        5, {VROEG: "have", BUDGET: "have"}, "Kredietbank West", province="onbekend"
    )
    index.add(colleague)
    for basket in [*event_a, colleague]:
        for match in [*index.partner_matches(basket), *index.colleague_matches(basket)]:
            assert match.number != 3
            assert SILENT not in repr(match)
    assert index.colleague_matches(colleague) == []


def test_limit(event_a):
    index = EventIndex(event_a)
    assert [m.number for m in index.partner_matches(event_a[2], limit=2)] == [1, 2]
    assert index.partner_matches(event_a[2], limit=0) == []
    with pytest.raises(ValueError):
        index.partner_matches(event_a[2], limit=-1)


def test_virtual_basket_leaves_the_index_alone(event_a):
    index = EventIndex(event_a[:3])
    before = (len(index), index.product_counts(), index.baskets(), index.max_number)
    newcomer = event_a[3]
    # As if Dirk had been added: the numbers of test_partner_matches_by_hand.
    assert index.partner_matches(newcomer) == [
        Match(2, "Bram", "Tilburg", 1.0986, (SharedProduct(WIJZER, "want", "want"),)),
    ]
    assert index.colleague_matches(newcomer) == [
        Match(1, "Anna", "Breda", 1.2709, (SharedProduct(BUDGET, "want", "have"),)),
    ]
    assert index.score(newcomer, event_a[0]) == 1.5 * IDF_BUDGET
    assert (len(index), index.product_counts(), index.baskets(), index.max_number) == before
    assert 4 not in index


def test_ties_go_to_the_lower_number(make_basket):
    # Four identical baskets: every pair scores 1.0 * ln(1 + 4/4) = 0.6931.
    baskets = [make_basket(n, {VROEG: "want"}, f"Org {n}") for n in (7, 3, 9, 5)]
    index = EventIndex(baskets)
    matches = index.partner_matches(make_basket(9, {VROEG: "want"}, "Org 9"))
    assert [(m.number, m.score) for m in matches] == [(3, 0.6931), (5, 0.6931), (7, 0.6931)]


def test_ties_are_on_the_rounded_score(make_basket):
    # N = 4, n_a = 4, n_b = n_d = 3. Seen from 1 (have everything):
    #   2: a have-want 1.5, b have-want 1.5, d have-have 0.5 -> 1.5 ln 2 + 2.0 ln(7/3)
    #   3: a have-want 1.5, b have-have 0.5, d have-want 1.5 -> the same sum, 2.7343
    #   4: a have-want 1.5                                   -> 1.5 ln 2 = 1.0397
    # Added up in slug order, 3's float comes out one ulp above 2's; the rounded scores
    # tie, so the lower number goes first.
    baskets = [
        make_basket(1, {"a": "have", "b": "have", "d": "have"}, "Org 1"),
        make_basket(2, {"a": "want", "b": "want", "d": "have"}, "Org 2"),
        make_basket(3, {"a": "want", "b": "have", "d": "want"}, "Org 3"),
        make_basket(4, {"a": "want"}, "Org 4"),
    ]
    index = EventIndex(baskets)
    assert index.score(baskets[0], baskets[2]) > index.score(baskets[0], baskets[1])
    matches = index.partner_matches(baskets[0])
    assert [(m.number, m.score) for m in matches] == [(2, 2.7343), (3, 2.7343), (4, 1.0397)]


def test_building_and_looking_up(event_a, make_basket):
    index = EventIndex()
    assert len(index) == 0 and index.max_number == 0 and index.baskets() == []
    for basket in reversed(event_a):
        index.add(basket)
    assert [b.number for b in index.baskets()] == [1, 2, 3, 4]
    assert index.max_number == 4
    assert 3 in index and 5 not in index and "3" not in index
    assert index.get(2) is event_a[1]
    with pytest.raises(KeyError):
        index.get(5)
    with pytest.raises(ValueError, match="already"):
        index.add(make_basket(2, {VROEG: "want"}))
    assert len(index) == 4


def test_basket_validation(make_basket):
    with pytest.raises(ValueError, match="empty"):
        make_basket(1, {})
    with pytest.raises(ValueError, match="intent"):
        make_basket(1, {VROEG: "misschien"})
    items = {VROEG: "want"}
    basket = make_basket(1, items)
    items[BUDGET] = "have"  # the basket keeps its own copy
    assert dict(basket.items) == {VROEG: "want"}
    with pytest.raises(TypeError):
        basket.items[BUDGET] = "have"


# Collaborations, event C:
#   Utrecht: gemeente Utrecht and Zeist (twice) want vroeg; Amersfoort has it.
#            Zeist and Amersfoort want wijzer (no owner known).
#   Noord-Brabant: only Breda wants vroeg; Breda and Tilburg want budget.
#   Kredietbank (onbekend) wants everything, but never counts.
OWNERS = {VROEG: "Gemeente Utrecht", BUDGET: "NVVK"}


@pytest.fixture
def event_c(make_basket) -> list[Basket]:
    return [
        make_basket(1, {VROEG: "want", BUDGET: "want"}, "Utrecht", province="Utrecht"),
        make_basket(2, {VROEG: "want"}, "Zeist", province="Utrecht"),
        make_basket(3, {VROEG: "want", WIJZER: "want"}, "Zeist", province="Utrecht"),
        make_basket(4, {VROEG: "have", WIJZER: "want"}, "Amersfoort", province="Utrecht"),
        make_basket(5, {VROEG: "want", BUDGET: "want"}, "Breda"),
        make_basket(6, {BUDGET: "want", WIJZER: "have"}, "Tilburg"),
        make_basket(
            7, {VROEG: "want", BUDGET: "want", WIJZER: "want"}, "Kredietbank", province="onbekend"
        ),
    ]


def test_collaborations_by_province(event_c):
    index = EventIndex(event_c)
    utrecht = Collaboration(VROEG, "Utrecht", ("Utrecht", "Zeist"), "Gemeente Utrecht")
    brabant = Collaboration(BUDGET, "Noord-Brabant", ("Breda", "Tilburg"), "NVVK")
    wijzer = Collaboration(WIJZER, "Utrecht", ("Amersfoort", "Zeist"), "")
    assert index.collaborations(event_c[0], OWNERS) == [utrecht]
    assert index.collaborations(event_c[1], OWNERS) == [utrecht]
    assert index.collaborations(event_c[2], OWNERS) == [wijzer, utrecht]  # by slug
    assert index.collaborations(event_c[3], OWNERS) == [wijzer]  # has vroeg, does not want it
    assert index.collaborations(event_c[4], OWNERS) == [brabant]  # vroeg: Breda alone
    assert index.collaborations(event_c[5], OWNERS) == [brabant]
    assert index.collaborations(event_c[6], OWNERS) == []  # onbekend


def test_collaborations_of_a_newcomer(event_c, make_basket):
    index = EventIndex(event_c)
    newcomer = make_basket(8, {VROEG: "want", WIJZER: "want"}, "Tilburg")
    assert index.collaborations(newcomer, {}) == [
        Collaboration(VROEG, "Noord-Brabant", ("Breda", "Tilburg"), ""),
    ]
    assert 8 not in index
    assert index.collaborations(event_c[4], OWNERS) == [
        Collaboration(BUDGET, "Noord-Brabant", ("Breda", "Tilburg"), "NVVK"),
    ]


def test_intent_counts_split_want_and_have(make_basket):
    index = EventIndex(
        [
            make_basket(1, {"a": "want", "b": "have"}),
            make_basket(2, {"a": "have"}),
            make_basket(3, {"a": "want"}),
        ]
    )
    assert index.intent_counts() == {"a": (2, 1), "b": (0, 1)}
    index.add(make_basket(4, {"b": "want"}))
    assert index.intent_counts() == {"a": (2, 1), "b": (1, 1)}
