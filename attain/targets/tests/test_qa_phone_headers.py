"""Headers on a 390 px phone (phone QA, second round): the forecast's header broke at the
dash of its range, 预测 P50（P10– above P90）, on three lines, and a forecast's range
(0–165,865.57) at its dash. A header now wraps at its spaces only: each word that holds
a hyphen or a dash is kept on one line (core_tags.whole_words, tested in
attain/core/tests/test_whole_words.py), and the range is too."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation


def test_the_pace_tables_forecast_header_wraps_at_spaces_only():
    with translation.override("zh-hans"):
        html = render_to_string("targets/pace_table.html", {"rows": []})
    assert '预测 <span class="nowrap">P50（P10–P90）</span>' in html
