"""A label and its value are joined by the reader's colon: `{% colon %}` (": " in
English, "：" in Chinese), never by an English ": " written after a translated word or a
value in a template (原因: …, 甲项目: … on Chinese pages)."""

from __future__ import annotations

import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

import attain

# an English colon right after a tag or a value ({% translate "Reason" %}: , {{ x }}: ),
# or after a linked or bracketed one (<a …>{% measure_name code %}</a>: , ({{ id }}): )
ENGLISH_COLON = re.compile(r"(%\}|\}\}|</a>|\)):( |<)")
# a blocktranslate's text is its catalogue entry's: its colon is translated with it
BLOCKS = re.compile(r"\{% blocktranslate.*?\{% endblocktranslate %\}", re.S)


def test_no_template_writes_an_english_colon_after_a_label() -> None:
    root = Path(attain.__file__).parent
    found = []
    for path in sorted(root.glob("*/templates/**/*.html")):
        text = BLOCKS.sub("", path.read_text(encoding="utf-8"))
        for match in ENGLISH_COLON.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(root)}:{line}")
    assert not found, "write {% colon %} instead of ': ' in " + ", ".join(found)


def test_the_colon_is_the_readers() -> None:
    template = Template('{% load i18n core_tags %}{% translate "Reason" %}{% colon %}x')
    with translation.override("zh-hans"):
        assert template.render(Context()) == "原因：x"
    with translation.override("en"):
        assert template.render(Context()) == "Reason: x"


def test_django_forms_end_a_label_in_the_readers_colon() -> None:
    """Forms shown by Django (label_tag, as_p, as_div: the alert's decision, the plan
    import, the notification settings) ended a Chinese label in ":" (Django's own
    catalogue keeps the English colon)."""
    from django import forms

    class Form(forms.Form):
        reason = forms.CharField(label="原因")

    with translation.override("zh-hans"):
        assert "原因：</label>" in str(Form()["reason"].label_tag())
    with translation.override("en"):
        assert "原因:</label>" in str(Form()["reason"].label_tag())
