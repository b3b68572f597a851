"""seat_latecomers(): latecomers sit down without anyone already seated moving."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from popupstore.matching import (
    EventIndex,
    SeatedTable,
    TablePlan,
    seat_latecomers,
    seat_tables,
)
from popupstore.matching.tables import TableSizeError

from ..hypothesis_profiles import examples


def test_one_latecomer_joins_the_open_table_they_share_most_with(make_basket):
    first = [
        make_basket(1, {"geldfit": "want", "budget": "have"}, "Breda"),
        make_basket(2, {"geldfit": "have"}, "Tilburg"),
        make_basket(3, {"zorg": "want", "wonen": "have"}, "Utrecht"),
        make_basket(4, {"zorg": "have"}, "Zeist"),
    ]
    tables = [SeatedTable("geldfit", (1, 2)), SeatedTable("zorg", (3, 4))]
    latecomer = make_basket(5, {"zorg": "want", "wonen": "want"}, "Oss")
    plan = seat_latecomers(tables, [*first, latecomer], 2, 3)
    assert [(t.topic, t.members) for t in plan.tables] == [
        ("geldfit", (1, 2)),
        ("zorg", (3, 4, 5)),
    ]


def test_a_full_room_opens_a_new_table_and_keeps_the_topics(make_basket):
    seated = [
        make_basket(1, {"geldfit": "want"}, "Breda"),
        make_basket(2, {"geldfit": "have"}, "Tilburg"),
    ]
    latecomer = make_basket(3, {"geldfit": "want", "zorg": "have"}, "Oss")
    plan = seat_latecomers([SeatedTable("geldfit", (1, 2))], [*seated, latecomer], 2, 2)
    assert [(t.topic, t.members) for t in plan.tables] == [
        ("geldfit", (1, 2)),
        ("geldfit", (3,)),
    ]
    assert plan.tables[1].score == 0.0


def test_enough_latecomers_get_a_table_of_their_own(make_basket):
    seated = [make_basket(n, {"geldfit": "want"}, f"Org {n}") for n in (1, 2, 3)]
    latecomers = [make_basket(n, {"zorg": "want"}, f"Org {n}") for n in (4, 5)]
    plan = seat_latecomers([SeatedTable("geldfit", (1, 2, 3))], [*seated, *latecomers], 2, 6)
    # Three open seats at table 1, but two latecomers make a table of min_size on their own.
    assert [(t.topic, t.members) for t in plan.tables] == [
        ("geldfit", (1, 2, 3)),
        ("zorg", (4, 5)),
    ]


def test_nobody_without_a_table_and_nobody_moved_for_one_latecomer(make_basket):
    """The situation of the issue: nine tables, one latecomer, and one press of the button."""
    baskets = [
        make_basket(
            n,
            {f"p{n % 7}": "want", f"p{(n * 3) % 5}": "have", f"p{(n + 2) % 9}": "want"},
            f"Org {n % 13}",
        )
        for n in range(1, 44)
    ]
    before = seat_tables(baskets, 4, 5)
    assert len(before.tables) == 9
    latecomer = make_basket(44, {"p1": "want", "p3": "have"}, "Org 99")
    stored = [SeatedTable(t.topic, t.members) for t in before.tables]
    after = seat_latecomers(stored, [*baskets, latecomer], 4, 5)
    assert [t.topic for t in after.tables] == [t.topic for t in before.tables]
    moved = [
        n
        for old, new in zip(before.tables, after.tables, strict=True)
        for n in old.members
        if n not in new.members
    ]
    assert moved == []
    assert sorted(n for t in after.tables for n in t.members) == list(range(1, 45))
    assert len(after.tables) == 9
    assert max(len(t.members) for t in after.tables) <= 5


def test_an_erased_visitor_frees_a_seat_and_stays_on_record(make_basket):
    present = [
        make_basket(1, {"geldfit": "want"}, "Breda"),
        make_basket(3, {"zorg": "want"}, "Utrecht"),
        make_basket(4, {"zorg": "have"}, "Zeist"),
        make_basket(5, {"geldfit": "have"}, "Oss"),
    ]
    tables = [SeatedTable("geldfit", (1, 2)), SeatedTable("zorg", (3, 4))]
    plan = seat_latecomers(tables, present, 2, 2)
    # Receipt 2 was erased: its seat at table 1 goes to 5; 2 stays on the stored plan.
    assert [t.members for t in plan.tables] == [(1, 2, 5), (3, 4)]


def test_scores_are_the_objective_of_the_event_as_it_is_now(make_basket):
    baskets = [
        make_basket(1, {"geldfit": "want", "zorg": "have"}, "Breda"),
        make_basket(2, {"geldfit": "have"}, "Tilburg"),
        make_basket(3, {"zorg": "want"}, "Utrecht"),
    ]
    plan = seat_latecomers([SeatedTable("geldfit", (1, 2))], baskets, 2, 3)
    index = EventIndex(baskets)
    expected = index.score(baskets[0], baskets[1]) + index.score(baskets[0], baskets[2])
    expected += index.score(baskets[1], baskets[2])
    assert plan.tables[0].members == (1, 2, 3)
    assert plan.total_score == pytest.approx(expected, abs=1e-4)
    assert plan.tables[0].score == plan.total_score


def test_no_latecomers_changes_nothing_but_the_scores(make_basket):
    baskets = [make_basket(n, {"geldfit": "want"}, f"Org {n}") for n in (1, 2, 3, 4)]
    before = seat_tables(baskets, 2, 2)
    after = seat_latecomers([SeatedTable(t.topic, t.members) for t in before.tables], baskets, 2, 2)
    assert after == before


def test_an_empty_room_is_planned_from_scratch(make_basket):
    baskets = [make_basket(n, {"geldfit": "want"}, f"Org {n}") for n in (1, 2, 3, 4, 5)]
    assert seat_latecomers([], baskets, 2, 3) == seat_tables(baskets, 2, 3)
    assert seat_latecomers([], [], 2, 3) == TablePlan(tables=[], total_score=0.0)


def test_bad_input_is_refused(make_basket):
    baskets = [make_basket(1, {"geldfit": "want"}), make_basket(2, {"geldfit": "want"})]
    with pytest.raises(TableSizeError):
        seat_latecomers([], baskets, 5, 3)
    with pytest.raises(ValueError, match="sits at two tables"):
        seat_latecomers(
            [SeatedTable("geldfit", (1,)), SeatedTable("geldfit", (1, 2))], baskets, 2, 3
        )


@settings(max_examples=examples(60), deadline=None)
@given(data=st.data(), sizes=st.sampled_from([(2, 2), (2, 3), (3, 4), (4, 6)]))
def test_latecomers_never_move_anyone(events, data, sizes):
    min_size, max_size = sizes
    baskets = data.draw(events(min_size=1, max_size=24))
    early = data.draw(st.integers(0, len(baskets)))
    ordered = sorted(baskets, key=lambda b: b.number)
    before = seat_tables(ordered[:early], min_size, max_size)
    stored = [SeatedTable(t.topic, t.members) for t in before.tables]
    after = seat_latecomers(stored, baskets, min_size, max_size)
    for old, new in zip(before.tables, after.tables, strict=False):
        assert new.topic == old.topic
        assert set(old.members) <= set(new.members)
        # A table only grows into its open seats.
        assert len(new.members) <= max(max_size, len(old.members))
    assert len(after.tables) >= len(before.tables)
    everyone = sorted(n for t in after.tables for n in t.members)
    assert everyone == sorted(b.number for b in baskets)
    # Only one new table may fall short of min_size, and only when every old seat is taken.
    short = [t for t in after.tables[len(before.tables) :] if len(t.members) < min_size]
    assert len(short) <= 1
    if short:
        assert all(len(t.members) == max_size for t in after.tables[: len(before.tables)])
    assert after == seat_latecomers(stored, list(reversed(baskets)), min_size, max_size)
