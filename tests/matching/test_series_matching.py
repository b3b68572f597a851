"""series_matches on plain baskets: the rules, and a brute-force reference on random series."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from popupstore.matching import (
    Basket,
    EventIndex,
    SeriesEvent,
    SeriesIndex,
    SeriesMatch,
    series_matches,
)

from .conftest import ORGANISATIONS

WEIGHTS = {
    ("want", "want"): 1.0,
    ("want", "have"): 1.5,
    ("have", "want"): 1.5,
    ("have", "have"): 0.5,
}
DAY = date(2019, 3, 1)


def basket(
    number: int,
    items: dict[str, str],
    organisation: str = "Breda",
    *,
    share: bool = True,
    across: bool = True,
    name: str | None = None,
) -> Basket:
    return Basket(
        number=number,
        items=items,  # type: ignore[arg-type]
        organisation=organisation.casefold(),
        organisation_name=organisation,
        province="Noord-Brabant",
        share_contact=share,
        name=name or f"V{number}",
        across_series=across,
    )


def day(slug: str, offset: int, *baskets: Basket) -> SeriesEvent:
    return SeriesEvent(slug, DAY + timedelta(days=offset), baskets)


def summary(found: list[SeriesMatch]) -> list[tuple[str, int, float]]:
    return [(m.event, m.match.number, m.match.score) for m in found]


def test_n_and_n_p_count_every_event_of_the_series():
    me = basket(1, {"geldfit": "want"})
    other = basket(1, {"geldfit": "have"}, "Tilburg")
    # Two more baskets elsewhere in the series, one at a later day: both count in N.
    series = [
        day("breda", 0, me, basket(2, {"vroeg": "want"}, "Oss")),
        day("tilburg", 30, other),
        day("zwolle", 60, basket(1, {"vroeg": "want"}, "Zwolle")),
    ]
    [found] = series_matches(me, "breda", series)
    # N = 4 checkouts in the series, n_p = 2 hold geldfit: 1.5 * ln(1 + 4/2).
    assert found.event == "tilburg"
    assert found.match.number == 1
    assert found.match.score == round(1.5 * math.log(3), 4)
    assert [(s.product, s.mine, s.theirs) for s in found.match.shared] == [
        ("geldfit", "want", "have")
    ]


def test_only_other_events_other_organisations_and_visitors_who_ticked_both():
    me = basket(1, {"geldfit": "want"})
    series = [
        day("breda", 0, me, basket(2, {"geldfit": "want"}, "Oss")),  # own event: never
        day(
            "tilburg",
            30,
            basket(1, {"geldfit": "want"}, "Tilburg", share=False),  # no contact
            basket(2, {"geldfit": "want"}, "Assen", across=False),  # not across the series
            basket(3, {"geldfit": "want"}, "Breda"),  # my own organisation
            basket(4, {"geldfit": "want"}, "Zwolle"),  # the only one
            basket(5, {"vroeg": "want"}, "Utrecht"),  # nothing shared: score 0
        ),
    ]
    assert [(m.event, m.match.number) for m in series_matches(me, "breda", series)] == [
        ("tilburg", 4)
    ]


def test_empty_without_across_series_or_outside_the_series():
    series = [day("breda", 0, basket(1, {"geldfit": "want"})), day("tilburg", 1)]
    series[1] = day("tilburg", 1, basket(1, {"geldfit": "want"}, "Tilburg"))
    me = basket(1, {"geldfit": "want"}, across=False)
    assert series_matches(me, "breda", series) == []
    # The visitor's own share_contact does not matter, as within an event.
    assert len(series_matches(basket(1, {"geldfit": "want"}, share=False), "breda", series)) == 1
    assert series_matches(basket(1, {"geldfit": "want"}), "assen", series) == []


def test_ties_go_to_the_earlier_day_then_the_lower_number_and_five_at_most():
    me = basket(1, {"geldfit": "want"})
    later = [basket(n, {"geldfit": "want"}, f"Later{n}") for n in (1, 2, 3)]
    earlier = [basket(n, {"geldfit": "want"}, f"Earlier{n}") for n in (3, 4, 5)]
    series = [day("aa-later", 60, *later), day("breda", 30, me), day("zz-earlier", 0, *earlier)]
    found = series_matches(me, "breda", series)
    assert [(m.event, m.match.number) for m in found] == [
        ("zz-earlier", 3),
        ("zz-earlier", 4),
        ("zz-earlier", 5),
        ("aa-later", 1),
        ("aa-later", 2),
    ]
    assert len({m.match.score for m in found}) == 1


def test_a_basket_not_yet_stored_counts_as_added():
    stored = basket(2, {"geldfit": "want"}, "Oss")
    other = basket(1, {"geldfit": "want"}, "Tilburg")
    series = [day("breda", 0, stored), day("tilburg", 1, other)]
    newcomer = basket(3, {"geldfit": "want"})
    [found] = series_matches(newcomer, "breda", series)
    # N = 3 (two stored and the newcomer), n_p = 3.
    assert found.match.score == round(math.log(2), 4)
    assert len(SeriesIndex(series)) == 2


def test_the_same_baskets_score_as_within_one_event():
    a = basket(1, {"geldfit": "want", "vroeg": "have", "maatje": "want"})
    b = basket(2, {"geldfit": "have", "vroeg": "have", "maatje": "want"}, "Tilburg")
    fillers = [basket(n, {"maatje": "want"}, f"F{n}") for n in range(3, 7)]
    within = EventIndex([a, b, *fillers]).partner_matches(a)
    across = series_matches(a, "one", [day("one", 0, a, *fillers), day("two", 1, b)])
    assert [m.score for m in within if m.number == 2] == [across[0].match.score]


def test_bad_input_is_refused():
    me = basket(1, {"geldfit": "want"})
    with pytest.raises(ValueError):
        SeriesIndex([day("breda", 0, me), day("breda", 1)])
    with pytest.raises(ValueError):
        SeriesIndex([day("breda", 0, me, basket(1, {"vroeg": "want"}, "Oss"))])
    with pytest.raises(ValueError):
        SeriesIndex([day("breda", 0, me)]).matches(me, "breda", limit=-1)


# --- against a brute-force reference ------------------------------------------------------------


def reference(series: Sequence[SeriesEvent], event: str, a: Basket) -> list[tuple[str, int, float]]:
    """The rule as written: every checkout of every event counts in N and n_p."""
    everyone = [(e, b) for e in series for b in e.baskets]
    own = next(e for e in series if e.slug == event)
    if all(b.number != a.number for b in own.baskets):
        everyone.append((own, a))
    if not a.across_series:
        return []
    found = []
    for e, other in everyone:
        if e.slug == event or other.organisation == a.organisation:
            continue
        if not (other.share_contact and other.across_series):
            continue
        score = 0.0
        for product in sorted(set(a.items) & set(other.items)):
            holders = sum(1 for _, b in everyone if product in b.items)
            score += WEIGHTS[(a.items[product], other.items[product])] * math.log(
                1 + len(everyone) / holders
            )
        if score > 0:
            found.append((round(score, 4), e.date, other.number, e.slug))
    found.sort(key=lambda f: (-f[0], f[1], f[2], f[3]))
    return [(slug, number, score) for score, _, number, slug in found[:5]]


@st.composite
def random_series(draw: st.DrawFn) -> list[SeriesEvent]:
    keys = sorted(ORGANISATIONS)
    days = []
    for position in range(draw(st.integers(1, 4))):
        numbers = draw(st.lists(st.integers(1, 12), max_size=8, unique=True))
        baskets = []
        for number in numbers:
            products = draw(
                st.lists(
                    st.sampled_from(["p0", "p1", "p2", "p3"]), min_size=1, max_size=4, unique=True
                )
            )
            items = {p: draw(st.sampled_from(["want", "have"])) for p in products}
            key = draw(st.sampled_from(keys))
            baskets.append(
                Basket(
                    number=number,
                    items=items,  # type: ignore[arg-type]
                    organisation=key,
                    organisation_name=ORGANISATIONS[key][0],
                    province=ORGANISATIONS[key][1],
                    share_contact=draw(st.booleans()),
                    name=f"V{number}",
                    across_series=draw(st.booleans()),
                )
            )
        # Days may share a date: the slug breaks such ties.
        offset = draw(st.integers(0, 2))
        days.append(SeriesEvent(f"day-{position}", DAY + timedelta(days=offset), baskets))
    return days


@settings(max_examples=150, deadline=None)
@given(random_series(), st.data())
def test_series_matches_follow_the_rule_on_random_series(series, data):
    index = SeriesIndex(series)
    for e in series:
        for a in e.baskets:
            assert summary(index.matches(a, e.slug)) == reference(series, e.slug, a)
    own = data.draw(st.sampled_from(series))
    newcomer = Basket(
        number=99,
        items={"p1": "want", "p2": "have"},
        organisation="breda",
        organisation_name="Breda",
        province="Noord-Brabant",
        share_contact=True,
        across_series=True,
    )
    assert summary(index.matches(newcomer, own.slug)) == reference(series, own.slug, newcomer)
