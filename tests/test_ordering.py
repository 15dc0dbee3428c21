"""Moving one thing one place (``tracker.core.ordering``): the rules every reorderable list shares."""

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from tracker.core.ordering import moved_one_place, renumber


@dataclass(eq=False)
class Thing:
    name: str
    position: int = 0


def names(things) -> str:
    return "".join(t.name for t in things)


def test_up_and_down_swap_with_the_neighbour_and_the_ends_do_not_move():
    a, b, c = Thing("a"), Thing("b"), Thing("c")
    things = [a, b, c]
    assert names(moved_one_place(things, b, up=True)) == "bac"
    assert names(moved_one_place(things, b, up=False)) == "acb"
    assert moved_one_place(things, a, up=True) is None
    assert moved_one_place(things, c, up=False) is None
    assert names(things) == "abc"  # the list given is left as it was


def test_the_neighbour_is_the_nearest_shown_one_and_hidden_ones_keep_their_places():
    a, hidden, b, c = Thing("a"), Thing("h"), Thing("b"), Thing("c")
    things = [a, hidden, b, c]
    assert names(moved_one_place(things, b, up=True, among=[a, b, c])) == "bhac"  # h stays second
    assert moved_one_place(things, a, up=True, among=[a, b, c]) is None


def test_renumber_closes_gaps_and_ties_and_writes_only_what_changes():
    things = [Thing("a", 3), Thing("b", 3), Thing("c", 2)]
    renumber(things)
    assert [t.position for t in things] == [0, 1, 2]


@given(st.integers(min_value=1, max_value=12).flatmap(
    lambda n: st.tuples(st.just(n), st.integers(min_value=0, max_value=n - 1), st.booleans())))
def test_a_move_keeps_every_thing_once_and_moves_it_by_one(case):
    n, index, up = case
    things = [Thing(str(i)) for i in range(n)]
    moved = moved_one_place(things, things[index], up=up)
    if (up and index == 0) or (not up and index == n - 1):
        assert moved is None
        return
    assert sorted(moved, key=lambda t: int(t.name)) == things
    assert moved.index(things[index]) == index + (-1 if up else 1)
