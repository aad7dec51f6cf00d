"""A reason the system writes to the audit trail is stored as its catalogue entry (the
English text) and shown in the reader's language by the `reason` filter. Translated
when written, it kept the language of whoever caused it: an incremental update a
Chinese reader's save started read 记录变更后的增量更新 to every English reader too."""

from __future__ import annotations

import re
from pathlib import Path

from django.template import Context, Template
from django.utils import translation

import attain

# reason=_("…") or reason=… or _("…") with a fixed text: translated when written
WRITTEN_TRANSLATED = re.compile(r'reason=(?:[\w.]+ or )?_\("[^"%]*"\)')


def test_no_service_translates_a_fixed_audit_reason_when_writing_it() -> None:
    root = Path(attain.__file__).parent
    found = [
        f"{path.relative_to(root)}:{text.count(chr(10), 0, match.start()) + 1}"
        for path in sorted(root.glob("**/*.py"))
        if "tests" not in path.parts
        for text in [path.read_text(encoding="utf-8")]
        for match in WRITTEN_TRANSLATED.finditer(text)
    ]
    assert not found, "write gettext_noop(...) for the reason in " + ", ".join(found)


def test_a_stored_system_reason_reads_in_each_readers_language() -> None:
    template = Template("{% load core_tags %}{{ text|reason }}")
    text = "Incremental update after a record changed"
    with translation.override("zh-hans"):
        assert template.render(Context({"text": text})) == "记录变更后的增量更新"
    with translation.override("en"):
        assert template.render(Context({"text": text})) == text
