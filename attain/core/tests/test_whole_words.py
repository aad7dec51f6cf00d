"""core_tags.whole_words: a header wraps at its spaces only (phone QA, second round)."""

from __future__ import annotations

from attain.core.templatetags.core_tags import whole_words


def test_a_word_with_a_hyphen_or_dash_is_kept_whole_and_escaped():
    assert whole_words("Forecast P50 (P10–P90)") == (
        'Forecast P50 <span class="nowrap">(P10–P90)</span>'
    )
    assert whole_words("<b>a-b</b> c") == '<span class="nowrap">&lt;b&gt;a-b&lt;/b&gt;</span> c'
    assert whole_words("Plain header") == "Plain header"
