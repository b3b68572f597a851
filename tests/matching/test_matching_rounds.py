"""with_trios() and conversation_starter(): nobody left alone, and a first line to say."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from popupstore.matching import (
    ConversationRound,
    Pairing,
    Starter,
    conversation_pairs,
    conversation_starter,
    pair_latecomers,
    with_trios,
)

from ..hypothesis_profiles import examples


def test_the_odd_one_out_joins_the_pair_they_share_most_with(make_basket):
    baskets = [
        make_basket(1, {"geldfit": "want"}, "Breda"),
        make_basket(2, {"geldfit": "have"}, "Tilburg"),
        make_basket(3, {"zorg": "want"}, "Utrecht"),
        make_basket(4, {"zorg": "have"}, "Zeist"),
        make_basket(5, {"zorg": "want", "wonen": "have"}, "Oss"),
    ]
    pairing = Pairing(pairs=[(1, 2), (3, 4)], unpaired=[5])
    assert with_trios(pairing, baskets) == ConversationRound(
        groups=[(1, 2), (3, 4, 5)], unpaired=[]
    )


def test_ties_go_to_the_first_pair_and_each_pair_takes_one(make_basket):
    baskets = [make_basket(n, {f"p{n}": "want"}, f"Org {n}") for n in range(1, 7)]
    pairing = Pairing(pairs=[(1, 2), (3, 4)], unpaired=[5, 6])
    # Nobody shares anything: 5 joins the first pair, 6 the next one with room.
    assert with_trios(pairing, baskets).groups == [(1, 2, 5), (3, 4, 6)]
    alone = Pairing(pairs=[(1, 2)], unpaired=[3, 4, 5])
    assert with_trios(alone, baskets[:5]) == ConversationRound(groups=[(1, 2, 3)], unpaired=[4, 5])


def test_nobody_to_join(make_basket):
    only = [make_basket(1, {"geldfit": "want"})]
    assert with_trios(conversation_pairs(only), only) == ConversationRound([], [1])
    assert with_trios(Pairing([], []), []) == ConversationRound([], [])


@settings(max_examples=examples(60), deadline=None)
@given(data=st.data())
def test_everyone_is_in_exactly_one_group_of_two_or_three(events, data):
    baskets = data.draw(events(min_size=0, max_size=16, organisations=3))
    pairing = conversation_pairs(baskets)
    found = with_trios(pairing, baskets)
    everyone = [n for group in found.groups for n in group] + found.unpaired
    assert Counter(everyone) == Counter(b.number for b in baskets)
    assert all(2 <= len(group) <= 3 for group in found.groups)
    # The pairs stay as the matching made them; only leftovers join.
    assert [group[:2] for group in found.groups] == pairing.pairs
    assert len(found.unpaired) == max(0, len(pairing.unpaired) - len(pairing.pairs))


def holders_of(baskets):
    return Counter(product for basket in baskets for product in basket.items)


def test_a_doer_and_a_wanter_make_an_ask_how_starter(make_basket):
    anna = make_basket(1, {"geldfit": "want", "zorg": "want"})
    bram = make_basket(2, {"geldfit": "have", "zorg": "want"}, "Tilburg")
    event = [anna, bram, *[make_basket(n, {"zorg": "want"}, "X") for n in (3, 4, 5)]]
    # Both products are shared by both; the "ask how" pair on the rarer product wins.
    assert conversation_starter([anna, bram], holders_of(event), len(event)) == Starter(
        product="geldfit", doing=(2,), wanting=(1,), everyone=True
    )


def test_a_trio_starts_with_what_most_of_them_hold(make_basket):
    group = [
        make_basket(1, {"geldfit": "want", "zorg": "have"}),
        make_basket(2, {"geldfit": "want"}),
        make_basket(3, {"geldfit": "have", "zorg": "want"}),
    ]
    found = conversation_starter(group, holders_of(group), 3)
    assert found == Starter(product="geldfit", doing=(3,), wanting=(1, 2), everyone=True)
    pair_in_trio = [group[0], group[2], make_basket(4, {"wonen": "want"})]
    # Two of them hold both products, as doer and wanter: the rarer one (zorg) wins.
    assert conversation_starter(pair_in_trio, holders_of(group), 3) == Starter(
        product="zorg", doing=(1,), wanting=(3,), everyone=False
    )


def test_nothing_shared_has_no_starter(make_basket):
    group = [make_basket(1, {"geldfit": "want"}), make_basket(2, {"zorg": "want"})]
    assert conversation_starter(group, holders_of(group), 2) is None


@pytest.mark.parametrize(
    ("intents", "doing", "wanting"),
    [(("want", "want"), (), (1, 2)), (("have", "have"), (1, 2), ())],
)
def test_starters_for_two_of_a_kind(make_basket, intents, doing, wanting):
    group = [make_basket(1, {"geldfit": intents[0]}), make_basket(2, {"geldfit": intents[1]})]
    assert conversation_starter(group, holders_of(group), 2) == Starter(
        "geldfit", doing, wanting, True
    )


def test_latecomers_pair_up_and_nobody_who_talks_moves(make_basket):
    baskets = [
        make_basket(1, {"geldfit": "want"}, "Breda"),
        make_basket(2, {"geldfit": "have"}, "Tilburg"),
        make_basket(3, {"zorg": "want"}, "Utrecht"),
        make_basket(4, {"zorg": "have"}, "Zeist"),
        # Latecomers: 5 and 6 share a product; 5 would also suit the first duo.
        make_basket(5, {"wonen": "want", "geldfit": "want"}, "Oss"),
        make_basket(6, {"wonen": "have"}, "Venlo"),
    ]
    assert pair_latecomers([(1, 2), (3, 4)], baskets) == ConversationRound(
        groups=[(1, 2), (3, 4), (5, 6)], unpaired=[]
    )
    # One latecomer alone joins the duo they add most to, as a trio.
    assert pair_latecomers([(1, 2), (3, 4)], baskets[:5]).groups == [(1, 2, 5), (3, 4)]


def test_a_visitor_whose_partner_erased_waits_with_the_latecomers(make_basket):
    baskets = [
        make_basket(1, {"geldfit": "want"}, "Breda"),
        make_basket(3, {"zorg": "want"}, "Utrecht"),
        make_basket(4, {"zorg": "have"}, "Zeist"),
        make_basket(5, {"geldfit": "have"}, "Oss"),
    ]
    # 2 erased: 1 is free again and pairs with latecomer 5; 3 and 4 stay as they were.
    assert pair_latecomers([(1, 2), (3, 4)], baskets) == ConversationRound(
        groups=[(3, 4), (1, 5)], unpaired=[]
    )
    # Nobody new: the round stays as it was, an erased member left out of its trio.
    assert pair_latecomers([(1, 3, 4)], baskets[:3]).groups == [(1, 3, 4)]


def test_a_number_in_two_groups_is_refused(make_basket):
    baskets = [make_basket(n, {"geldfit": "want"}, f"Org {n}") for n in (1, 2, 3)]
    with pytest.raises(ValueError, match="in two groups"):
        pair_latecomers([(1, 2), (2, 3)], baskets)


@settings(max_examples=examples(60), deadline=None)
@given(data=st.data())
def test_latecomers_never_split_a_group(events, data):
    everyone = data.draw(events(min_size=0, max_size=16, organisations=3))
    early = data.draw(st.integers(min_value=0, max_value=len(everyone)))
    first = with_trios(conversation_pairs(everyone[:early]), everyone[:early])
    found = pair_latecomers(first.groups, everyone)
    assert len(found.groups) >= len(first.groups)
    for old, new in zip(first.groups, found.groups, strict=False):
        assert new[: len(old)] == old  # the same people, at most one joins a duo
    everyone_once = [n for group in found.groups for n in group] + found.unpaired
    assert Counter(everyone_once) == Counter(b.number for b in everyone)
    assert all(2 <= len(group) <= 3 for group in found.groups)
