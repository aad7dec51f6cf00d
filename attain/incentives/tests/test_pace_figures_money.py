"""The rep's month-by-month figures of revenue are amounts: the currency's places."""

from __future__ import annotations

import re
from typing import Any

from attain.web.testing import read_page


def test_the_years_figures_show_revenue_as_money(calculated: Any) -> None:
    """A target of 40,000 a year added up month by month read 3,333.33 … 33,333.3: the
    figures were plain numbers, a trailing zero dropped, beside amounts with cents."""
    text = read_page(calculated.users["rep"], "/performance/?period=2026", "en")
    figures = text[text.index("Actual to date") :]
    assert "40,000.00" in figures  # the target to date in December (test_target_to_date)
    assert not re.search(r"\d,\d{3}\.\d(?!\d)", figures), re.findall(r"\S+\.\d(?!\d)", figures)
