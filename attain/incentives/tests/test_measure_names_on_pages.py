"""The pages name the default measures in the reader's language."""

from __future__ import annotations

from typing import Any

import pytest

from attain.web.testing import read_page


@pytest.mark.parametrize(("language", "shown"), [("en", "Revenue"), ("zh-hans", "销售额")])
def test_the_team_page_and_my_page_name_the_measures_in_the_readers_language(
    calculated: Any, language: str, shown: str
) -> None:
    """The team page's heatmap and its list of measures without a target read
    “销售额 Revenue”, “客户活动 Activities” to an English manager; the rep's page kept
    the names of the first language it was read in for a minute."""
    users = calculated.users
    for user, url in ((users["manager"], "/performance/team/"), (users["rep"], "/performance/")):
        for reader in ("zh-hans" if language == "en" else "en", language):
            text = read_page(user, url, reader)
        assert shown in text and "销售额 Revenue" not in text, url
        assert "客户活动 Activities" not in text, url
