"""A review pack's activities table lists the kinds in one order on SQLite and
PostgreSQL: it listed them in the stored JSON's key order, which SQLite keeps as written
and PostgreSQL's jsonb does not (shortest key first: 电话, 备注, 拜访, 会议 against 拜访, 电话,
会议, 备注 on SQLite; seen comparing the demo company on both). The kinds' own order now,
any other kind after them by name."""

from __future__ import annotations

from attain.reviews.display import pack_view
from attain.reviews.models import ReviewPack


def test_the_activity_kinds_come_in_their_own_order(db):
    kinds = {"note": 1, "zz_other": 5, "call": 2, "meeting": 4, "visit": 3}
    pack = ReviewPack(data={"activities": {"kinds": kinds, "medians": {}, "total": 15}})
    rows = pack_view(pack, money=set())["activities"]["rows"]
    assert [r["kind"] for r in rows] == ["visit", "call", "meeting", "note", "zz_other"]
    assert [r["count"] for r in rows] == [3, 2, 4, 1, 5]
