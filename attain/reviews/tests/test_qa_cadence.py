"""Actions carried when a team's cadence changes (monthly reviews, then a quarterly one)."""

from __future__ import annotations

from attain.reviews import selectors, services


def test_a_quarterly_review_after_monthly_ones_opens_with_their_actions(team):
    """m1 reviewed January and February monthly, agreeing an action each time, then opened
    the quarter 2026-Q1. Before: only reviews ending before the quarter began counted as
    earlier, so the quarter opened with nothing and the open actions vanished from the
    loop. After: February's actions (the last review) and January's still open."""
    manager, m1 = team.users["manager"], team.people["m1"]
    agreed = []
    for month in ("2026-01", "2026-02"):
        review = services.open_review(manager, m1, month)
        pack = review.packs.get(person__code="r1")
        agreed.append(
            services.add_action(
                manager, pack, text=f"跟进 {month}", owner="r1", due_on="2026-03-31"
            )
        )
        services.close_review(manager, review)
    quarter = services.open_review(manager, m1, "2026-Q1")
    assert quarter.previous is not None and quarter.previous.period == "2026-02"
    carried = selectors.carried_actions(quarter.packs.get(person__code="r1"))
    assert carried == agreed
