"""The background-watching budget as plain data."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from videowall.wall.watching import Candidate, WatchPlanner


def _cams(n: int, priority: int = 3) -> list[Candidate]:
    return [Candidate(f"c{i:02d}", priority) for i in range(n)]


def test_within_the_budget_every_candidate_is_watched() -> None:
    plan = WatchPlanner(10, 0.5).plan(_cams(7), now=0.0)
    assert len(plan.watched) == 7 and not plan.waiting and not plan.in_turns
    assert plan.words() == "watching 7 cameras off the wall"


def test_over_the_budget_the_rest_take_turns() -> None:
    planner = WatchPlanner(4, 0.5, turn_s=30)
    cams = _cams(10)
    first = planner.plan(cams, now=0.0)
    assert first.watched == ("c00", "c01", "c02", "c03")
    assert len(first.waiting) == 6 and first.in_turns
    assert first.words() == ("watching 4 of 10 cameras off the wall, the others in turns "
                             "(budget 4)")
    assert planner.plan(cams, now=29.9).watched == first.watched
    second = planner.plan(cams, now=30.0)
    assert second.watched == ("c00", "c01", "c04", "c05")  # half fixed, half rotating
    seen: set[str] = set()
    for turn in range(5):
        seen |= set(planner.plan(cams, now=30.0 * turn).watched)
    assert seen == {c.camera_id for c in cams}  # everybody gets looked at


def test_alerting_and_urgent_cameras_are_kept() -> None:
    cams = [*_cams(8, priority=4), Candidate("hot", priority=5, alerting=True),
            Candidate("p1", priority=1), Candidate("mo", priority=4, motion=True)]
    planner = WatchPlanner(4, 0.5)
    for turn in range(6):
        plan = planner.plan(cams, now=30.0 * turn)
        assert plan.watched[:2] == ("hot", "p1")
        assert len(plan.watched) == 4
    assert WatchPlanner(4, 0.5).plan(cams, now=0.0).watched[2] == "mo"


def test_the_cpu_share_takes_places_away_and_gives_them_back() -> None:
    planner = WatchPlanner(20, 0.5, turn_s=30)
    cams = _cams(20)
    assert len(planner.plan(cams, 0.0, cpu_share=0.4).watched) == 20
    shrunk = planner.plan(cams, 1.0, cpu_share=1.0)
    assert len(shrunk.watched) == 10 and planner.places == 10
    assert len(planner.plan(cams, 2.0, cpu_share=0.45).watched) == 10  # no flapping
    assert planner.places == 10
    planner.plan(cams, 31.0, cpu_share=0.2)
    assert planner.places == 11  # one place back per turn
    planner.configure(20, 0.5)
    assert planner.places == 20


def test_no_budget_watches_nothing() -> None:
    plan = WatchPlanner(0, 0.5).plan(_cams(3), 0.0)
    assert plan.watched == () and len(plan.waiting) == 3


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 40), st.integers(0, 60), st.floats(0, 1000),
       st.lists(st.booleans(), max_size=60))
def test_a_plan_never_exceeds_its_places_and_loses_nobody(
    budget: int, count: int, now: float, alerting: list[bool],
) -> None:
    cams = [Candidate(f"c{i}", priority=1 + i % 5,
                      alerting=alerting[i] if i < len(alerting) else False)
            for i in range(count)]
    plan = WatchPlanner(budget, 0.5).plan(cams, now)
    assert len(plan.watched) <= max(budget, 0)
    assert sorted(plan.watched + plan.waiting) == sorted(c.camera_id for c in cams)
    assert len(set(plan.watched)) == len(plan.watched)
